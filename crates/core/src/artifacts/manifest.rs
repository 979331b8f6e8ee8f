//! The manifest (`<root>/.manifest.json`): every artifact file's path, SHA-256, id and kind, sorted by
//! path, so push and pull can compare a local project with the repository without downloading every file.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

use serde::de::{IgnoredAny, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use sha2::{Digest, Sha256};

use super::id::{ArtifactId, ArtifactKind};
use super::layout::SCHEMA_VERSION;
use super::limits::MAX_MANIFEST_BYTES;
use crate::counts::{byte_size, counted};

/// The most files a manifest read from a repository may list (200,000: as many as a listing of a
/// folder without manifest reads, twenty times a 10,000-test-case project's). Every entry is compared
/// with the local project, so the work a pull or push does grows with it.
pub const MAX_MANIFEST_ENTRIES: usize = 200_000;

/// Why a manifest read from a repository is refused before it is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManifestRefusal {
    /// It is larger than [`MAX_MANIFEST_BYTES`].
    TooLarge {
        /// Its size, when known (the transport stops reading at the limit).
        size: Option<u64>,
        /// The limit, in bytes.
        limit: u64,
    },
    /// It lists more than [`MAX_MANIFEST_ENTRIES`] files.
    TooManyEntries {
        /// The files it lists.
        entries: usize,
        /// The limit.
        limit: usize,
    },
}

impl fmt::Display for ManifestRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ManifestRefusal::TooLarge {
                size: Some(size),
                limit,
            } => write!(
                f,
                "is {}, more than the {} this app reads",
                byte_size(size),
                byte_size(limit)
            ),
            ManifestRefusal::TooLarge { size: None, limit } => write!(
                f,
                "is larger than {}, the most this app reads",
                byte_size(limit)
            ),
            ManifestRefusal::TooManyEntries { entries, limit } => write!(
                f,
                "lists {}, more than the {limit} this app reads",
                counted(entries, "file", "files")
            ),
        }
    }
}

/// The number of entries of a manifest's `files`, counted without building them.
#[derive(Default)]
struct EntryCount(usize);

impl<'de> Deserialize<'de> for EntryCount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Counter;
        impl<'de> Visitor<'de> for Counter {
            type Value = EntryCount;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of files")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<EntryCount, A::Error> {
                let mut count = 0;
                while seq.next_element::<IgnoredAny>()?.is_some() {
                    count += 1;
                }
                Ok(EntryCount(count))
            }
        }
        deserializer.deserialize_seq(Counter)
    }
}

/// The lowercase hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// Whether `text` is a commit hash, full or abbreviated: 7 to 64 hex digits.
pub fn is_commit_hash(text: &str) -> bool {
    (7..=64).contains(&text.len()) && text.chars().all(|c| c.is_ascii_hexdigit())
}

/// The list of artifact files of a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The layout version ([`SCHEMA_VERSION`] when written by this code).
    pub schema_version: u32,
    /// One entry per file, sorted by path; the manifest does not list itself. Shared by the manifest's
    /// clones (a copy is made on the first change of a shared one, [`Arc::make_mut`]).
    pub files: Arc<Vec<ManifestEntry>>,
    /// The commit the artifact folder grew from: the one the first push of these manifests was made on.
    /// The patch from it to any later commit holds whole every file added since, which is every file
    /// but those already there then (usually none). `None` when unknown (manifests written before
    /// they named it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
}

/// One file of the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestEntry {
    /// Repository path (with the root folder).
    pub path: Arc<str>,
    /// SHA-256 of the content, lowercase hex.
    pub sha256: Arc<str>,
    /// The artifact the file belongs to (the project's id for `project.json`).
    pub id: ArtifactId,
    /// What the file holds.
    pub kind: ArtifactKind,
}

/// The key of a file in [`Manifest::by_artifact`]: ids are unique within a project, except that a data
/// table has two files (its metadata and its rows), told apart by kind.
pub type ArtifactKey = (ArtifactId, ArtifactKind);

/// What changed between two manifests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ManifestDiff {
    /// Files of new artifacts (or new files of an artifact), in path order.
    pub added: Vec<ManifestEntry>,
    /// Files at the same path with different content: the new entries, in path order.
    pub modified: Vec<ManifestEntry>,
    /// Files of artifacts that are gone, in path order.
    pub removed: Vec<ManifestEntry>,
    /// Files that moved because their artifact was renamed (same id and kind, other path); the content
    /// may have changed too (a rename changes the `name` field).
    pub renamed: Vec<Renamed>,
}

/// A file that moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Renamed {
    /// The old entry.
    pub from: ManifestEntry,
    /// The new entry.
    pub to: ManifestEntry,
}

impl Renamed {
    /// Whether the content changed as well as the path.
    pub fn content_changed(&self) -> bool {
        self.from.sha256 != self.to.sha256
    }
}

impl ManifestDiff {
    /// Whether the two manifests describe the same files.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.modified.is_empty()
            && self.removed.is_empty()
            && self.renamed.is_empty()
    }
}

impl Manifest {
    /// A manifest of the current schema version with these entries, sorted by path.
    pub fn from_entries(mut files: Vec<ManifestEntry>) -> Self {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Self {
            schema_version: SCHEMA_VERSION,
            files: Arc::new(files),
            origin: None,
        }
    }

    /// Refuses the bytes of a manifest read from a repository when they are more than
    /// [`MAX_MANIFEST_BYTES`] or list more than [`MAX_MANIFEST_ENTRIES`] files (counted without
    /// building the entries). Bytes that are no manifest at all pass: parsing them reports what is wrong.
    ///
    /// ```
    /// use versioning_core::artifacts::{Manifest, ManifestRefusal, MAX_MANIFEST_ENTRIES};
    /// assert_eq!(Manifest::check_remote(br#"{"schema_version":1,"files":[]}"#), Ok(()));
    /// let many = format!(r#"{{"files":[{}]}}"#, vec!["{}"; MAX_MANIFEST_ENTRIES + 1].join(","));
    /// assert_eq!(
    ///     Manifest::check_remote(many.as_bytes()),
    ///     Err(ManifestRefusal::TooManyEntries { entries: MAX_MANIFEST_ENTRIES + 1, limit: MAX_MANIFEST_ENTRIES })
    /// );
    /// ```
    pub fn check_remote(bytes: &[u8]) -> Result<(), ManifestRefusal> {
        /// Only the number of files, other fields ignored.
        #[derive(Deserialize)]
        struct Counted {
            #[serde(default)]
            files: EntryCount,
        }
        if bytes.len() > MAX_MANIFEST_BYTES {
            return Err(ManifestRefusal::TooLarge {
                size: Some(bytes.len() as u64),
                limit: MAX_MANIFEST_BYTES as u64,
            });
        }
        match serde_json::from_slice::<Counted>(bytes) {
            Ok(Counted { files }) if files.0 > MAX_MANIFEST_ENTRIES => {
                Err(ManifestRefusal::TooManyEntries {
                    entries: files.0,
                    limit: MAX_MANIFEST_ENTRIES,
                })
            }
            _ => Ok(()),
        }
    }

    /// The origin, when it is a commit hash (7 to 64 hex digits): a manifest is remote input.
    pub fn origin_commit(&self) -> Option<&str> {
        self.origin.as_deref().filter(|hash| is_commit_hash(hash))
    }

    /// The entry of a path.
    pub fn entry(&self, path: &str) -> Option<&ManifestEntry> {
        self.files.get(self.position(path)?)
    }

    /// The index of the entry of `path` (the files are in path order).
    pub fn position(&self, path: &str) -> Option<usize> {
        let found = self.files.binary_search_by(|e| e.path.as_ref().cmp(path));
        found.ok()
    }

    /// The map artifact (id and kind) → entry, which push and pull planning compare.
    pub fn by_artifact(&self) -> BTreeMap<ArtifactKey, &ManifestEntry> {
        self.files
            .iter()
            .map(|entry| ((entry.id.clone(), entry.kind), entry))
            .collect()
    }
}

/// A manifest kept as its differences from another one, its reference: a project keeps the manifest of
/// every branch it synced with this way, against its baseline, so that its record does not grow by a
/// whole manifest per branch. [`Manifest::changes_from`] makes it, [`ManifestChanges::apply`] gives the
/// manifest back from the same reference.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestChanges {
    /// The manifest's schema version.
    pub schema_version: u32,
    /// The manifest's origin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// The manifest's entries that the reference does not hold as they are, in path order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub set: Vec<ManifestEntry>,
    /// The paths of the reference that the manifest does not hold, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<String>,
}

/// Whether a manifest's paths are in strictly increasing order (no path twice).
pub(crate) fn in_path_order(files: &[ManifestEntry]) -> bool {
    files.windows(2).all(|pair| pair[0].path < pair[1].path)
}

impl ManifestChanges {
    /// These changes (from `old`) as changes from `new`, whose own changes from `old` are `new_from_old`:
    /// `self.apply(old).changes_from(new)`, found from the paths either changed alone (a few lookups in
    /// `old`, not a walk of it). Both `old` and `new` are in strict path order.
    pub fn rebased(&self, old: &Manifest, new_from_old: &ManifestChanges) -> ManifestChanges {
        let paths: BTreeSet<&str> = [self, new_from_old]
            .into_iter()
            .flat_map(|changes| {
                let set = changes.set.iter().map(|e| e.path.as_ref());
                set.chain(changes.removed.iter().map(String::as_str))
            })
            .collect();
        let mut rebased = ManifestChanges {
            schema_version: self.schema_version,
            origin: self.origin.clone(),
            ..ManifestChanges::default()
        };
        for path in paths {
            let (mine, theirs) = (self.entry(old, path), new_from_old.entry(old, path));
            match (mine, theirs) {
                (Some(mine), theirs) if theirs != Some(mine) => rebased.set.push(mine.clone()),
                (None, Some(_)) => rebased.removed.push(path.to_owned()),
                _ => {}
            }
        }
        rebased
    }

    /// The entry at `path` of the manifest these changes make of `reference`.
    fn entry<'a>(&'a self, reference: &'a Manifest, path: &str) -> Option<&'a ManifestEntry> {
        let set = self.set.binary_search_by(|e| e.path.as_ref().cmp(path));
        if let Ok(at) = set {
            return self.set.get(at);
        }
        match self.removed.binary_search_by(|p| p.as_str().cmp(path)) {
            Ok(_) => None,
            Err(_) => reference.entry(path),
        }
    }

    /// The manifest these changes make of `reference`, the manifest they were taken from (sharing its
    /// entries when no entry changed).
    pub fn apply(&self, reference: &Manifest) -> Manifest {
        if self.set.is_empty() && self.removed.is_empty() {
            return Manifest {
                schema_version: self.schema_version,
                files: reference.files.clone(),
                origin: self.origin.clone(),
            };
        }
        let mut files = Vec::with_capacity(reference.files.len() + self.set.len());
        let mut set = self.set.iter().peekable();
        let mut removed = self.removed.iter().peekable();
        for old in reference.files.iter() {
            while let Some(entry) = set.next_if(|entry| entry.path < old.path) {
                files.push(entry.clone());
            }
            if let Some(entry) = set.next_if(|entry| entry.path == old.path) {
                files.push(entry.clone());
            } else if removed.next_if(|path| ***path == *old.path).is_none() {
                files.push(old.clone());
            }
        }
        files.extend(set.cloned());
        Manifest {
            schema_version: self.schema_version,
            files: Arc::new(files),
            origin: self.origin.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, sha: &str, id: &str) -> ManifestEntry {
        ManifestEntry {
            path: path.to_owned().into(),
            sha256: sha.into(),
            id: ArtifactId::new(id).unwrap(),
            kind: ArtifactKind::TestCase,
        }
    }

    #[test]
    fn sha256_of_empty_input() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn diff_finds_each_change() {
        let old = Manifest::from_entries(vec![
            entry("a--t1.json", "1", "t1"),
            entry("b--t2.json", "2", "t2"),
            entry("c--t3.json", "3", "t3"),
            entry("d--t4.json", "4", "t4"),
        ]);
        let new = Manifest::from_entries(vec![
            entry("a--t1.json", "1", "t1"),
            entry("b--t2.json", "22", "t2"),
            entry("e--t3.json", "33", "t3"),
            entry("f--t5.json", "5", "t5"),
        ]);
        let diff = old.diff(&new);
        assert_eq!(diff.modified, vec![entry("b--t2.json", "22", "t2")]);
        assert_eq!(diff.added, vec![entry("f--t5.json", "5", "t5")]);
        assert_eq!(diff.removed, vec![entry("d--t4.json", "4", "t4")]);
        assert_eq!(diff.renamed.len(), 1);
        assert_eq!(&*diff.renamed[0].from.path, "c--t3.json");
        assert!(diff.renamed[0].content_changed());
        assert!(old.diff(&old).is_empty());
        assert_eq!(new.entry("e--t3.json").map(|e| &*e.sha256), Some("33"));
        assert_eq!(new.entry("zzz"), None);
    }
}
