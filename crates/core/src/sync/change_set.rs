//! What a push changes in the repository: computed from the remote state at the branch tip and the local
//! files, and split into commits.

use std::collections::{BTreeMap, BTreeSet};

use crate::artifacts::{
    to_canonical_json, ArtifactId, ArtifactKey, ArtifactKind, LayoutOptions, Manifest,
    ManifestEntry, ProjectFiles, MANIFEST_FILE,
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
    /// Where the manifest goes.
    pub manifest_path: String,
    /// The manifest the push publishes (it is the new base of the next push and pull).
    pub manifest: Manifest,
    /// Its bytes.
    pub manifest_bytes: Vec<u8>,
    /// Whether the manifest itself must be written (it changed or was missing).
    pub writes_manifest: bool,
    /// Artifacts changed locally but left out (not Approved, when only approved artifacts are pushed).
    pub held_back: usize,
}

impl ChangeSet {
    /// Computes what makes the remote state equal to the local files. With `include`, only artifacts it
    /// accepts are pushed; the others keep their remote version (or stay unpublished when new).
    /// When the branch has no manifest, the published one names `origin` as the folder's origin (a remote
    /// manifest passes its own on).
    pub fn compute(
        local: &ProjectFiles,
        local_manifest: &Manifest,
        (remote, origin): (&RemoteState, Option<&str>),
        options: &LayoutOptions,
        include: &dyn Fn(&ArtifactKey) -> bool,
    ) -> ChangeSet {
        let manifest_path = options.full_path(MANIFEST_FILE);
        let mut changes = Vec::new();
        let mut held_back = BTreeSet::new();
        let (published, writes_manifest) = match remote {
            RemoteState::Managed(remote_manifest) => {
                let remote_by_key = remote_manifest.by_artifact();
                let mut entries: BTreeMap<ArtifactKey, ManifestEntry> = BTreeMap::new();
                for (key, entry) in local_manifest.by_artifact() {
                    let old = remote_by_key.get(&key).copied();
                    if old.is_some_and(|old| old == entry) {
                        entries.insert(key, entry.clone());
                    } else if !include(&key) {
                        held_back.insert(key.0.clone());
                        if let Some(old) = old {
                            entries.insert(key, old.clone());
                        }
                    } else {
                        let action = match old {
                            None => Action::Add,
                            Some(old) if old.path == entry.path => Action::Modify,
                            Some(old) => Action::Rename {
                                from: old.path.clone(),
                            },
                        };
                        changes.push(write(local, entry, action));
                        entries.insert(key, entry.clone());
                    }
                }
                // A remote file at a path a local file now takes (`project.json` of another project) is
                // replaced by it: neither deleted nor kept.
                let taken: BTreeSet<&str> = entries.values().map(|e| e.path.as_str()).collect();
                let superseded: BTreeSet<ArtifactKey> = remote_by_key
                    .iter()
                    .filter(|(key, old)| {
                        !entries.contains_key(*key) && taken.contains(old.path.as_str())
                    })
                    .map(|(key, _)| (*key).clone())
                    .collect();
                for (key, old) in remote_by_key {
                    if entries.contains_key(&key) || superseded.contains(&key) {
                        continue;
                    }
                    if include(&key) {
                        changes.push(Change {
                            path: old.path.clone(),
                            artifact: old.id.clone(),
                            kind: old.kind,
                            action: Action::Delete,
                            bytes: 0,
                        });
                    } else {
                        held_back.insert(key.0.clone());
                        entries.insert(key, old.clone());
                    }
                }
                let mut published = Manifest::from_entries(entries.into_values().collect());
                published.origin = remote_manifest.origin.clone();
                let writes = &published != remote_manifest;
                (published, writes)
            }
            RemoteState::Unmanaged(paths) => {
                let mut entries = Vec::new();
                for entry in &local_manifest.files {
                    let key = (entry.id.clone(), entry.kind);
                    if !include(&key) {
                        held_back.insert(entry.id.clone());
                        continue;
                    }
                    let action = if paths.contains(&entry.path) {
                        Action::Overwrite
                    } else {
                        Action::Add
                    };
                    changes.push(write(local, entry, action));
                    entries.push(entry.clone());
                }
                let mut published = Manifest::from_entries(entries);
                published.origin = origin.map(str::to_owned);
                (published, true)
            }
        };
        changes.sort_by(|a, b| a.path.cmp(&b.path));
        ChangeSet {
            changes,
            manifest_path,
            manifest_bytes: to_canonical_json(&published),
            manifest: published,
            writes_manifest,
            held_back: held_back.len(),
        }
    }

    /// Leaves out the overwrites of files known to hold the local content already (read from a branch
    /// without manifest): writing them again would change nothing.
    pub fn leave_out_identical(&mut self, identical: &BTreeSet<String>) {
        self.changes
            .retain(|c| c.action != Action::Overwrite || !identical.contains(&c.path));
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

    /// Bytes written in all, the manifest included.
    pub fn total_bytes(&self) -> u64 {
        let manifest = if self.writes_manifest {
            self.manifest_bytes.len() as u64
        } else {
            0
        };
        self.writes().map(|c| c.bytes).sum::<u64>() + manifest
    }

    /// Files written in all, the manifest included.
    pub fn total_files(&self) -> usize {
        self.writes().count() + usize::from(self.writes_manifest)
    }

    /// Splits the change into Cloud commits of at most `max_files` files and `max_bytes` bytes (a single
    /// larger file gets a commit of its own). Deletions and the manifest go in the last commit, so the
    /// manifest is published only once every file it lists is there.
    pub fn split(&self, max_files: usize, max_bytes: u64) -> Vec<CommitPart> {
        let max_files = max_files.max(1);
        let mut parts: Vec<CommitPart> = Vec::new();
        let mut current = CommitPart::default();
        for change in self.writes() {
            let full = current.writes.len() >= max_files
                || (!current.writes.is_empty() && current.bytes + change.bytes > max_bytes);
            if full {
                parts.push(std::mem::take(&mut current));
            }
            current.writes.push(change.path.clone());
            current.bytes += change.bytes;
        }
        let manifest_bytes = self.manifest_bytes.len() as u64;
        let manifest_fits = current.writes.len() < max_files
            && (current.writes.is_empty() || current.bytes + manifest_bytes <= max_bytes);
        if !manifest_fits {
            parts.push(std::mem::take(&mut current));
        }
        current.deletions = self.removed_paths();
        current.includes_manifest = self.writes_manifest;
        if self.writes_manifest {
            current.bytes += manifest_bytes;
        }
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

fn write(local: &ProjectFiles, entry: &ManifestEntry, action: Action) -> Change {
    Change {
        path: entry.path.clone(),
        artifact: entry.id.clone(),
        kind: entry.kind,
        action,
        bytes: local.get(&entry.path).map_or(0, |b| b.len() as u64),
    }
}
