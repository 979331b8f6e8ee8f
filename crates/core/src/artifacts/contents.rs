//! A file's contents as a push, pull or save reads them: bytes, or the artifact whose file it is, which
//! writes its bytes only when they are asked for. A project of 100,000 test cases is compared, sent and
//! stored without holding its files' bytes beside its artifacts.

use std::borrow::Cow;
use std::sync::Arc;

use super::manifest::sha256_hex;
use super::model::{DataTable, ElementRepository, ExecutionList, TestCase};
use super::tracked::Tracked;

/// The contents of a file of a project's tree. Clones share the bytes or the artifact.
#[derive(Debug, Clone)]
pub enum FileContents {
    /// Bytes (a record's file, or a file as read).
    Bytes(Arc<[u8]>),
    /// A test case's file.
    TestCase(Tracked<TestCase>),
    /// An element repository's file.
    ElementRepository(Tracked<ElementRepository>),
    /// A data table's rows.
    DataTableRows(Tracked<DataTable>),
    /// An execution list's file.
    ExecutionList(Tracked<ExecutionList>),
}

/// Contents are equal when their bytes are.
impl PartialEq for FileContents {
    fn eq(&self, other: &Self) -> bool {
        self.bytes() == other.bytes()
    }
}

impl Eq for FileContents {}

/// A file a reader takes: its bytes, or the test case it holds when it was read already.
pub trait FileSource {
    /// The bytes (written now when the source is an artifact).
    fn bytes(&self) -> Cow<'_, [u8]>;

    /// The size of the bytes, without writing them.
    fn size(&self) -> u64;

    /// The SHA-256 of the bytes, as lowercase hex: an artifact's as last written, bytes hashed now.
    fn sha256(&self) -> Arc<str> {
        sha256_hex(&self.bytes()).into()
    }

    /// The test case, when the source is one (a reader takes it as it is).
    fn test_case(&self) -> Option<&Tracked<TestCase>> {
        None
    }
}

impl FileSource for FileContents {
    fn bytes(&self) -> Cow<'_, [u8]> {
        match self {
            FileContents::Bytes(bytes) => Cow::Borrowed(bytes),
            FileContents::TestCase(case) => case.file(),
            FileContents::ElementRepository(repository) => repository.file(),
            FileContents::DataTableRows(table) => table.file(),
            FileContents::ExecutionList(list) => list.file(),
        }
    }

    fn size(&self) -> u64 {
        match self {
            FileContents::Bytes(bytes) => bytes.len() as u64,
            FileContents::TestCase(case) => case.written().size,
            FileContents::ElementRepository(repository) => repository.written().size,
            FileContents::DataTableRows(table) => table.written().size,
            FileContents::ExecutionList(list) => list.written().size,
        }
    }

    fn sha256(&self) -> Arc<str> {
        match self {
            FileContents::Bytes(bytes) => sha256_hex(bytes).into(),
            FileContents::TestCase(case) => case.written().sha256.clone(),
            FileContents::ElementRepository(repository) => repository.written().sha256.clone(),
            FileContents::DataTableRows(table) => table.written().sha256.clone(),
            FileContents::ExecutionList(list) => list.written().sha256.clone(),
        }
    }

    fn test_case(&self) -> Option<&Tracked<TestCase>> {
        match self {
            FileContents::TestCase(case) => Some(case),
            _ => None,
        }
    }
}

/// Bytes are their own source.
macro_rules! bytes_source {
    ($($bytes:ty),+) => {
        $(impl FileSource for $bytes {
            fn bytes(&self) -> Cow<'_, [u8]> {
                Cow::Borrowed(self)
            }

            fn size(&self) -> u64 {
                self.len() as u64
            }
        })+
    };
}

bytes_source!([u8], Vec<u8>, Arc<[u8]>);

impl From<Vec<u8>> for FileContents {
    fn from(bytes: Vec<u8>) -> Self {
        FileContents::Bytes(bytes.into())
    }
}

impl From<Arc<[u8]>> for FileContents {
    fn from(bytes: Arc<[u8]>) -> Self {
        FileContents::Bytes(bytes)
    }
}

/// The contents of a tracked artifact's own file.
macro_rules! artifact_contents {
    ($($kind:ty => $variant:ident),+) => {
        $(impl From<Tracked<$kind>> for FileContents {
            fn from(artifact: Tracked<$kind>) -> Self {
                FileContents::$variant(artifact)
            }
        })+
    };
}

artifact_contents!(
    TestCase => TestCase,
    ElementRepository => ElementRepository,
    DataTable => DataTableRows,
    ExecutionList => ExecutionList
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifacts::{ArtifactId, Step};

    #[test]
    fn an_artifact_gives_the_bytes_it_writes_without_keeping_them() {
        let mut case = TestCase::new(ArtifactId::new("tc-login").unwrap(), "Log in");
        case.steps.push(Step::new("Click", "", "", "", ""));
        let bytes = crate::artifacts::to_canonical_json(&case);
        let contents = FileContents::from(Tracked::new(case));
        assert_eq!(&*contents.bytes(), &bytes[..]);
        assert_eq!(contents.size(), bytes.len() as u64);
        assert_eq!(*contents.sha256(), sha256_hex(&bytes));
        assert!(
            matches!(contents.bytes(), Cow::Owned(_)),
            "written when asked"
        );
        let plain = FileContents::from(bytes.clone());
        assert_eq!(*plain.sha256(), *contents.sha256());
        assert!(plain.test_case().is_none() && contents.test_case().is_some());
    }
}
