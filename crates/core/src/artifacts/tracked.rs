//! A value that keeps what was last written of it (an artifact's file, a project's files and manifest),
//! forgotten the moment the value can change, and shared by its copies until one of them changes.
//!
//! A large project is written as files before every push, pull and save, and between two of them only
//! the artifacts the user edited (or a pull changed) are different. [`Tracked`] holds the written form
//! beside its value; any mutable access ([`DerefMut`]) drops it, so it is never stale, and a write
//! serialises and hashes only what changed since its last write. Clones share the value and what was
//! written of it (one reference count), and a clone changed is copied first, alone: copying a project of
//! 100,000 test cases copies 100,000 pointers, not the test cases. Nothing of it is serialised: a tracked
//! value reads and writes as the value itself.

use std::borrow::Cow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::manifest::sha256_hex;

/// What is kept of the file written of an artifact stored as a file of its own: its SHA-256 and size,
/// and its bytes only when the artifact would not write them itself (a file read as it was found, in
/// another form than the canonical one). The others are written again when they are asked for
/// ([`Tracked::file`]): a large project holds no second copy of itself as bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenFile {
    /// The SHA-256 of the bytes, as lowercase hex (shared with the manifest entries that name it).
    pub sha256: Arc<str>,
    /// The size of the bytes.
    pub size: u64,
    /// The bytes, when the artifact writes other bytes.
    held: Option<Arc<[u8]>>,
}

impl WrittenFile {
    /// The file `bytes` that a value writes: hashed, its bytes not kept (the value writes them again).
    pub fn of(bytes: &[u8]) -> Self {
        WrittenFile {
            sha256: sha256_hex(bytes).into(),
            size: bytes.len() as u64,
            held: None,
        }
    }

    /// The file `bytes` (whose SHA-256 is `sha256`) read as `value`: its bytes kept only when `value`
    /// writes other bytes.
    pub fn read<T: OwnFile>(value: &T, bytes: &[u8], sha256: Arc<str>) -> Self {
        WrittenFile {
            sha256,
            size: bytes.len() as u64,
            held: (value.file_bytes() != bytes).then(|| bytes.into()),
        }
    }
}

/// A value stored as a file of its own, the same bytes every time: its [`Written`] form is a
/// [`WrittenFile`] of them.
pub trait OwnFile {
    /// The bytes of the value's file.
    fn file_bytes(&self) -> Vec<u8>;
}

/// A value written in one canonical form: the same value always gives the same form.
pub trait Written {
    /// What is written (cheap to clone: it shares its bytes).
    type Form: Clone;
    /// Writes the value.
    fn write(&self) -> Self::Form;
}

/// A value with what was last written of it. See the module's documentation.
///
/// ```
/// use versioning_core::artifacts::{ArtifactId, TestCase, Tracked};
/// let id = ArtifactId::new("tc-login").unwrap();
/// let mut case = Tracked::new(TestCase::new(id, "Log in"));
/// let first = case.written().clone();
/// assert_eq!(case.written(), &first, "unchanged: the same file");
/// case.name = "Log in twice".into();
/// assert_ne!(case.written().sha256, first.sha256, "changed: written again");
/// ```
pub struct Tracked<T: Written> {
    shared: Arc<Shared<T>>,
}

/// A tracked value and what was written of it, shared by its copies.
struct Shared<T: Written> {
    value: T,
    written: OnceLock<T::Form>,
}

impl<T: Written> Shared<T> {
    fn new(value: T, written: OnceLock<T::Form>) -> Self {
        Shared { value, written }
    }
}

/// The copy made before a shared value changes: the value alone, as its written form is about to go.
impl<T: Written + Clone> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared::new(self.value.clone(), OnceLock::new())
    }
}

impl<T: Written> Tracked<T> {
    /// `value`, not written yet.
    pub fn new(value: T) -> Self {
        Tracked {
            shared: Arc::new(Shared::new(value, OnceLock::new())),
        }
    }

    /// `value` with `written`, which the caller vouches is what `value` writes (its own file, read back).
    pub(crate) fn with_written(value: T, written: T::Form) -> Self {
        Tracked {
            shared: Arc::new(Shared::new(value, OnceLock::from(written))),
        }
    }

    /// The value's written form: the one written last while the value has not changed since, else
    /// written now (and kept, for every copy).
    pub fn written(&self) -> &T::Form {
        self.shared
            .written
            .get_or_init(|| self.shared.value.write())
    }

    /// The bytes of the value's file: those kept of a file read as it was found, else written now
    /// (and not kept).
    pub fn file(&self) -> Cow<'_, [u8]>
    where
        T: OwnFile + Written<Form = WrittenFile>,
    {
        match &self.written().held {
            Some(bytes) => Cow::Borrowed(bytes),
            None => Cow::Owned(self.shared.value.file_bytes()),
        }
    }

    /// Whether `self` and `other` are copies of one value, unchanged since (equal without a look inside).
    pub fn same_as(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

impl<T: Written> Deref for Tracked<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.shared.value
    }
}

/// Mutable access may change the value: a value shared with copies is copied first, and what was written
/// of it is forgotten.
impl<T: Written + Clone> DerefMut for Tracked<T> {
    fn deref_mut(&mut self) -> &mut T {
        let shared = Arc::make_mut(&mut self.shared);
        shared.written.take();
        &mut shared.value
    }
}

impl<T: Written> From<T> for Tracked<T> {
    fn from(value: T) -> Self {
        Tracked::new(value)
    }
}

impl<T: Written> Clone for Tracked<T> {
    fn clone(&self) -> Self {
        Tracked {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<T: Written + fmt::Debug> fmt::Debug for Tracked<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.shared.value.fmt(f)
    }
}

impl<T: Written + PartialEq> PartialEq for Tracked<T> {
    fn eq(&self, other: &Self) -> bool {
        self.same_as(other) || self.shared.value == other.shared.value
    }
}

impl<T: Written + Eq> Eq for Tracked<T> {}

impl<T: Written + Hash> Hash for Tracked<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.shared.value.hash(state);
    }
}

impl<T: Written + Serialize> Serialize for Tracked<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.shared.value.serialize(serializer)
    }
}

impl<'de, T: Written + Deserialize<'de>> Deserialize<'de> for Tracked<T> {
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
        fn file_bytes(&self) -> Vec<u8> {
            self.0.as_bytes().to_vec()
        }
    }

    impl Written for Note {
        type Form = WrittenFile;

        fn write(&self) -> WrittenFile {
            WrittenFile::of(&self.file_bytes())
        }
    }

    #[test]
    fn a_file_is_kept_until_mutable_access_and_shared_by_clones() {
        let mut note = Tracked::new(Note("one".into()));
        assert!(
            note.shared.written.get().is_none(),
            "not written before asked"
        );
        let first = note.written().clone();
        assert_eq!(first, WrittenFile::of(b"one"));
        let copy = note.clone();
        assert!(Arc::ptr_eq(
            &copy.shared.written.get().unwrap().sha256,
            &first.sha256
        ));
        let _ = &mut *note;
        assert!(
            note.shared.written.get().is_none(),
            "mutable access forgets the file"
        );
        note.0 = "two".into();
        assert_eq!(note.written(), &WrittenFile::of(b"two"));
        assert_eq!(copy.written(), &first, "the clone keeps its own");
    }

    #[test]
    fn copies_share_the_value_until_one_changes_alone() {
        let original = Tracked::new(Note("one".into()));
        let mut copy = original.clone();
        assert!(copy.same_as(&original), "a copy shares the value");
        let written = original.written().clone();
        assert!(
            copy.shared.written.get().is_some(),
            "written once for every copy"
        );
        copy.0 = "two".into();
        assert!(!copy.same_as(&original));
        assert_eq!(original.0, "one", "the original keeps its value");
        assert_eq!(original.written(), &written, "and its file");
        assert_eq!(copy.written(), &WrittenFile::of(b"two"));
        assert_ne!(copy, original);
        let back = Tracked::new(Note("one".into()));
        assert!(!back.same_as(&original));
        assert_eq!(back, original, "equal values apart are equal");
    }

    #[test]
    fn a_file_keeps_its_bytes_only_when_read_in_another_form() {
        let note = Note("one".into());
        let canonical = WrittenFile::read(&note, b"one", sha256_hex(b"one").into());
        assert_eq!(
            canonical,
            WrittenFile::of(b"one"),
            "its own bytes: not kept"
        );
        let tracked = Tracked::with_written(note.clone(), canonical);
        assert_eq!(&*tracked.file(), b"one", "written again when asked");
        let found = WrittenFile::read(&note, b"one ", sha256_hex(b"one ").into());
        assert_eq!(found.size, 4);
        let tracked = Tracked::with_written(note, found);
        assert_eq!(&*tracked.file(), b"one ", "the bytes as found, kept");
        assert_eq!(tracked.written().sha256.as_ref(), sha256_hex(b"one "));
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
