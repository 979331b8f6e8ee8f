//! An artifact that keeps its own file: the bytes and SHA-256 last written of it, forgotten the moment
//! the artifact can change.
//!
//! A large project is written as files before every push, pull and save, and between two of them only
//! the artifacts the user edited (or a pull changed) are different. [`Tracked`] holds the file written of
//! its artifact beside it; any mutable access ([`DerefMut`]) drops that file, so it is never stale, and
//! a write serialises and hashes only the artifacts changed since their last write. Clones share the
//! bytes. Nothing of the file is serialised: a tracked artifact reads and writes as the artifact itself.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::manifest::sha256_hex;

/// A file written of an artifact: its SHA-256 (hex) and its bytes, shared by clones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenFile {
    /// The SHA-256 of the bytes, as lowercase hex.
    pub sha256: String,
    /// The bytes.
    pub bytes: Arc<[u8]>,
}

impl WrittenFile {
    /// The file of `bytes`, hashed.
    pub fn of(bytes: Vec<u8>) -> Self {
        WrittenFile {
            sha256: sha256_hex(&bytes),
            bytes: bytes.into(),
        }
    }
}

/// An artifact kind stored as one file of its own, written from the artifact alone.
pub trait OwnFile {
    /// The file's bytes (canonical: the same artifact always gives the same bytes).
    fn write_file(&self) -> Vec<u8>;
}

/// An artifact with the file last written of it. See the module's documentation.
///
/// ```
/// use versioning_core::artifacts::{ArtifactId, TestCase, Tracked};
/// let id = ArtifactId::new("tc-login").unwrap();
/// let mut case = Tracked::new(TestCase::new(id, "Log in"));
/// let first = case.file().clone();
/// assert_eq!(case.file(), &first, "unchanged: the same file");
/// case.name = "Log in twice".into();
/// assert_ne!(case.file().sha256, first.sha256, "changed: written again");
/// ```
pub struct Tracked<T> {
    value: T,
    file: OnceLock<WrittenFile>,
}

impl<T> Tracked<T> {
    /// `value`, its file not written yet.
    pub fn new(value: T) -> Self {
        Tracked {
            value,
            file: OnceLock::new(),
        }
    }

    /// The artifact itself.
    pub fn into_inner(self) -> T {
        self.value
    }
}

impl<T: OwnFile> Tracked<T> {
    /// The artifact's file: the one written last while the artifact has not changed since, else
    /// written now (and kept).
    pub fn file(&self) -> &WrittenFile {
        self.file
            .get_or_init(|| WrittenFile::of(self.value.write_file()))
    }
}

impl<T> Deref for Tracked<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

/// Mutable access may change the artifact: its file is forgotten.
impl<T> DerefMut for Tracked<T> {
    fn deref_mut(&mut self) -> &mut T {
        self.file.take();
        &mut self.value
    }
}

impl<T> From<T> for Tracked<T> {
    fn from(value: T) -> Self {
        Tracked::new(value)
    }
}

impl<T: Clone> Clone for Tracked<T> {
    fn clone(&self) -> Self {
        Tracked {
            value: self.value.clone(),
            file: self.file.clone(),
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Tracked<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}

impl<T: PartialEq> PartialEq for Tracked<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<T: Eq> Eq for Tracked<T> {}

impl<T: Hash> Hash for Tracked<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.value.hash(state);
    }
}

impl<T: Serialize> Serialize for Tracked<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(serializer)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Tracked<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Tracked::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Note(String);

    impl OwnFile for Note {
        fn write_file(&self) -> Vec<u8> {
            self.0.as_bytes().to_vec()
        }
    }

    #[test]
    fn a_file_is_kept_until_mutable_access_and_shared_by_clones() {
        let mut note = Tracked::new(Note("one".into()));
        assert!(note.file.get().is_none(), "not written before asked");
        let first = note.file().clone();
        assert_eq!(first, WrittenFile::of(b"one".to_vec()));
        let copy = note.clone();
        assert!(Arc::ptr_eq(&copy.file.get().unwrap().bytes, &first.bytes));
        let _ = &mut *note;
        assert!(note.file.get().is_none(), "mutable access forgets the file");
        note.0 = "two".into();
        assert_eq!(note.file(), &WrittenFile::of(b"two".to_vec()));
        assert_eq!(copy.file(), &first, "the clone keeps its own");
    }

    #[test]
    fn reads_and_writes_as_the_artifact_itself() {
        let note = Tracked::new(Note("one".into()));
        let json = serde_json::to_string(&note).unwrap();
        assert_eq!(json, serde_json::to_string(&Note("one".into())).unwrap());
        let back: Tracked<Note> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, note);
    }
}
