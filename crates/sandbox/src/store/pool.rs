//! The store: where the bare repositories are, a lock per repository, and the handles opened to them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::handle::{IdleRepos, Repo};

/// All repositories of the sandbox, each under its own lock.
pub struct Store {
    root: PathBuf,
    locks: Mutex<HashMap<String, Arc<Mutex<()>>>>,
    /// Opened repositories not in use.
    idle: IdleRepos,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("root", &self.root).finish()
    }
}

impl Store {
    /// A store rooted at `root` (created if needed).
    pub fn new(root: &Path) -> std::io::Result<Store> {
        std::fs::create_dir_all(root)?;
        // The store writes only objects it has just created or read: skip libgit2's re-checks that every
        // object a tree or commit names exists (a stat per entry) and the hash check on each read.
        git2::opts::strict_object_creation(false);
        git2::opts::strict_hash_verification(false);
        Ok(Store {
            root: root.to_path_buf(),
            locks: Mutex::new(HashMap::new()),
            idle: IdleRepos::default(),
        })
    }

    /// The directory holding every bare repository.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The path of a bare repository; `key` is `cloud/ws/slug` or `dc/KEY/slug`.
    pub fn path(&self, key: &str) -> PathBuf {
        self.root.join(format!("{key}.git"))
    }

    /// The lock of the repository of `key`, held while it is written.
    pub(super) fn lock(&self, key: &str) -> Arc<Mutex<()>> {
        let mut locks = self.locks.lock().unwrap_or_else(|e| e.into_inner());
        locks.entry(key.to_string()).or_default().clone()
    }

    /// A handle to the repository of `key`, to read from it.
    pub fn repo(&self, key: &str) -> Result<Repo<'_>, git2::Error> {
        self.idle.open(key, &self.path(key))
    }

    /// Forgets the opened handles of `key` (its directory is about to be replaced).
    pub(super) fn forget(&self, key: &str) {
        self.idle.forget(key);
    }
}
