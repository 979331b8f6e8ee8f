//! What can be wrong with the files of a tree, reported against each file.

use std::fmt;

use super::csv;
use super::id::{ArtifactId, ArtifactKind, IdError};

impl TreeErrorKind {
    /// [`TreeErrorKind::TooLarge`] of a file whose read from a repository was refused at `limit` bytes;
    /// `size` is what the server announced, when it did.
    pub fn too_large(size: Option<u64>, limit: u64) -> Self {
        let bytes = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
        TreeErrorKind::TooLarge {
            size: size.map(bytes),
            limit: bytes(limit),
        }
    }

    /// Whether this is a problem of the file by itself (its path, size or content, or an id another
    /// file holds too), as opposed to one of the tree's structure (a missing parent or child), which
    /// only the whole tree can tell.
    pub fn is_of_the_file(&self) -> bool {
        matches!(
            self,
            TreeErrorKind::UnsafePath { .. }
                | TreeErrorKind::OutsideRoot { .. }
                | TreeErrorKind::InvalidId(_)
                | TreeErrorKind::UnknownFile
                | TreeErrorKind::TooLarge { .. }
                | TreeErrorKind::InvalidJson { .. }
                | TreeErrorKind::InvalidCsv(_)
                | TreeErrorKind::NewerSchema { .. }
                | TreeErrorKind::IdMismatch { .. }
                | TreeErrorKind::DuplicateId { .. }
        )
    }
}

fn too_large_message(size: Option<usize>, limit: usize) -> String {
    match size {
        Some(size) => format!(
            "the file has {size} bytes, more than the limit of {limit}; split the artifact or raise the limit"
        ),
        None => format!(
            "the file has more than {limit} bytes, the most this app reads of one file, so it was not \
             read; split the artifact or restore the file from an earlier commit"
        ),
    }
}

/// What is wrong with one file of a tree.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TreeErrorKind {
    /// The path could be harmful or unusable on some system.
    #[error("unsafe path: {reason}; rename it in the repository")]
    UnsafePath {
        /// What is wrong.
        reason: &'static str,
    },
    /// The file is not below the root folder.
    #[error("the file is outside the artifact folder \"{root}/\"; pass only files below it, or change the root folder setting")]
    OutsideRoot {
        /// The root folder.
        root: String,
    },
    /// The path has the layout's shape but holds an invalid id.
    #[error("the path holds an invalid id: {0}")]
    InvalidId(IdError),
    /// The path is none of the layout's file places.
    #[error("not a file of the artifact layout (see docs/repository-layout.md); move it out of the artifact folder or delete it")]
    UnknownFile,
    /// The file is larger than [`ReadLimits::max_file_bytes`](super::ReadLimits::max_file_bytes), or than
    /// [`MAX_FILE_BYTES`](super::MAX_FILE_BYTES) when read from a
    /// repository (which stops reading at the limit).
    #[error("{}", too_large_message(*.size, *.limit))]
    TooLarge {
        /// The file's size, when known.
        size: Option<usize>,
        /// The limit.
        limit: usize,
    },
    /// The file is not valid JSON, or not the JSON this kind of file holds.
    #[error("cannot read line {line}, column {column}: {message}; fix the file or restore it from an earlier commit")]
    InvalidJson {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's description.
        message: String,
    },
    /// A data table's CSV file cannot be read.
    #[error("cannot read the CSV: {0}")]
    InvalidCsv(csv::CsvError),
    /// The tree was written by a newer version of the layout.
    #[error("the tree uses layout version {found}, but this app reads versions up to {supported}; update the app")]
    NewerSchema {
        /// The version in the file.
        found: u32,
        /// The newest version this code reads.
        supported: u32,
    },
    /// The root folder has no `project.json`.
    #[error("the artifact folder has no project.json; check the root folder setting or push the project again")]
    MissingProjectFile,
    /// The id in the file name differs from the id inside the file.
    #[error("the file name says id {in_name} but the file holds id {in_file}; make them the same")]
    IdMismatch {
        /// The id from the path.
        in_name: ArtifactId,
        /// The id from the content.
        in_file: ArtifactId,
    },
    /// Another file already uses this id.
    #[error(
        "id {id} is already used by {first}; ids must be unique, so give one of them a new id"
    )]
    DuplicateId {
        /// The id.
        id: ArtifactId,
        /// The file that has it first (in path order).
        first: String,
    },
    /// The file's parent artifact has no file.
    #[error("its {kind} {id} has no file; restore that file or delete this one")]
    MissingParent {
        /// The parent's kind.
        kind: ArtifactKind,
        /// The parent's id.
        id: ArtifactId,
    },
    /// The parent does not list this artifact, so its position is unknown.
    #[error("{parent} does not list this artifact, so its place in the order is unknown; add its id there or delete the file")]
    NotListed {
        /// The parent's file.
        parent: String,
    },
    /// The file lists a child that has no file in the expected folder.
    #[error("it lists {kind} {id}, but that {kind} has no file in the expected folder; restore it or remove the id from the list")]
    MissingChild {
        /// The child's kind.
        kind: ArtifactKind,
        /// The child's id.
        id: ArtifactId,
    },
    /// The file lists the same child twice.
    #[error("it lists {id} more than once; keep one")]
    ListedTwice {
        /// The repeated id.
        id: ArtifactId,
    },
    /// A data table's JSON file has no CSV file beside it.
    #[error("the data table has no rows file {missing}; restore it (a line with the column names is the minimum)")]
    MissingRows {
        /// The expected CSV path.
        missing: String,
    },
    /// The file's content differs from its SHA-256 in the manifest.
    #[error("the content does not match the manifest (SHA-256 {expected}); the file was changed outside the app; make the change in the app instead, then push or export the project, which writes the file and its hash together")]
    ManifestMismatch {
        /// The hash in the manifest.
        expected: String,
    },
    /// The manifest lists a file that is not in the tree.
    #[error("the manifest lists this file, but the tree has no such file; restore it or save the project again")]
    MissingFile,
    /// The manifest's root names a part that is not in the tree.
    #[error("the manifest's root names the part {part}, which the tree does not hold; push or export the project again to write the manifest anew")]
    MissingManifestPart {
        /// The part's name.
        part: String,
    },
    /// A part of the manifest cannot be used.
    #[error("this part of the manifest cannot be used: {reason}; push or export the project again to write the manifest anew")]
    ManifestPartDamaged {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The file is not in the manifest.
    #[error("the file is not in the manifest; it was added outside the app: save the project again to refresh the manifest")]
    NotInManifest,
}

/// A problem with one file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {kind}")]
pub struct TreeError {
    /// The repository path of the file.
    pub path: String,
    /// What is wrong.
    pub kind: TreeErrorKind,
}

/// All problems of a tree, sorted by path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeErrors(pub Vec<TreeError>);

impl fmt::Display for TreeErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = crate::counts::counted(self.0.len(), "problem", "problems");
        write!(f, "{count} in the artifact tree:")?;
        self.0.iter().try_for_each(|error| write!(f, "\n- {error}"))
    }
}

impl std::error::Error for TreeErrors {}
