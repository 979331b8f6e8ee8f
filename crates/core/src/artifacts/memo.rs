//! Remembering the files of a project between two writes of it.
//!
//! A large project is written as files again and again: before every push and pull, and for the list of
//! local changes after every edit. Most of its artifacts have not changed since the last time, so
//! [`FileMemo`] keeps each artifact file's bytes and SHA-256 with a keyed 128-bit fingerprint (SipHash 1-3)
//! of the artifact it was written from; an artifact whose fingerprint and path are unchanged is neither
//! serialised nor hashed again. The key is the caller's secret (random per memo), so content from a
//! repository cannot be crafted to match the fingerprint of another artifact.

use std::collections::BTreeMap;
use std::hash::Hash;

use siphasher::sip128::{Hasher128, SipHasher13};

use super::manifest::sha256_hex;

/// One remembered file: what it was written from (as a fingerprint; `None` for a file written each time),
/// its SHA-256 and its bytes.
#[derive(Debug)]
struct Remembered {
    fingerprint: Option<u128>,
    sha256: String,
    bytes: Vec<u8>,
}

/// The files of the last write of a project, by repository path. See the module's documentation.
///
/// ```
/// use versioning_core::artifacts::{artifact_files_and_manifest, demo, FileMemo, LayoutOptions};
/// let project = &demo::demo_projects()[0];
/// let options = LayoutOptions::default();
/// let mut memo = FileMemo::new([7; 16]);
/// let first = memo.files_and_manifest(project, &options);
/// assert_eq!(memo.files_and_manifest(project, &options), first);
/// assert_eq!(first, artifact_files_and_manifest(project, &options));
/// ```
#[derive(Debug)]
pub struct FileMemo {
    keys: (u64, u64),
    /// The files of the last complete write.
    earlier: BTreeMap<String, Remembered>,
    /// The files of the write under way; they replace `earlier` when it ends.
    now: BTreeMap<String, Remembered>,
}

impl FileMemo {
    /// An empty memo whose fingerprints are keyed by `key`, which must be random and kept in memory only.
    pub fn new(key: [u8; 16]) -> Self {
        let (low, high) = key.split_at(8);
        let word = |bytes: &[u8]| u64::from_le_bytes(bytes.try_into().unwrap_or_default());
        FileMemo {
            keys: (word(low), word(high)),
            earlier: BTreeMap::new(),
            now: BTreeMap::new(),
        }
    }

    /// The SHA-256 of the file at `path` written from `value` by `write`, and its bytes when `keep_bytes`
    /// (else empty): remembered when `value` is unchanged since the last write, else written and hashed.
    pub(crate) fn file<T: Hash + ?Sized>(
        &mut self,
        path: &str,
        value: &T,
        write: impl FnOnce(&T) -> Vec<u8>,
        keep_bytes: bool,
    ) -> (String, Vec<u8>) {
        let mut hasher = SipHasher13::new_with_keys(self.keys.0, self.keys.1);
        value.hash(&mut hasher);
        let fingerprint = hasher.finish128().as_u128();
        let remembered = match self.earlier.remove(path) {
            Some(remembered) if remembered.fingerprint == Some(fingerprint) => remembered,
            _ => {
                let bytes = write(value);
                Remembered {
                    fingerprint: Some(fingerprint),
                    sha256: sha256_hex(&bytes),
                    bytes,
                }
            }
        };
        let bytes = if keep_bytes {
            remembered.bytes.clone()
        } else {
            Vec::new()
        };
        let sha256 = remembered.sha256.clone();
        self.now.insert(path.to_owned(), remembered);
        (sha256, bytes)
    }

    /// Keeps `bytes`, the file at `path` written without a fingerprint (a small record written each
    /// time), so that [`FileMemo::bytes`] gives it after the write; gives them back when `keep_bytes`
    /// (else empty).
    pub(crate) fn written(
        &mut self,
        path: &str,
        sha256: &str,
        bytes: Vec<u8>,
        keep_bytes: bool,
    ) -> Vec<u8> {
        let given = if keep_bytes {
            bytes.clone()
        } else {
            Vec::new()
        };
        let remembered = Remembered {
            fingerprint: None,
            sha256: sha256.to_owned(),
            bytes,
        };
        self.now.insert(path.to_owned(), remembered);
        given
    }

    /// Ends a write: its files are what the next write compares with; files it did not write are forgotten.
    pub(crate) fn finish(&mut self) {
        self.earlier = std::mem::take(&mut self.now);
    }

    /// The bytes of the file at `path` as the last complete write gave them (`None`: it wrote no such file),
    /// so that a caller that asked for the manifest alone can take the few files it needs.
    pub fn bytes(&self, path: &str) -> Option<&[u8]> {
        self.earlier
            .get(path)
            .map(|remembered| remembered.bytes.as_slice())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifacts::{artifact_files_and_manifest, demo, manifest, LayoutOptions, Step};

    /// Asks `memo` for the file of `value` at `path`; answers whether it was written (not remembered).
    fn written(memo: &mut FileMemo, path: &str, value: &str) -> bool {
        let mut wrote = false;
        let (sha256, bytes) = memo.file(
            path,
            value,
            |v| {
                wrote = true;
                v.as_bytes().to_vec()
            },
            true,
        );
        assert_eq!(
            (sha256, bytes.as_slice()),
            (sha256_hex(value.as_bytes()), value.as_bytes())
        );
        wrote
    }

    #[test]
    fn an_unchanged_value_at_the_same_path_is_remembered_and_anything_else_written() {
        let mut memo = FileMemo::new([1; 16]);
        assert!(written(&mut memo, "a", "one"));
        memo.finish();
        assert!(!written(&mut memo, "a", "one"), "unchanged: remembered");
        assert!(written(&mut memo, "b", "one"), "another path: written");
        memo.finish();
        assert!(written(&mut memo, "a", "two"), "changed: written");
        memo.finish();
        assert!(
            written(&mut memo, "b", "one"),
            "not in the last write: forgotten"
        );
    }

    #[test]
    fn writes_through_the_memo_equal_writes_without_it_after_an_edit() {
        let options = LayoutOptions::default();
        let mut project = demo::demo_projects().remove(0);
        let mut memo = FileMemo::new([1; 16]);
        assert_eq!(
            memo.manifest(&project, &options),
            manifest(&project, &options)
        );
        project.suites[0].scenarios[0].test_cases[0]
            .steps
            .push(Step {
                keyword: "Verify".into(),
                ..Step::default()
            });
        project.data_tables[0].rows.push(vec!["x".into()]);
        assert_eq!(
            memo.manifest(&project, &options),
            manifest(&project, &options)
        );
        let written = artifact_files_and_manifest(&project, &options);
        assert_eq!(memo.files_and_manifest(&project, &options), written);
        let files = written.0;
        for (path, bytes) in &files {
            assert_eq!(memo.bytes(path), Some(bytes.as_slice()), "{path}");
        }
        assert_eq!(memo.bytes("test-artifacts/no-such-file.json"), None);
    }

    #[test]
    fn a_memo_keyed_otherwise_gives_other_fingerprints() {
        let mut one = FileMemo::new([1; 16]);
        let mut other = FileMemo::new([2; 16]);
        written(&mut one, "a", "value");
        written(&mut other, "a", "value");
        assert_ne!(one.now["a"].fingerprint, other.now["a"].fingerprint);
    }
}
