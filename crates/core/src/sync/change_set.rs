//! What a push changes in the repository: computed from the remote state at the branch tip, the local
//! files and the base of this copy's last sync with the branch, and split into commits.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use super::local::LocalFiles;
use super::sides::{split_at_paths, Sides, Versions};
use super::three_way::{classify, ConflictKind, Status};
use crate::artifacts::{
    in_order, part_name, part_path, ArtifactId, ArtifactKey, ArtifactKind, FileSource,
    LayoutOptions, Manifest, ManifestEntry, MANIFEST_FILE, SCHEMA_VERSION,
};

/// What the repository holds under the artifact root at the commit a push starts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoteState {
    /// Our manifest: the files it lists are the remote artifacts (anything else is ignored).
    Managed(Manifest),
    /// No manifest: the files found under the root, written by hand or by another tool (maybe none).
    Unmanaged(BTreeSet<String>),
}

/// What happens to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// A new file.
    Add,
    /// New content at the same path.
    Modify,
    /// The artifact was renamed: its file moves from `from` (and its content may change too).
    Rename {
        /// The old path.
        from: String,
    },
    /// The file is replaced without knowing what it held (the branch has no manifest).
    Overwrite,
    /// The artifact is gone: Cloud deletes the file; Data Center, whose REST API cannot delete, drops it
    /// from the manifest and leaves the file in git.
    Delete,
}

/// One file of a change set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The file's repository path (the old path of a deletion).
    pub path: String,
    /// The artifact and what its file holds.
    pub artifact: ArtifactId,
    /// The kind of artifact file.
    pub kind: ArtifactKind,
    /// What happens.
    pub action: Action,
    /// The size of the new content (0 for a deletion).
    pub bytes: u64,
}

/// Everything a push writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeSet {
    /// Files written, deleted or moved, in path order (the manifest is not among them).
    pub changes: Vec<Change>,
    /// Where the manifest's root goes.
    pub manifest_path: String,
    /// The manifest the push publishes (it is the new base of the next push and pull).
    pub manifest: Manifest,
    /// The bytes of its root, when the push writes it (empty when the manifest does not change: the
    /// branch holds it, and it is not cut into parts again).
    pub manifest_bytes: Vec<u8>,
    /// Its parts the branch does not hold: their paths and bytes, in path order.
    pub manifest_parts: Vec<(String, Vec<u8>)>,
    /// The parts the branch holds that the new root does not name: deleted with the push.
    pub manifest_removed: Vec<String>,
    /// Whether the manifest itself must be written (it changed or was missing).
    pub writes_manifest: bool,
    /// Artifacts changed locally but left out (not Approved, when only approved artifacts are pushed).
    pub held_back: usize,
    /// Artifact files the branch changed since this copy's base, kept as the branch has them.
    pub branch_changes: Vec<BranchChange>,
    /// Artifact files changed both here and on the branch (or held differently by a branch this copy
    /// never synced with): written with this copy's version only when the user chose to overwrite.
    pub conflicts: Vec<BranchChange>,
}

/// The parts of the manifest a branch holds, by path.
enum PartsFound {
    /// Those of the manifest read from it: their content is known.
    Held(BTreeSet<String>),
    /// Part files found under the root, of a manifest that could not be read: their content is not.
    Unread(BTreeSet<String>),
}

/// What a push compares the branch's manifest with, to tell this copy's changes from the branch's.
#[derive(Debug, Clone, Copy)]
pub enum Comparison<'a> {
    /// The manifest of this copy's last sync with the branch: a three-way comparison. What the branch
    /// changed since and this copy did not is kept as the branch has it; an artifact changed on both
    /// sides is a conflict.
    Base(&'a Manifest),
    /// This copy never synced with the branch: every artifact both hold differently is a conflict, and
    /// what only the branch holds is kept.
    NeverSynced,
    /// A new branch, made from a branch this copy never synced with: nothing on it can be lost, so the
    /// local files replace what it starts from.
    Replace,
}

/// An artifact file the branch changed since this copy's base, or that both sides changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BranchChange {
    /// The file's path on the branch (its path at the base when the branch deleted it).
    pub path: String,
    /// The artifact.
    pub artifact: ArtifactId,
    /// The kind of artifact file.
    pub kind: ArtifactKind,
    /// What happened: [`Status::Remote`] (kept as the branch has it) or [`Status::Conflict`].
    pub status: Status,
}

impl BranchChange {
    fn of(key: &ArtifactKey, entry: Option<&ManifestEntry>, status: Status) -> Self {
        BranchChange {
            path: entry.map(|e| e.path.to_string()).unwrap_or_default(),
            artifact: key.0.clone(),
            kind: key.1,
            status,
        }
    }
}

impl ChangeSet {
    /// Computes what the push writes to publish the local files' changes. On a branch with our
    /// manifest, each artifact is classified against `comparison` (see [`Comparison`]): only this
    /// copy's changes are written; conflicts are written with this copy's version, and listed, so that
    /// the push is sent only when the user chose to overwrite them. On a branch without manifest the
    /// local files replace what is there. With `include`, only artifacts it accepts are pushed; the
    /// others keep their remote version (or stay unpublished when new). When the branch has no
    /// manifest, the published one names `origin` as the folder's origin (a remote manifest passes its
    /// own on).
    pub fn compute(
        local: &LocalFiles,
        (remote, origin): (&RemoteState, Option<&str>),
        comparison: Comparison<'_>,
        include: &dyn Fn(&ArtifactKey) -> bool,
    ) -> ChangeSet {
        let (local_manifest, options) = (&*local.manifest, &local.options);
        let manifest_path = options.full_path(MANIFEST_FILE);
        let mut changes = Vec::new();
        let mut held_back = BTreeSet::new();
        let mut branch_changes = Vec::new();
        let mut conflicts = Vec::new();
        let (published, writes_manifest, found) = match remote {
            RemoteState::Managed(remote_manifest) => {
                let base = match comparison {
                    Comparison::Base(base) => Some(base),
                    Comparison::NeverSynced => None,
                    Comparison::Replace => Some(remote_manifest),
                };
                let sides = Sides::of_manifests(base, local_manifest, remote_manifest);
                let mut entries: BTreeMap<ArtifactKey, ManifestEntry> = BTreeMap::new();
                // Entries kept as the branch has them (to check against the paths written).
                let mut kept = BTreeSet::new();
                let mut deletions = Vec::new();
                for (key, [b, l, r]) in &sides.compared {
                    let status = classify(*b, *l, *r);
                    // The branch's entry, or the local one when it is the same file.
                    let keep = |entries: &mut BTreeMap<ArtifactKey, ManifestEntry>| {
                        if let Some(r) = r {
                            let same = l.filter(|l| l.path == r.path && l.sha256 == r.sha256);
                            entries.insert(key.clone(), same.unwrap_or(r).clone());
                        }
                    };
                    match status {
                        Status::Unchanged | Status::Both(_) => keep(&mut entries),
                        Status::Remote(_) => {
                            keep(&mut entries);
                            branch_changes.push(BranchChange::of(key, r.or(*b), status));
                        }
                        Status::Local(_) | Status::Conflict(_) if !include(key) => {
                            held_back.insert(key.0.clone());
                            keep(&mut entries);
                        }
                        Status::Local(_) | Status::Conflict(_) => {
                            if status.is_conflict() {
                                conflicts.push(BranchChange::of(key, r.or(*b).or(*l), status));
                            }
                            match (l, r) {
                                (Some(entry), old) => {
                                    let action = match old {
                                        None => Action::Add,
                                        Some(old) if old.path == entry.path => Action::Modify,
                                        Some(old) => Action::Rename {
                                            from: old.path.to_string(),
                                        },
                                    };
                                    changes.push(write(local, entry, action));
                                    entries.insert(key.clone(), (*entry).clone());
                                }
                                (None, Some(old)) => deletions.push(Change {
                                    path: old.path.to_string(),
                                    artifact: old.id.clone(),
                                    kind: old.kind,
                                    action: Action::Delete,
                                    bytes: 0,
                                }),
                                (None, None) => {}
                            }
                            continue;
                        }
                    }
                    if r.is_some() {
                        kept.insert(key.clone());
                    }
                }
                // A file at a path a written file now takes is replaced by it: a deletion there is
                // none, and an artifact the push would keep there is a conflict.
                let written: BTreeSet<String> =
                    changes.iter().map(|c: &Change| c.path.clone()).collect();
                deletions.retain(|c| !written.contains(&c.path));
                changes.extend(deletions);
                // Walked, the branch's manifest is the untouched entries and the compared ones as the
                // branch has them: the published one differs where an entry taken differs from those.
                let differs =
                    |(key, [_, _, r]): (&ArtifactKey, &Versions<'_>)| entries.get(key) != *r;
                let taken_differ = sides.compared.iter().any(differs);
                let mut clashing: BTreeMap<ArtifactKey, Option<ManifestEntry>> = BTreeMap::new();
                for key in kept {
                    if entries
                        .get(&key)
                        .is_some_and(|e| written.contains(&*e.path))
                    {
                        let entry = entries.remove(&key);
                        clashing.insert(key, entry);
                    }
                }
                // The untouched entries are in path order.
                let (clash, untouched) =
                    split_at_paths(sides.untouched, written.iter().map(String::as_str));
                for entry in clash {
                    clashing.insert((entry.id.clone(), entry.kind), Some(entry.clone()));
                }
                let clashing_none = clashing.is_empty();
                for (key, entry) in clashing {
                    held_back.remove(&key.0);
                    branch_changes.retain(|c| (&c.artifact, c.kind) != (&key.0, key.1));
                    conflicts.push(BranchChange::of(
                        &key,
                        entry.as_ref(),
                        Status::Conflict(ConflictKind::BothAdded),
                    ));
                }
                // Walked, the published manifest is the branch's unless an entry taken differs, one
                // clashes or the layout changes: then it is shared, not built again.
                let same = sides.walked
                    && !taken_differ
                    && clashing_none
                    && remote_manifest.schema_version == SCHEMA_VERSION;
                // Or the local one, when the push takes every entry as this copy has it: shared, so that
                // the next comparison with it as the base knows it for the same.
                let local_taken = sides.walked
                    && clashing_none
                    && sides
                        .compared
                        .iter()
                        .all(|(key, [_, l, _])| entries.get(key) == *l);
                let published = match (same, local_taken) {
                    (true, _) => remote_manifest.clone(),
                    (false, true) => Manifest {
                        schema_version: SCHEMA_VERSION,
                        files: local_manifest.files.clone(),
                        origin: remote_manifest.origin.clone(),
                    },
                    (false, false) => {
                        // In path order already, but for the few entries the comparison chose.
                        let files = untouched.into_iter().cloned().chain(entries.into_values());
                        let mut published = Manifest::from_entries(files.collect());
                        published.origin = remote_manifest.origin.clone();
                        published
                    }
                };
                let writes = match sides.walked {
                    true => !same,
                    false => &published != remote_manifest,
                };
                // The parts the branch holds, for a manifest written (an unchanged one is not cut).
                let held = match writes {
                    true => remote_manifest.held_parts(),
                    false => None,
                };
                let held = held.iter().flat_map(|parts| parts.names());
                let held = held.map(|name| part_path(options, name)).collect();
                (published, writes, PartsFound::Held(held))
            }
            RemoteState::Unmanaged(paths) => {
                let mut entries = Vec::new();
                for entry in local_manifest.files.iter() {
                    let key = (entry.id.clone(), entry.kind);
                    if !include(&key) {
                        held_back.insert(entry.id.clone());
                        continue;
                    }
                    let action = if paths.contains(&*entry.path) {
                        Action::Overwrite
                    } else {
                        Action::Add
                    };
                    changes.push(write(local, entry, action));
                    entries.push(entry);
                }
                // Every local entry, in path order: the local manifest's, shared.
                let mut published = match held_back.is_empty() && in_order(&local_manifest.files) {
                    true => Manifest {
                        files: local_manifest.files.clone(),
                        ..Manifest::from_entries(Vec::new())
                    },
                    false => Manifest::from_entries(entries.into_iter().cloned().collect()),
                };
                published.origin = origin.map(str::to_owned);
                // Parts found under the root (of a manifest that could not be read): deleted unless
                // the new root names them, and written again, since their content is unknown.
                let found = paths.iter().filter(|path| {
                    let relative = options.relative(path).unwrap_or_default();
                    part_name(relative).is_some()
                });
                (
                    published,
                    true,
                    PartsFound::Unread(found.cloned().collect()),
                )
            }
        };
        changes.sort_by(|a, b| a.path.cmp(&b.path));
        let written = match writes_manifest {
            true => manifest_writes(&published, &found, options),
            // The branch holds it already: it is not cut into parts again.
            false => ManifestWrites::default(),
        };
        ChangeSet {
            changes,
            manifest_path,
            manifest_bytes: written.root,
            manifest_parts: written.parts,
            manifest_removed: written.removed,
            manifest: published,
            writes_manifest,
            held_back: held_back.len(),
            branch_changes,
            conflicts,
        }
    }

    /// Leaves out the writes of files known to hold the local content already (read from the branch):
    /// writing them again would change nothing. The manifest still lists them. A rename stays, since it
    /// also removes the old path.
    pub fn leave_out_identical(&mut self, identical: &BTreeSet<String>) {
        self.changes.retain(|c| {
            matches!(c.action, Action::Delete | Action::Rename { .. })
                || !identical.contains(&c.path)
        });
    }

    /// Whether the push has nothing to do.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && !self.writes_manifest
    }

    /// The files to write (new content), in path order.
    pub fn writes(&self) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(|c| c.action != Action::Delete)
    }

    /// The paths to delete (Cloud) or drop from the manifest (Data Center), with the old paths of
    /// renamed files.
    pub fn removed_paths(&self) -> Vec<String> {
        let mut removed: Vec<String> = self
            .changes
            .iter()
            .filter_map(|c| match &c.action {
                Action::Delete => Some(c.path.clone()),
                Action::Rename { from } => Some(from.clone()),
                _ => None,
            })
            .collect();
        removed.sort();
        removed
    }

    /// The manifest's files the push writes, in the order they are written: its new parts, then its
    /// root (none when the manifest does not change).
    pub fn manifest_writes(&self) -> impl Iterator<Item = (&str, &[u8])> {
        let parts = self.manifest_parts.iter();
        let parts = parts.map(|(path, bytes)| (path.as_str(), bytes.as_slice()));
        let root = (self.manifest_path.as_str(), self.manifest_bytes.as_slice());
        parts.chain(self.writes_manifest.then_some(root))
    }

    /// The bytes the push writes at `path`: a local file's, or a file of the manifest's.
    pub fn content<'a>(&'a self, local: &'a LocalFiles, path: &str) -> Cow<'a, [u8]> {
        match local.get(path) {
            Some(file) => file.bytes(),
            None => Cow::Borrowed(
                self.manifest_writes()
                    .find_map(|(at, bytes)| (at == path).then_some(bytes))
                    .unwrap_or_default(),
            ),
        }
    }

    /// Bytes of the manifest's files written.
    fn manifest_size(&self) -> u64 {
        self.manifest_writes().map(|(_, b)| b.len() as u64).sum()
    }

    /// Bytes written in all, the manifest included.
    pub fn total_bytes(&self) -> u64 {
        self.writes().map(|c| c.bytes).sum::<u64>() + self.manifest_size()
    }

    /// The paths the push writes, the manifest's last (its parts, then its root) when it is written.
    pub fn written_paths(&self) -> impl Iterator<Item = String> + '_ {
        self.writes()
            .map(|change| change.path.clone())
            .chain(self.manifest_writes().map(|(path, _)| path.to_owned()))
    }

    /// Files written in all, the manifest's included.
    pub fn total_files(&self) -> usize {
        self.writes().count() + self.manifest_writes().count()
    }

    /// Splits the change into Cloud commits of at most `max_files` files and `max_bytes` bytes (a single
    /// larger file gets a commit of its own). Only new paths (those `published` says the branch's
    /// manifest does not list) may go in the earlier commits: every file the branch's manifest lists,
    /// the deletions and the manifest go in the last one, whatever its size, so that at every commit
    /// of the chain the branch reads as its old version or as the new one.
    pub fn split(
        &self,
        max_files: usize,
        max_bytes: u64,
        published: &dyn Fn(&str) -> bool,
    ) -> Vec<CommitPart> {
        let max_files = max_files.max(1);
        let mut parts: Vec<CommitPart> = Vec::new();
        let mut current = CommitPart::default();
        let (last, early): (Vec<&Change>, Vec<&Change>) =
            self.writes().partition(|change| published(&change.path));
        for change in early {
            let full = current.writes.len() >= max_files
                || (!current.writes.is_empty() && current.bytes + change.bytes > max_bytes);
            if full {
                parts.push(std::mem::take(&mut current));
            }
            current.writes.push(change.path.clone());
            current.bytes += change.bytes;
        }
        let last_bytes: u64 = last.iter().map(|c| c.bytes).sum::<u64>() + self.manifest_size();
        let last_files = last.len() + self.manifest_writes().count();
        let fits = current.writes.is_empty()
            || (current.writes.len() + last_files <= max_files
                && current.bytes + last_bytes <= max_bytes);
        if !fits {
            parts.push(std::mem::take(&mut current));
        }
        current.writes.extend(last.iter().map(|c| c.path.clone()));
        current.writes.sort();
        current.deletions = self.removed_paths();
        current
            .deletions
            .extend(self.manifest_removed.iter().cloned());
        current.includes_manifest = self.writes_manifest;
        current.bytes += last_bytes;
        parts.push(current);
        parts
    }
}

/// One commit of a Cloud push.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommitPart {
    /// Paths written.
    pub writes: Vec<String>,
    /// Paths deleted.
    pub deletions: Vec<String>,
    /// Whether the manifest goes in this commit (the last one).
    pub includes_manifest: bool,
    /// Bytes written.
    pub bytes: u64,
}

fn write(local: &LocalFiles, entry: &ManifestEntry, action: Action) -> Change {
    Change {
        path: entry.path.to_string(),
        artifact: entry.id.clone(),
        kind: entry.kind,
        action,
        bytes: local.get(&entry.path).map_or(0, FileSource::size),
    }
}

/// What a push writes of the manifest it publishes.
#[derive(Default)]
struct ManifestWrites {
    /// The root's bytes.
    root: Vec<u8>,
    /// The parts the branch does not hold: paths and bytes, in path order.
    parts: Vec<(String, Vec<u8>)>,
    /// The parts the branch holds (of those `found`) that the root no longer names.
    removed: Vec<String>,
}

/// What a push writes of `published`, over the parts `found` on the branch.
fn manifest_writes(
    published: &Manifest,
    found: &PartsFound,
    options: &LayoutOptions,
) -> ManifestWrites {
    let parts = published.parts();
    let paths: BTreeSet<String> = parts.names().map(|name| part_path(options, name)).collect();
    let none = BTreeSet::new();
    let (found, held) = match found {
        PartsFound::Held(held) => (held, held),
        PartsFound::Unread(unread) => (unread, &none),
    };
    let removed = found.difference(&paths).cloned().collect();
    let mut written: Vec<(String, Vec<u8>)> = parts
        .iter()
        .map(|part| (part_path(options, part.name), part))
        .filter(|(path, _)| !held.contains(path))
        .map(|(path, part)| (path, part.bytes()))
        .collect();
    written.sort();
    ManifestWrites {
        root: parts.root(published.origin.as_deref()),
        parts: written,
        removed,
    }
}
