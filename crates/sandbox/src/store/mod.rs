//! Bare git repositories on disk: a pool of opened repositories (this module) and, by concern, what the
//! sandbox does with them: references ([`refs`]: branches and tags), trees ([`trees`]: files and folders),
//! commits ([`commits`]: seeding, history, committing), diffs ([`diffs`]) and the checks of the names it
//! takes ([`paths`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use git2::Repository;

mod commits;
mod diffs;
pub mod paths;
mod refs;
mod trees;

pub use commits::{CommitError, CommitPlan, Expect, MergeError, MergeHow, MergeStrategy};
pub use diffs::{ChangeKind, FileChange, PatchOptions};
pub use paths::{clean_path, valid_ref_name};
pub use refs::{Annotation, BranchInfo, NewAnnotation, RefDeletion, TagInfo};
pub use trees::{Child, Entry, FileMode};

/// A commit as the APIs describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitInfo {
    /// Full hash.
    pub hash: String,
    /// Parent hashes.
    pub parents: Vec<String>,
    /// Author name.
    pub author_name: String,
    /// Author email.
    pub author_email: String,
    /// Author time, epoch seconds.
    pub author_time: i64,
    /// Author UTC offset in minutes.
    pub author_offset: i32,
    /// Committer name.
    pub committer_name: String,
    /// Committer email.
    pub committer_email: String,
    /// Committer time, epoch seconds.
    pub committer_time: i64,
    /// Full message.
    pub message: String,
}

/// All repositories of the sandbox, each under its own lock.
pub struct Store {
    root: PathBuf,
    locks: Mutex<HashMap<String, Arc<Mutex<()>>>>,
    /// Opened repositories not in use, by key: opening one reads its configuration and references
    /// again, a cost every request would pay.
    idle: Mutex<HashMap<String, Idle>>,
}

/// The idle handles of one repository, and how many times its directory was replaced.
#[derive(Default)]
struct Idle {
    generation: u64,
    repos: Vec<Repository>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("root", &self.root).finish()
    }
}

/// An opened repository, back among the idle ones of its key when dropped.
struct Opened<'a> {
    store: &'a Store,
    key: String,
    generation: u64,
    repo: Option<Repository>,
}

impl std::ops::Deref for Opened<'_> {
    type Target = Repository;

    fn deref(&self) -> &Repository {
        self.repo.as_ref().expect("present until dropped")
    }
}

impl Drop for Opened<'_> {
    fn drop(&mut self) {
        if let Some(repo) = self.repo.take() {
            let mut idle = self.store.idle.lock().unwrap_or_else(|e| e.into_inner());
            let idle = idle.entry(std::mem::take(&mut self.key)).or_default();
            // A handle opened before the directory was replaced is dropped, not reused.
            if idle.generation == self.generation {
                idle.repos.push(repo);
            }
        }
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
            idle: Mutex::new(HashMap::new()),
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

    fn lock(&self, key: &str) -> Arc<Mutex<()>> {
        let mut locks = self.locks.lock().unwrap_or_else(|e| e.into_inner());
        locks.entry(key.to_string()).or_default().clone()
    }

    fn open(&self, key: &str) -> Result<Opened<'_>, git2::Error> {
        let (generation, reused) = {
            let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
            let idle = idle.entry(key.to_owned()).or_default();
            (idle.generation, idle.repos.pop())
        };
        let repo = match reused {
            Some(repo) => repo,
            None => Repository::open_bare(self.path(key))?,
        };
        Ok(Opened {
            store: self,
            key: key.to_owned(),
            generation,
            repo: Some(repo),
        })
    }

    /// Forgets the opened handles of `key` (its directory is about to be replaced).
    fn forget(&self, key: &str) {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        let idle = idle.entry(key.to_owned()).or_default();
        idle.generation += 1;
        idle.repos.clear();
    }
}

fn info(commit: &git2::Commit<'_>) -> CommitInfo {
    let author = commit.author();
    let committer = commit.committer();
    CommitInfo {
        hash: commit.id().to_string(),
        parents: commit.parent_ids().map(|p| p.to_string()).collect(),
        author_name: author.name().unwrap_or_default().to_string(),
        author_email: author.email().unwrap_or_default().to_string(),
        author_time: author.when().seconds(),
        author_offset: author.when().offset_minutes(),
        committer_name: committer.name().unwrap_or_default().to_string(),
        committer_email: committer.email().unwrap_or_default().to_string(),
        committer_time: committer.when().seconds(),
        message: commit.message().unwrap_or_default().to_string(),
    }
}
