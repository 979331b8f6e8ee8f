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
use super::manifest_tree::known_in_order;
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
    pub path: String,
    /// SHA-256 of the content, lowercase hex.
    pub sha256: String,
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
        let index = self
            .files
            .binary_search_by(|entry| entry.path.as_str().cmp(path))
            .ok()?;
        self.files.get(index)
    }

    /// The map artifact (id and kind) → entry, which push and pull planning compare.
    pub fn by_artifact(&self) -> BTreeMap<ArtifactKey, &ManifestEntry> {
        self.files
            .iter()
            .map(|entry| ((entry.id.clone(), entry.kind), entry))
            .collect()
    }

    /// What changed from `self` (the older state) to `newer`: compared by path, with moves detected by
    /// artifact id and kind.
    ///
    /// ```
    /// use versioning_core::artifacts::{demo, manifest, LayoutOptions};
    /// let mut project = demo::demo_projects().remove(0);
    /// let before = manifest(&project, &LayoutOptions::default());
    /// let case = project.test_cases().next().unwrap().id.clone();
    /// project.rename(&case, "A better name").unwrap();
    /// let diff = before.diff(&manifest(&project, &LayoutOptions::default()));
    /// assert_eq!(diff.renamed.len(), 1);
    /// assert!(diff.added.is_empty() && diff.removed.is_empty() && diff.modified.is_empty());
    /// ```
    pub fn diff(&self, newer: &Manifest) -> ManifestDiff {
        // Files at a path only one side has: those of the older side, and those of the newer side in
        // its order; files at a path both have are compared there.
        let mut diff = ManifestDiff::default();
        if Arc::ptr_eq(&self.files, &newer.files) {
            return diff;
        }
        let (old_only, new_only) = match in_path_order(&self.files) && in_path_order(&newer.files) {
            true => self.paths_walked(newer, &mut diff),
            false => self.paths_looked_up(newer, &mut diff),
        };
        let mut gone: BTreeMap<ArtifactKey, &ManifestEntry> = old_only
            .into_iter()
            .map(|entry| ((entry.id.clone(), entry.kind), entry))
            .collect();
        // Renamed and added files, in the newer manifest's order.
        for entry in new_only {
            match gone.remove(&(entry.id.clone(), entry.kind)) {
                Some(old) => diff.renamed.push(Renamed {
                    from: old.clone(),
                    to: entry.clone(),
                }),
                None => diff.added.push(entry.clone()),
            }
        }
        diff.removed = gone.into_values().cloned().collect();
        diff.removed.sort_by(|a, b| a.path.cmp(&b.path));
        diff
    }

    /// [`Manifest::diff`]'s comparison by path of two manifests in path order, in one walk of both:
    /// records the modified files and answers the files at paths only the older, or only the newer,
    /// manifest has.
    fn paths_walked<'a>(
        &'a self,
        newer: &'a Manifest,
        diff: &mut ManifestDiff,
    ) -> (Vec<&'a ManifestEntry>, Vec<&'a ManifestEntry>) {
        let (mut old_only, mut new_only) = (Vec::new(), Vec::new());
        for met in by_path(&self.files, &newer.files) {
            match met {
                ByPath::One(old) => old_only.push(old),
                ByPath::Other(new) => new_only.push(new),
                ByPath::Both(old, new) if old.sha256 != new.sha256 => {
                    diff.modified.push(new.clone());
                }
                ByPath::Both(..) | ByPath::Same(_) => {}
            }
        }
        (old_only, new_only)
    }

    /// [`Manifest::paths_walked`] for manifests not in path order (one read from a repository may
    /// not be): by lookups.
    fn paths_looked_up<'a>(
        &'a self,
        newer: &'a Manifest,
        diff: &mut ManifestDiff,
    ) -> (Vec<&'a ManifestEntry>, Vec<&'a ManifestEntry>) {
        let old_paths: BTreeMap<&str, &ManifestEntry> =
            self.files.iter().map(|e| (e.path.as_str(), e)).collect();
        let new_paths: BTreeSet<&str> = newer.files.iter().map(|e| e.path.as_str()).collect();
        let old_only = self
            .files
            .iter()
            .filter(|entry| !new_paths.contains(entry.path.as_str()))
            .collect();
        let mut new_only = Vec::new();
        for entry in newer.files.iter() {
            match old_paths.get(entry.path.as_str()) {
                Some(old) if old.sha256 != entry.sha256 => diff.modified.push(entry.clone()),
                Some(_) => {}
                None => new_only.push(entry),
            }
        }
        (old_only, new_only)
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

/// Where the entries of two manifests meet, walked together in path order ([`by_path`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ByPath<'a> {
    /// A path only the first manifest has.
    One(&'a ManifestEntry),
    /// A path only the second manifest has.
    Other(&'a ManifestEntry),
    /// A path both have: the first's entry and the second's.
    Both(&'a ManifestEntry, &'a ManifestEntry),
    /// A path both have with the same entry, known without comparing them (in a part both hold).
    Same(&'a ManifestEntry),
}

/// The entries of `one` and `other` (each in strict path order), walked together once in path order.
/// Where both manifests are known cut into parts ([`Manifest::parts`]), the entries of a part both hold
/// are met as [`ByPath::Same`] without being compared.
pub(crate) fn by_path<'a>(
    one: &'a [ManifestEntry],
    other: &'a [ManifestEntry],
) -> Box<dyn Iterator<Item = ByPath<'a>> + 'a> {
    match super::manifest_tree::apart(one, other) {
        Some(met) => Box::new(met.into_iter()),
        None => Box::new(walk(one.iter(), other.iter())),
    }
}

/// Two sequences of entries (each in strict path order) walked together once in path order.
pub(crate) fn walk<'a>(
    one: impl Iterator<Item = &'a ManifestEntry>,
    other: impl Iterator<Item = &'a ManifestEntry>,
) -> impl Iterator<Item = ByPath<'a>> {
    let (mut a, mut b) = (one.peekable(), other.peekable());
    std::iter::from_fn(move || match (a.peek(), b.peek()) {
        (Some(x), Some(y)) if x.path < y.path => a.next().map(ByPath::One),
        (Some(x), Some(y)) if x.path > y.path => b.next().map(ByPath::Other),
        (Some(_), Some(_)) => a.next().zip(b.next()).map(|(x, y)| ByPath::Both(x, y)),
        (Some(_), None) => a.next().map(ByPath::One),
        (None, _) => b.next().map(ByPath::Other),
    })
}

impl Manifest {
    /// This manifest as its changes from `reference`. `None` when either manifest is not in strict path
    /// order (one read from a repository may not be): such a manifest is kept whole.
    ///
    /// ```
    /// use versioning_core::artifacts::{demo, manifest, LayoutOptions};
    /// let mut project = demo::demo_projects().remove(0);
    /// let before = manifest(&project, &LayoutOptions::default());
    /// let case = project.test_cases().next().unwrap().id.clone();
    /// project.rename(&case, "A better name").unwrap();
    /// let after = manifest(&project, &LayoutOptions::default());
    /// let changes = after.changes_from(&before).unwrap();
    /// assert_eq!((changes.set.len(), changes.removed.len()), (1, 1), "the file moved");
    /// assert_eq!(changes.apply(&before), after);
    /// ```
    pub fn changes_from(&self, reference: &Manifest) -> Option<ManifestChanges> {
        let mut changes = ManifestChanges {
            schema_version: self.schema_version,
            origin: self.origin.clone(),
            ..ManifestChanges::default()
        };
        if Arc::ptr_eq(&self.files, &reference.files) {
            return Some(changes);
        }
        let ordered = |files: &[ManifestEntry]| known_in_order(files) || in_path_order(files);
        if !ordered(&self.files) || !ordered(&reference.files) {
            return None;
        }
        for met in by_path(&self.files, &reference.files) {
            match met {
                ByPath::One(entry) => changes.set.push(entry.clone()),
                ByPath::Other(old) => changes.removed.push(old.path.clone()),
                ByPath::Both(entry, old) if entry != old => changes.set.push(entry.clone()),
                ByPath::Both(..) | ByPath::Same(_) => {}
            }
        }
        Some(changes)
    }
}

impl ManifestChanges {
    /// These changes (from `old`) as changes from `new`, whose own changes from `old` are `new_from_old`:
    /// `self.apply(old).changes_from(new)`, found from the paths either changed alone (a few lookups in
    /// `old`, not a walk of it). Both `old` and `new` are in strict path order.
    pub fn rebased(&self, old: &Manifest, new_from_old: &ManifestChanges) -> ManifestChanges {
        let paths: BTreeSet<&str> = [self, new_from_old]
            .into_iter()
            .flat_map(|changes| {
                let set = changes.set.iter().map(|e| e.path.as_str());
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
        let set = self.set.binary_search_by(|e| e.path.as_str().cmp(path));
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
            } else if removed.next_if(|path| **path == old.path).is_none() {
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
            path: path.to_owned(),
            sha256: sha.to_owned(),
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
        assert_eq!(diff.renamed[0].from.path, "c--t3.json");
        assert!(diff.renamed[0].content_changed());
        assert!(old.diff(&old).is_empty());
        assert_eq!(
            new.entry("e--t3.json").map(|e| e.sha256.as_str()),
            Some("33")
        );
        assert_eq!(new.entry("zzz"), None);
    }

    proptest::proptest! {
        /// Manifests in path order are compared in one walk: the same as by lookups.
        #[test]
        fn a_walk_and_lookups_find_the_same_paths(
            old in proptest::collection::btree_map(0u8..40, (0u8..3, 0u8..30), 0..30),
            new in proptest::collection::btree_map(0u8..40, (0u8..3, 0u8..30), 0..30),
        ) {
            let manifest = |files: &BTreeMap<u8, (u8, u8)>| {
                let entries = files.iter().map(|(path, (sha, id))| {
                    entry(&format!("p{path:02}"), &sha.to_string(), &format!("t{id}"))
                });
                Manifest::from_entries(entries.collect())
            };
            let (old, new) = (manifest(&old), manifest(&new));
            let (mut walked, mut looked_up) = (ManifestDiff::default(), ManifestDiff::default());
            let one = old.paths_walked(&new, &mut walked);
            let other = old.paths_looked_up(&new, &mut looked_up);
            proptest::prop_assert_eq!(one, other);
            proptest::prop_assert_eq!(walked, looked_up);
        }

        /// A base kept as its changes from one baseline is the same manifest as its changes from the next.
        #[test]
        fn changes_rebased_on_a_new_reference_are_the_changes_from_it(
            old in proptest::collection::btree_map(0u8..40, (0u8..3, 0u8..30), 0..30),
            base in proptest::collection::btree_map(0u8..40, (0u8..3, 0u8..30), 0..30),
            new in proptest::collection::btree_map(0u8..40, (0u8..3, 0u8..30), 0..30),
        ) {
            let manifest = |files: &BTreeMap<u8, (u8, u8)>| {
                let entries = files.iter().map(|(path, (sha, id))| {
                    entry(&format!("p{path:02}"), &sha.to_string(), &format!("t{id}"))
                });
                Manifest::from_entries(entries.collect())
            };
            let (old, base, new) = (manifest(&old), manifest(&base), manifest(&new));
            let kept = base.changes_from(&old).unwrap();
            let new_from_old = new.changes_from(&old).unwrap();
            let rebased = kept.rebased(&old, &new_from_old);
            proptest::prop_assert_eq!(&rebased, &base.changes_from(&new).unwrap());
            proptest::prop_assert_eq!(rebased.apply(&new), base);
        }
    }
}
