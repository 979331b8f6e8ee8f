//! The manifest as written to a repository (layout 2): a small root, `<root>/.manifest.json`, naming the
//! parts that hold the entries, `<root>/.manifest/<name>.json`, each named by the hash of its bytes. A
//! push writes only the parts that changed and the root; a pull reads the root, then only the parts it
//! does not hold already. Where the entries are cut into parts follows from the entries alone (see
//! [`starts_part`]), so the same manifest always gives the same parts, and a change to a few files
//! changes the one or two parts that hold them. Manifests of layout 1, one file listing every entry, are
//! read as they are.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::hash::Hasher;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use siphasher::sip128::{Hasher128, SipHasher13};

use super::canonical::to_canonical_json;
use super::contents::FileSource;
use super::layout::{LayoutOptions, ProjectFiles, MANIFEST_FILE, SCHEMA_VERSION};
use super::manifest::{in_path_order, Manifest, ManifestEntry};
use super::manifest_cuts::{cut_of, in_order, remember_cut, Cut};
use super::parse::parse_json;
use super::tree_error::{TreeError, TreeErrorKind};

/// The folder of the manifest's parts, directly under the root.
pub const MANIFEST_PARTS: &str = ".manifest";
/// The layout version that first wrote the manifest as a tree.
pub const TREE_SCHEMA_VERSION: u32 = 2;
/// Hex digits of a part's name: the first 128 bits of the SHA-256 of its bytes.
const NAME_DIGITS: usize = 32;
/// A part is cut where the folder changes, at one folder in this many (chosen by the folder's hash).
const FOLDER_ODDS: u64 = 6;
/// A part holding this many entries is also cut inside a folder, before one path in 16.
const LARGE_PART: usize = 256;
/// A part never holds more entries than this.
const MAX_PART: usize = 1024;

/// The root of a manifest of layout 2: the parts, in path order of their entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestRoot {
    /// The layout version.
    pub schema_version: u32,
    /// The commit the artifact folder grew from (see [`Manifest::origin`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// The names of the parts.
    pub parts: Vec<String>,
}

/// One part of a manifest: consecutive entries, in path order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestPart {
    files: Vec<ManifestEntry>,
}

/// A manifest file read from a repository: the whole list (layout 1) or a root (layout 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManifestFile {
    /// Layout 1: every entry in one file.
    Whole(Manifest),
    /// Layout 2: the root, whose parts are read next.
    Root(ManifestRoot),
}

/// One part as written: its name and bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenPart {
    /// The name (hex).
    pub name: String,
    /// The canonical JSON bytes.
    pub bytes: Vec<u8>,
}

/// A manifest as the files a repository holds: the root's bytes and every part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestTree {
    /// The bytes of `.manifest.json`.
    pub root: Vec<u8>,
    /// The parts, in order.
    pub parts: Vec<WrittenPart>,
}

impl ManifestTree {
    /// The names of the parts, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().map(|part| part.name.as_str())
    }
}

/// A number drawn from `text`: the first eight bytes of its SHA-256.
fn mark(text: &str) -> u64 {
    let digest = Sha256::digest(text.as_bytes());
    let mut first = [0; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_le_bytes(first)
}

/// The folder of a path (all before its last `/`).
fn folder(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(folder, _)| folder)
}

/// Whether `next` starts a new part after `previous`, in a part that holds `held` entries so far: where
/// the folder changes to one whose hash is a multiple of 6, or, in a part of 256 entries or more, before
/// a path whose hash is a multiple of 16, or when the part holds 1,024 entries.
pub fn starts_part(previous: &ManifestEntry, next: &ManifestEntry, held: usize) -> bool {
    let next_folder = folder(&next.path);
    held >= MAX_PART
        || (folder(&previous.path) != next_folder && mark(next_folder) % FOLDER_ODDS == 0)
        || (held >= LARGE_PART && mark(&next.path) % 16 == 0)
}

/// The name of a part's bytes.
fn name_of(bytes: &[u8]) -> String {
    let mut name = format!("{:x}", Sha256::digest(bytes));
    name.truncate(NAME_DIGITS);
    name
}

/// Whether `text` can name a part: 32 lowercase hex digits.
fn is_part_name(text: &str) -> bool {
    text.len() == NAME_DIGITS
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The repository path of a part.
pub fn part_path(options: &LayoutOptions, name: &str) -> String {
    options.full_path(&format!("{MANIFEST_PARTS}/{name}.json"))
}

/// Whether a path relative to the root is the manifest's: its root or a file of its parts' folder.
pub fn is_manifest_file(relative: &str) -> bool {
    relative == MANIFEST_FILE || relative.starts_with(&format!("{MANIFEST_PARTS}/"))
}

/// The part a path relative to the root names, when it is one.
pub fn part_name(relative: &str) -> Option<&str> {
    let name = relative
        .strip_prefix(MANIFEST_PARTS)?
        .strip_prefix('/')?
        .strip_suffix(".json")?;
    is_part_name(name).then_some(name)
}

/// The entries cut into parts (see [`starts_part`]).
fn cut(files: &[ManifestEntry]) -> Vec<&[ManifestEntry]> {
    let mut parts = Vec::new();
    let mut start = 0;
    for index in 1..files.len() {
        if starts_part(&files[index - 1], &files[index], index - start) {
            parts.push(&files[start..index]);
            start = index;
        }
    }
    if start < files.len() {
        parts.push(&files[start..]);
    }
    parts
}

/// The names of parts met before (written or read), with their entries, so that a manifest cut again (a
/// base, or a manifest of which a few entries changed) is serialised and hashed only where its parts are
/// new. Looked up by a fast fingerprint of the entries' fields, then compared entry by entry (a
/// fingerprint alone could be made to collide by a crafted manifest; equal entries cannot). Cleared when
/// it holds more than [`MEMO_LIMIT`] entries.
#[derive(Default)]
struct PartNames {
    parts: BTreeMap<u128, Vec<NamedPart>>,
    entries: usize,
}

/// A part's entries and name.
type NamedPart = (Box<[ManifestEntry]>, String);

/// The most entries the memo keeps: the parts of a manifest of 100,000 test cases and of its base
/// (about 900 parts each, mostly the same) fit several times.
const MEMO_LIMIT: usize = 400_000;

thread_local! {
    static PART_NAMES: RefCell<PartNames> = RefCell::new(PartNames::default());
}

/// The memo's fingerprint of a part's entries: SipHash 1-3 of their number, the first and last paths
/// and the start of each hash. Only a bucket: the entries themselves are compared in it, so parts that
/// share a fingerprint (by chance or crafted) are told apart all the same.
fn fingerprint(files: &[ManifestEntry]) -> u128 {
    let mut hasher = SipHasher13::new();
    hasher.write_usize(files.len());
    for entry in [files.first(), files.last()].into_iter().flatten() {
        hasher.write(entry.path.as_bytes());
        hasher.write_u8(0);
    }
    for entry in files {
        hasher.write(&entry.sha256.as_bytes()[..entry.sha256.len().min(16)]);
    }
    hasher.finish128().as_u128()
}

impl PartNames {
    fn name(&self, key: u128, files: &[ManifestEntry]) -> Option<&str> {
        let found = self
            .parts
            .get(&key)?
            .iter()
            .find(|(held, _)| **held == *files);
        found.map(|(_, name)| name.as_str())
    }

    fn remember(&mut self, key: u128, files: &[ManifestEntry], name: &str) {
        if self.name(key, files).is_some() {
            return;
        }
        if self.entries + files.len() > MEMO_LIMIT {
            *self = PartNames::default();
        }
        self.entries += files.len();
        let held = (files.to_vec().into_boxed_slice(), name.to_owned());
        self.parts.entry(key).or_default().push(held);
    }
}

/// The name of the part holding `files`: from the memo, or written and hashed (and remembered).
fn part_name_of(files: &[ManifestEntry]) -> String {
    PART_NAMES.with(|memo| {
        let mut memo = memo.borrow_mut();
        let key = fingerprint(files);
        if let Some(name) = memo.name(key, files) {
            return name.to_owned();
        }
        let name = name_of(&part_bytes(files));
        memo.remember(key, files, &name);
        name
    })
}

/// Remembers the name of a part read (its bytes hash to it).
fn remember_read(files: &[ManifestEntry], name: &str) {
    PART_NAMES.with(|memo| memo.borrow_mut().remember(fingerprint(files), files, name));
}

/// The canonical bytes of the part holding `files`.
fn part_bytes(files: &[ManifestEntry]) -> Vec<u8> {
    to_canonical_json(&ManifestPart {
        files: files.to_vec(),
    })
}

/// One part of a manifest: its name and its entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartOf<'a> {
    /// The name (hex).
    pub name: &'a str,
    /// The entries.
    pub files: &'a [ManifestEntry],
}

impl PartOf<'_> {
    /// The part's canonical bytes (which hash to its name).
    pub fn bytes(&self) -> Vec<u8> {
        part_bytes(self.files)
    }
}

/// A manifest's parts, named (see [`Manifest::parts`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parts<'a> {
    names: Vec<String>,
    files: Vec<&'a [ManifestEntry]>,
}

impl<'a> Parts<'a> {
    /// The parts, in order.
    pub fn iter(&self) -> impl Iterator<Item = PartOf<'_>> {
        self.names
            .iter()
            .zip(&self.files)
            .map(|(name, files)| PartOf {
                name: name.as_str(),
                files,
            })
    }

    /// The names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(String::as_str)
    }

    /// The bytes of the root naming these parts, with `origin`.
    pub fn root(&self, origin: Option<&str>) -> Vec<u8> {
        to_canonical_json(&ManifestRoot {
            schema_version: SCHEMA_VERSION,
            origin: origin.map(str::to_owned),
            parts: self.names.clone(),
        })
    }
}

impl Manifest {
    /// The manifest's parts as layout 2 cuts them, each named; only parts not met before in this process
    /// are serialised and hashed for it.
    pub fn parts(&self) -> Parts<'_> {
        if let Some((lengths, names)) = cut_of(&self.files) {
            let mut rest = &self.files[..];
            let files = lengths
                .iter()
                .map(|&length| {
                    let (part, after) = rest.split_at(length);
                    rest = after;
                    part
                })
                .collect();
            return Parts { names, files };
        }
        let files = cut(&self.files);
        let names: Vec<String> = files.iter().map(|files| part_name_of(files)).collect();
        remember_cut(Cut {
            files: Arc::downgrade(&self.files),
            lengths: files.iter().map(|part| part.len()).collect(),
            names: names.clone(),
            ordered: in_path_order(&self.files),
        });
        Parts { names, files }
    }

    /// The manifest as layout 2 writes it: its parts and the root naming them.
    ///
    /// ```
    /// use versioning_core::artifacts::{demo, manifest, read_manifest_file, LayoutOptions, ManifestFile};
    /// let tree = manifest(&demo::demo_projects()[0], &LayoutOptions::default()).tree();
    /// let Ok(ManifestFile::Root(root)) = read_manifest_file(&tree.root) else { panic!("a root") };
    /// assert_eq!(root.parts, tree.names().collect::<Vec<_>>());
    /// ```
    pub fn tree(&self) -> ManifestTree {
        let parts = self.parts();
        ManifestTree {
            root: parts.root(self.origin.as_deref()),
            parts: parts
                .iter()
                .map(|part| WrittenPart {
                    name: part.name.to_owned(),
                    bytes: part.bytes(),
                })
                .collect(),
        }
    }

    /// The parts a repository whose manifest this is holds: those [`Manifest::parts`] gives for a
    /// manifest of layout 2; `None` for one of layout 1, which was written as one file.
    pub fn held_parts(&self) -> Option<Parts<'_>> {
        (self.schema_version >= TREE_SCHEMA_VERSION).then(|| self.parts())
    }
}

/// Reads the bytes of `.manifest.json`: a whole manifest (layout 1) or a root (layout 2), refusing a
/// newer layout before reading the rest.
pub fn read_manifest_file(bytes: &[u8]) -> Result<ManifestFile, TreeErrorKind> {
    /// The version, read before the rest.
    #[derive(Deserialize)]
    struct Probe {
        schema_version: Option<u64>,
    }
    if let Ok(Probe {
        schema_version: Some(found),
    }) = serde_json::from_slice(bytes)
    {
        if found > u64::from(SCHEMA_VERSION) {
            return Err(TreeErrorKind::NewerSchema {
                found: u32::try_from(found).unwrap_or(u32::MAX),
                supported: SCHEMA_VERSION,
            });
        }
        if found >= u64::from(TREE_SCHEMA_VERSION) {
            let root: ManifestRoot = parse_json(bytes)?;
            return match root.parts.iter().find(|name| !is_part_name(name)) {
                Some(_) => Err(TreeErrorKind::ManifestPartDamaged {
                    reason: "the root names a part by something other than 32 hex digits",
                }),
                None => Ok(ManifestFile::Root(root)),
            };
        }
    }
    parse_json(bytes).map(ManifestFile::Whole)
}

/// Reads the part `name` from its bytes: they must hash to its name and hold entries in path order, cut
/// where [`starts_part`] cuts.
pub fn read_manifest_part(name: &str, bytes: &[u8]) -> Result<Vec<ManifestEntry>, TreeErrorKind> {
    if name_of(bytes) != name {
        return Err(TreeErrorKind::ManifestPartDamaged {
            reason: "its content does not hash to its name",
        });
    }
    let part: ManifestPart = parse_json(bytes)?;
    let files = part.files;
    let in_order = files.windows(2).all(|pair| pair[0].path < pair[1].path);
    let whole = (1..files.len()).all(|index| !starts_part(&files[index - 1], &files[index], index));
    match (files.is_empty(), in_order && whole) {
        (false, true) => {
            remember_read(&files, name);
            Ok(files)
        }
        (true, _) => Err(TreeErrorKind::ManifestPartDamaged {
            reason: "it lists no file",
        }),
        (false, false) => Err(TreeErrorKind::ManifestPartDamaged {
            reason: "its files are out of order or more than one part's",
        }),
    }
}

/// The manifest a tree of files holds: its root read, with its parts for layout 2. `None` when the
/// tree has no manifest; the first problem (its path and kind) when it cannot be used.
pub fn manifest_in(
    files: &ProjectFiles,
    options: &LayoutOptions,
) -> Option<Result<Manifest, TreeError>> {
    let root_path = options.full_path(MANIFEST_FILE);
    let file = read_manifest_file(files.get(&root_path)?).map_err(|kind| TreeError {
        path: root_path,
        kind,
    });
    Some(file.and_then(|file| manifest_of_file(file, files, options)))
}

/// The manifest of a `.manifest.json` already read: itself (layout 1), or its root with the parts of
/// `files` it names (layout 2).
pub(crate) fn manifest_of_file<B: FileSource>(
    file: ManifestFile,
    files: &BTreeMap<String, B>,
    options: &LayoutOptions,
) -> Result<Manifest, TreeError> {
    let root = match file {
        ManifestFile::Whole(manifest) => return Ok(manifest),
        ManifestFile::Root(root) => root,
    };
    let mut parts = BTreeMap::new();
    for name in &root.parts {
        let path = part_path(options, name);
        if let Some(bytes) = files.get(&path) {
            let entries = read_manifest_part(name, &bytes.bytes())
                .map_err(|kind| TreeError { path, kind })?;
            parts.insert(name.clone(), entries);
        }
    }
    root.assemble(&parts, options)
}

impl ManifestRoot {
    /// The manifest of this root and its parts (`parts` by name, each as [`read_manifest_part`] gives
    /// it). Refused against the root when a part is missing, and against a part whose files do not
    /// follow those of the part before it.
    pub fn assemble<P: AsRef<[ManifestEntry]>>(
        &self,
        parts: &BTreeMap<String, P>,
        options: &LayoutOptions,
    ) -> Result<Manifest, TreeError> {
        let mut files: Vec<ManifestEntry> = Vec::new();
        let mut lengths = Vec::with_capacity(self.parts.len());
        // Each part in order (a part of a manifest held is known so), and each after the one before.
        let mut ordered = true;
        for name in &self.parts {
            let Some(entries) = parts.get(name).map(AsRef::as_ref) else {
                return Err(TreeError {
                    path: options.full_path(MANIFEST_FILE),
                    kind: TreeErrorKind::MissingManifestPart { part: name.clone() },
                });
            };
            let follows = match (files.last(), entries.first()) {
                (Some(last), Some(first)) => last.path < first.path,
                _ => true,
            };
            if !follows {
                return Err(TreeError {
                    path: part_path(options, name),
                    kind: TreeErrorKind::ManifestPartDamaged {
                        reason: "its files do not follow those of the part before it",
                    },
                });
            }
            ordered = ordered && in_order(entries);
            files.extend(entries.iter().cloned());
            lengths.push(entries.len());
        }
        let files = Arc::new(files);
        // The manifest is known cut as its parts were read.
        remember_cut(Cut {
            files: Arc::downgrade(&files),
            lengths,
            names: self.parts.clone(),
            ordered,
        });
        Ok(Manifest {
            schema_version: self.schema_version,
            files,
            origin: self.origin.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifacts::generate::synthetic_project;
    use crate::artifacts::manifest;
    use crate::artifacts::manifest_cuts::ordered_cut;

    #[test]
    fn a_manifest_assembled_from_parts_knows_whether_its_entries_are_in_order() {
        let options = LayoutOptions::default();
        let manifest = manifest(&synthetic_project(5, 300), &options);
        let parts = manifest.parts();
        let root = ManifestRoot {
            schema_version: SCHEMA_VERSION,
            origin: None,
            parts: parts.names().map(str::to_owned).collect(),
        };
        // Each part as a range of the manifest's own entries (known in order), as a copy holds them.
        let mut held: BTreeMap<String, &[ManifestEntry]> = BTreeMap::new();
        let mut start = 0;
        for part in parts.iter() {
            held.insert(
                part.name.to_owned(),
                &manifest.files[start..start + part.files.len()],
            );
            start += part.files.len();
        }
        let assembled = root.assemble(&held, &options).expect("assembled");
        assert_eq!(assembled.files, manifest.files);
        assert!(ordered_cut(&assembled.files).is_some(), "known in order");
        // A part read with two of its entries the other way round: the manifest is not in order.
        let first = &root.parts[0];
        let mut swapped = held[first].to_vec();
        swapped.swap(0, 1);
        held.insert(first.clone(), &swapped);
        let assembled = root.assemble(&held, &options).expect("assembled");
        assert!(ordered_cut(&assembled.files).is_none(), "not in order");
    }

    /// The name and bytes of each part of `manifest`.
    fn written(manifest: &Manifest) -> Vec<(String, Vec<u8>)> {
        let parts = manifest.parts();
        parts
            .iter()
            .map(|p| (p.name.to_owned(), p.bytes()))
            .collect()
    }

    #[test]
    fn a_manifest_cut_again_gives_the_same_parts_and_a_changed_copy_its_own() {
        let manifest = manifest(&synthetic_project(5, 300), &LayoutOptions::default());
        let first = written(&manifest);
        assert!(first.len() > 1, "several parts");
        let shared = manifest.clone();
        assert!(Arc::ptr_eq(&shared.files, &manifest.files));
        assert_eq!(written(&shared), first, "known by its entries' address");
        let mut changed = manifest.clone();
        let last = Arc::make_mut(&mut changed.files).last_mut().unwrap();
        last.sha256 = "0".repeat(64).into();
        let fresh = Manifest {
            files: Arc::new(changed.files.to_vec()),
            ..changed.clone()
        };
        let (changed, fresh) = (written(&changed), written(&fresh));
        assert_eq!(changed, fresh, "a changed copy is cut anew");
        assert_ne!(changed, first);
        assert_eq!(changed[..first.len() - 1], first[..first.len() - 1]);
    }

    #[test]
    fn the_memo_names_only_the_entries_it_was_given() {
        let manifest = manifest(&synthetic_project(3, 200), &LayoutOptions::default());
        let (one, other) = (&manifest.files[..3], &manifest.files[3..6]);
        let mut memo = PartNames::default();
        memo.remember(7, one, "one");
        assert_eq!(memo.name(7, one), Some("one"));
        assert_eq!(memo.name(7, other), None, "the same key, other entries");
        memo.remember(7, other, "other");
        assert_eq!(
            (memo.name(7, one), memo.name(7, other)),
            (Some("one"), Some("other"))
        );
        assert_eq!(memo.entries, 6);
        memo.remember(7, one, "one");
        assert_eq!(memo.entries, 6, "remembered once");
    }

    #[test]
    fn a_tree_reads_back_to_its_manifest() {
        let manifest = manifest(&synthetic_project(3, 2_000), &LayoutOptions::default());
        let tree = manifest.tree();
        let Ok(ManifestFile::Root(root)) = read_manifest_file(&tree.root) else {
            panic!("a root");
        };
        let parts: BTreeMap<String, Vec<ManifestEntry>> = tree
            .parts
            .iter()
            .map(|part| {
                (
                    part.name.clone(),
                    read_manifest_part(&part.name, &part.bytes).unwrap(),
                )
            })
            .collect();
        let assembled = root.assemble(&parts, &LayoutOptions::default());
        assert_eq!(assembled, Ok(manifest.clone()));
        let assembled = assembled.unwrap();
        assert!(!Arc::ptr_eq(&assembled.files, &manifest.files));
        let known = assembled.parts();
        assert_eq!(known, manifest.parts(), "known cut as it was read");
        assert!(known.names().eq(root.parts.iter().map(String::as_str)));
        let sizes: Vec<usize> = tree.parts.iter().map(|p| p.bytes.len()).collect();
        assert!(sizes.len() > 5, "{sizes:?}");
        assert!(sizes.iter().all(|&size| size < 300_000), "{sizes:?}");
    }

    #[test]
    fn a_change_to_one_file_changes_one_part() {
        let mut project = synthetic_project(4, 3_000);
        let options = LayoutOptions::default();
        let before = manifest(&project, &options).tree();
        let case = &mut project.suites[3].scenarios[1].test_cases[2];
        case.description.push_str(" Changed.");
        let after = manifest(&project, &options).tree();
        let old: Vec<&str> = before.names().collect();
        let new: Vec<&str> = after.names().filter(|name| !old.contains(name)).collect();
        assert_eq!(new.len(), 1);
        assert_eq!(before.parts.len(), after.parts.len());
    }

    #[test]
    fn a_part_is_refused_when_damaged() {
        let manifest = manifest(&synthetic_project(5, 500), &LayoutOptions::default());
        let tree = manifest.tree();
        let part = &tree.parts[0];
        let mut bytes = part.bytes.clone();
        bytes.insert(2, b' ');
        assert!(matches!(
            read_manifest_part(&part.name, &bytes),
            Err(TreeErrorKind::ManifestPartDamaged { .. })
        ));
        // Two parts as one, with a name that matches: not cut where the layout cuts.
        let both = [tree.parts[0].bytes.clone(), tree.parts[1].bytes.clone()];
        let files: Vec<ManifestEntry> = both
            .iter()
            .flat_map(|b| serde_json::from_slice::<ManifestPart>(b).unwrap().files)
            .collect();
        let joined = to_canonical_json(&ManifestPart { files });
        assert!(matches!(
            read_manifest_part(&name_of(&joined), &joined),
            Err(TreeErrorKind::ManifestPartDamaged { .. })
        ));
        let newer = br#"{"schema_version": 3, "parts": []}"#;
        assert!(matches!(
            read_manifest_file(newer),
            Err(TreeErrorKind::NewerSchema { found: 3, .. })
        ));
        assert_eq!(
            part_name(&format!(".manifest/{}.json", part.name)),
            Some(part.name.as_str())
        );
        assert_eq!(part_name(".manifest/x.json"), None);
    }
}
