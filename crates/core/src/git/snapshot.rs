//! A commit's folders as a fetch of its trees tells them ([`super::upload_pack`]): every folder's
//! entries with their modes and object ids, without any file's content. It answers what Data
//! Center's folder listings and archive answer otherwise, in one request: the [`Listings`] a
//! [`super::TreePlan`] is built from, the exact mode of every kept file, and the files under a
//! folder with their blob ids (a file whose blob id is that of the local bytes holds them already).

use std::collections::{BTreeMap, BTreeSet};

use super::objects::{FileMode, Object, ObjectId, ObjectKind};
use super::tree_plan::{join, ListedEntry, ListedKind, Listings};

/// Why the objects of a fetch do not make a commit's folders.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SnapshotError {
    /// The commit, or a tree it names, is not among the objects.
    #[error("the fetch lacks the object {0}")]
    Missing(ObjectId),
    /// A commit or tree that git would not have written.
    #[error("the object {0} cannot be read")]
    Unreadable(ObjectId),
}

/// One entry of a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotEntry {
    /// Its name in the folder.
    pub name: String,
    /// Its mode.
    pub mode: FileMode,
    /// Its object id.
    pub id: ObjectId,
}

/// The folders of one commit, by path (`""` is the root).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeSnapshot {
    commit: ObjectId,
    folders: BTreeMap<String, Vec<SnapshotEntry>>,
}

impl TreeSnapshot {
    /// The folders of `commit` from `objects` (the commit and every tree it holds).
    pub fn of(commit: ObjectId, objects: Vec<Object>) -> Result<TreeSnapshot, SnapshotError> {
        let mut by_id: BTreeMap<ObjectId, Object> =
            objects.into_iter().map(|o| (o.id(), o)).collect();
        let head = by_id
            .remove(&commit)
            .ok_or(SnapshotError::Missing(commit))?;
        if head.kind() != ObjectKind::Commit {
            return Err(SnapshotError::Unreadable(commit));
        }
        let root = tree_of(&head).ok_or(SnapshotError::Unreadable(commit))?;
        let mut folders = BTreeMap::new();
        let mut open = vec![(String::new(), root)];
        while let Some((path, id)) = open.pop() {
            let tree = by_id.get(&id).ok_or(SnapshotError::Missing(id))?;
            if tree.kind() != ObjectKind::Tree {
                return Err(SnapshotError::Unreadable(id));
            }
            let entries = parse_tree(tree.content()).ok_or(SnapshotError::Unreadable(id))?;
            for entry in entries.iter().filter(|e| e.mode == FileMode::Tree) {
                open.push((join(&path, &entry.name), entry.id));
            }
            folders.insert(path, entries);
        }
        Ok(TreeSnapshot { commit, folders })
    }

    /// The commit.
    pub fn commit(&self) -> ObjectId {
        self.commit
    }

    /// The listings of `folders`, as Data Center's browse would give them (`None`: no such folder).
    pub fn listings(&self, folders: &BTreeSet<String>) -> Listings {
        folders
            .iter()
            .map(|folder| {
                let listing = self.folders.get(folder).map(|entries| {
                    entries
                        .iter()
                        .map(|e| ListedEntry {
                            name: e.name.clone(),
                            id: e.id,
                            kind: match e.mode {
                                FileMode::Tree => ListedKind::Directory,
                                FileMode::Submodule => ListedKind::Submodule,
                                FileMode::Regular | FileMode::Executable | FileMode::Symlink => {
                                    ListedKind::File
                                }
                            },
                        })
                        .collect()
                });
                (folder.clone(), listing)
            })
            .collect()
    }

    /// The modes of `paths` (files the snapshot holds; others are left out).
    pub fn modes<'a>(
        &self,
        paths: impl IntoIterator<Item = &'a String>,
    ) -> BTreeMap<String, FileMode> {
        paths
            .into_iter()
            .filter_map(|path| Some((path.clone(), self.entry(path)?.mode)))
            .collect()
    }

    /// Every file (and link and submodule) under `folder`, with its object id.
    pub fn files_under(&self, folder: &str) -> BTreeMap<String, ObjectId> {
        let prefix = format!("{folder}/");
        self.folders
            .iter()
            .filter(|(path, _)| *path == folder || path.starts_with(&prefix) || folder.is_empty())
            .flat_map(|(path, entries)| {
                entries
                    .iter()
                    .filter(|e| e.mode != FileMode::Tree)
                    .map(move |e| (join(path, &e.name), e.id))
            })
            .collect()
    }

    fn entry(&self, path: &str) -> Option<&SnapshotEntry> {
        let (folder, name) = path.rsplit_once('/').unwrap_or(("", path));
        self.folders.get(folder)?.iter().find(|e| e.name == name)
    }
}

/// The tree a commit names on its first line.
fn tree_of(commit: &Object) -> Option<ObjectId> {
    let text = std::str::from_utf8(commit.content()).ok()?;
    text.lines().next()?.strip_prefix("tree ")?.parse().ok()
}

/// A tree's entries: `{mode} {name}\0{20-byte id}` each.
fn parse_tree(mut content: &[u8]) -> Option<Vec<SnapshotEntry>> {
    let mut entries = Vec::new();
    while !content.is_empty() {
        let space = content.iter().position(|b| *b == b' ')?;
        let nul = content.iter().position(|b| *b == 0)?;
        let mode = match &content[..space] {
            b"100644" | b"100664" => FileMode::Regular,
            b"100755" => FileMode::Executable,
            b"120000" => FileMode::Symlink,
            b"40000" | b"040000" => FileMode::Tree,
            b"160000" => FileMode::Submodule,
            _ => return None,
        };
        let name = std::str::from_utf8(content.get(space + 1..nul)?).ok()?;
        let id: [u8; 20] = content.get(nul + 1..nul + 21)?.try_into().ok()?;
        entries.push(SnapshotEntry {
            name: name.to_owned(),
            mode,
            id: ObjectId::from_bytes(id),
        });
        content = &content[nul + 21..];
    }
    Some(entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::read_pack;

    fn oid(id: git2::Oid) -> ObjectId {
        id.to_string().parse().unwrap()
    }

    /// A commit whose root holds a regular file, an executable, a link, a submodule and a folder of
    /// 40 near-identical folders (so that the pack holds deltas); the pack of the commit and its
    /// trees as a server sends it, and the commit.
    fn packed() -> (Vec<u8>, ObjectId) {
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init_bare(dir.path()).unwrap();
        let blob = |text: &str| repo.blob(text.as_bytes()).unwrap();
        let tree = |entries: &[(String, git2::Oid, i32)]| {
            let mut builder = repo.treebuilder(None).unwrap();
            for (name, id, mode) in entries {
                builder.insert(name, *id, *mode).unwrap();
            }
            builder.write().unwrap()
        };
        let cases: Vec<(String, git2::Oid, i32)> = (0..40)
            .map(|i| {
                let files: Vec<(String, git2::Oid, i32)> = (0..30)
                    .map(|j| {
                        (
                            format!("case-{j:03}.json"),
                            blob(&format!("{i}-{j}")),
                            0o100644,
                        )
                    })
                    .collect();
                (format!("scenario-{i:02}"), tree(&files), 0o040000)
            })
            .collect();
        let submodule = git2::Oid::from_str(&"5".repeat(40)).unwrap();
        let root = tree(&[
            ("README.md".into(), blob("# readme"), 0o100644),
            ("gradlew".into(), blob("#!/bin/sh"), 0o100755),
            ("docs".into(), blob("README.md"), 0o120000),
            ("vendor".into(), submodule, 0o160000),
            ("test-artifacts".into(), tree(&cases), 0o040000),
        ]);
        let signature = git2::Signature::now("lee", "lee@example.com").unwrap();
        let root_tree = repo.find_tree(root).unwrap();
        let commit = repo
            .commit(None, &signature, &signature, "one", &root_tree, &[])
            .unwrap();
        let mut builder = repo.packbuilder().unwrap();
        builder.insert_object(commit, None).unwrap();
        let mut open = vec![root];
        while let Some(id) = open.pop() {
            builder.insert_object(id, None).unwrap();
            let tree = repo.find_tree(id).unwrap();
            let children = tree
                .iter()
                .filter(|e| e.kind() == Some(git2::ObjectType::Tree));
            open.extend(children.map(|e| e.id()));
        }
        let mut pack = git2::Buf::new();
        builder.write_buf(&mut pack).unwrap();
        (pack.to_vec(), oid(commit))
    }

    #[test]
    fn a_fetched_pack_gives_every_folder_with_the_exact_modes() {
        let (pack, commit) = packed();
        let objects = read_pack(&pack).unwrap();
        let snapshot = TreeSnapshot::of(commit, objects).unwrap();
        let paths = ["README.md", "gradlew", "docs", "vendor"].map(str::to_owned);
        let modes = snapshot.modes(&paths);
        assert_eq!(
            modes.values().copied().collect::<Vec<_>>(),
            [
                FileMode::Regular,
                FileMode::Symlink,
                FileMode::Executable,
                FileMode::Submodule
            ]
        );
        let files = snapshot.files_under("test-artifacts");
        assert_eq!(files.len(), 40 * 30);
        assert!(files.contains_key("test-artifacts/scenario-07/case-012.json"));
        let folders = BTreeSet::from(["test-artifacts/scenario-07".to_owned(), "nowhere".into()]);
        let listings = snapshot.listings(&folders);
        assert_eq!(
            listings["test-artifacts/scenario-07"]
                .as_ref()
                .unwrap()
                .len(),
            30
        );
        assert_eq!(listings["nowhere"], None);
    }

    #[test]
    fn a_pack_without_the_commits_trees_is_refused() {
        let (pack, commit) = packed();
        let mut objects = read_pack(&pack).unwrap();
        objects.retain(|o| o.kind() == ObjectKind::Commit);
        assert!(matches!(
            TreeSnapshot::of(commit, objects),
            Err(SnapshotError::Missing(_))
        ));
    }
}
