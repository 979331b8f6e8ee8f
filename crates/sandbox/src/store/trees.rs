//! Reading trees: what a path is at a commit, the files and blobs under a folder.

use std::path::Path;

use git2::{ObjectType, Oid, Repository, TreeWalkMode, TreeWalkResult};

use super::handle::Repo;

/// What kind of file a tree entry is, from its git mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FileMode {
    /// A regular file.
    #[default]
    Regular,
    /// An executable file.
    Executable,
    /// A symbolic link (its blob holds the target).
    Link,
    /// A submodule (a commit of another repository).
    Submodule,
}

impl FileMode {
    /// The kind of a git tree entry mode.
    pub fn of(mode: i32) -> FileMode {
        match mode {
            0o100755 => FileMode::Executable,
            0o120000 => FileMode::Link,
            0o160000 => FileMode::Submodule,
            _ => FileMode::Regular,
        }
    }

    /// The git tree entry mode.
    pub(super) fn git(self) -> i32 {
        match self {
            FileMode::Regular => 0o100644,
            FileMode::Executable => 0o100755,
            FileMode::Link => 0o120000,
            FileMode::Submodule => 0o160000,
        }
    }
}

/// What a path points at in a tree.
#[derive(Debug, Clone)]
pub enum Entry {
    /// A file with its bytes.
    File {
        /// Content (a link's target, for a link).
        data: Vec<u8>,
        /// Regular, executable, a link or a submodule.
        mode: FileMode,
        /// The blob's id.
        id: Oid,
    },
    /// A directory with its direct children.
    Dir(Vec<Child>),
}

/// A direct child of a directory.
#[derive(Debug, Clone)]
pub struct Child {
    /// Path from the repository root.
    pub path: String,
    /// True for directories.
    pub is_dir: bool,
    /// Size in bytes (files).
    pub size: u64,
    /// Regular, executable, a link or a submodule (files).
    pub mode: FileMode,
    /// Object id.
    pub id: String,
}

/// Reads through a handle to the repository.
impl Repo<'_> {
    /// What `path` ("" = root) is at commit `oid`.
    pub fn entry(&self, oid: Oid, path: &str) -> Option<Entry> {
        let repo: &Repository = self;
        let tree = repo.find_commit(oid).ok()?.tree().ok()?;
        let path = path.trim_matches('/');
        let (object, mode) = if path.is_empty() {
            (tree.as_object().clone(), 0o040000)
        } else {
            let entry = tree.get_path(Path::new(path)).ok()?;
            (entry.to_object(repo).ok()?, entry.filemode())
        };
        match object.kind() {
            Some(ObjectType::Blob) => Some(Entry::File {
                data: object.as_blob()?.content().to_vec(),
                mode: FileMode::of(mode),
                id: object.id(),
            }),
            Some(ObjectType::Tree) => {
                let sub = object.as_tree()?;
                let mut children = Vec::new();
                for e in sub.iter() {
                    let name = e.name()?.to_string();
                    let full = if path.is_empty() {
                        name
                    } else {
                        format!("{path}/{name}")
                    };
                    let is_dir = e.kind() == Some(ObjectType::Tree);
                    let size = if is_dir {
                        0
                    } else {
                        repo.find_blob(e.id()).map(|b| b.size() as u64).unwrap_or(0)
                    };
                    children.push(Child {
                        path: full,
                        is_dir,
                        size,
                        mode: FileMode::of(e.filemode()),
                        id: e.id().to_string(),
                    });
                }
                Some(Entry::Dir(children))
            }
            _ => None,
        }
    }

    /// Every file under directory `path` at `oid`, relative to `path`, sorted.
    pub fn files(&self, oid: Oid, path: &str) -> Option<Vec<String>> {
        let repo: &Repository = self;
        let tree = subtree(repo, oid, path)?;
        let mut out = Vec::new();
        tree.walk(TreeWalkMode::PreOrder, |dir, e| {
            if e.kind() == Some(ObjectType::Blob) {
                if let Some(name) = e.name() {
                    out.push(format!("{dir}{name}"));
                }
            }
            TreeWalkResult::Ok
        })
        .ok()?;
        out.sort();
        Some(out)
    }

    /// Every blob under directory `path` at `oid` (none: the root), or the file `path`, by its path
    /// from the repository root, with its mode and bytes, sorted by path; `None` when `path` is
    /// neither a directory nor a file there.
    pub fn blobs(&self, oid: Oid, path: &str) -> Option<Vec<(String, FileMode, Vec<u8>)>> {
        let repo: &Repository = self;
        let file = path.trim_matches('/');
        let root = repo.find_commit(oid).ok()?.tree().ok()?;
        if let Some(entry) = root
            .get_path(Path::new(file))
            .ok()
            .filter(|_| !file.is_empty())
        {
            if entry.kind() == Some(ObjectType::Blob) {
                let blob = repo.find_blob(entry.id()).ok()?;
                let mode = FileMode::of(entry.filemode());
                return Some(vec![(file.to_owned(), mode, blob.content().to_vec())]);
            }
        }
        let tree = subtree(repo, oid, path)?;
        let prefix = match path.trim_matches('/') {
            "" => String::new(),
            path => format!("{path}/"),
        };
        let mut out = Vec::new();
        tree.walk(TreeWalkMode::PreOrder, |dir, e| {
            if e.kind() == Some(ObjectType::Blob) {
                if let (Some(name), Ok(blob)) = (e.name(), repo.find_blob(e.id())) {
                    let mode = FileMode::of(e.filemode());
                    out.push((
                        format!("{prefix}{dir}{name}"),
                        mode,
                        blob.content().to_vec(),
                    ));
                }
            }
            TreeWalkResult::Ok
        })
        .ok()?;
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Some(out)
    }

    /// The object id of the file or tree at `path` in commit `oid`.
    pub fn object_at(&self, oid: Oid, path: &str) -> Option<Oid> {
        let repo: &Repository = self;
        let tree = repo.find_commit(oid).ok()?.tree().ok()?;
        blob_at(&tree, path.trim_matches('/'))
    }
}

/// The tree of directory `path` (none: the root) at commit `oid`; `None` when it is not a directory there.
fn subtree<'r>(repo: &'r Repository, oid: Oid, path: &str) -> Option<git2::Tree<'r>> {
    let tree = repo.find_commit(oid).ok()?.tree().ok()?;
    match path.trim_matches('/') {
        "" => Some(tree),
        path => {
            let entry = tree.get_path(Path::new(path)).ok()?;
            entry.to_object(repo).ok()?.into_tree().ok()
        }
    }
}

pub(super) fn blob_at(tree: &git2::Tree<'_>, path: &str) -> Option<Oid> {
    tree.get_path(Path::new(path)).ok().map(|e| e.id())
}
