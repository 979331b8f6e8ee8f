//! Opened repositories: a handle to one, and the idle handles kept for the next request, since opening a
//! repository reads its configuration and references again, a cost every request would pay.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

use git2::Repository;

/// The idle handles of every repository, by key.
#[derive(Default)]
pub(super) struct IdleRepos(Mutex<HashMap<String, Idle>>);

/// The idle handles of one repository, and how many times its directory was replaced.
#[derive(Default)]
struct Idle {
    generation: u64,
    repos: Vec<Repository>,
}

impl IdleRepos {
    /// A handle to the repository of `key` at `path`: an idle one when there is one, else newly opened.
    pub(super) fn open(&self, key: &str, path: &Path) -> Result<Repo<'_>, git2::Error> {
        let (generation, reused) = {
            let mut idle = self.0.lock().unwrap_or_else(|e| e.into_inner());
            let idle = idle.entry(key.to_owned()).or_default();
            (idle.generation, idle.repos.pop())
        };
        let repo = match reused {
            Some(repo) => repo,
            None => Repository::open_bare(path)?,
        };
        Ok(Repo {
            idle: self,
            key: key.to_owned(),
            generation,
            repo: Some(repo),
        })
    }

    /// Forgets the idle handles of `key` (its directory is about to be replaced).
    pub(super) fn forget(&self, key: &str) {
        let mut idle = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let idle = idle.entry(key.to_owned()).or_default();
        idle.generation += 1;
        idle.repos.clear();
    }
}

/// A handle to an opened repository: what the sandbox reads from it (branches, tags, trees, commits,
/// diffs) are its methods; it goes back among the idle handles of its key when dropped.
pub struct Repo<'a> {
    idle: &'a IdleRepos,
    key: String,
    generation: u64,
    repo: Option<Repository>,
}

impl std::ops::Deref for Repo<'_> {
    type Target = Repository;

    fn deref(&self) -> &Repository {
        self.repo.as_ref().expect("present until dropped")
    }
}

impl Drop for Repo<'_> {
    fn drop(&mut self) {
        if let Some(repo) = self.repo.take() {
            let mut idle = self.idle.0.lock().unwrap_or_else(|e| e.into_inner());
            let idle = idle.entry(std::mem::take(&mut self.key)).or_default();
            // A handle opened before the directory was replaced is dropped, not reused.
            if idle.generation == self.generation {
                idle.repos.push(repo);
            }
        }
    }
}
