//! Commits: seeding a repository, reading commits and history, and committing changes.

use std::collections::{BTreeMap, HashMap};

use git2::{ObjectType, Oid, Repository, Signature, Sort, Time};

use super::handle::Repo;
use super::info::{info, CommitInfo};
use super::paths::clean_path;
use super::pool::Store;
use super::trees::{blob_at, FileMode};
use crate::config::Repository as RepoConfig;

/// Fixed time of seed commits (2026-01-05T09:00:00Z) so seeds have the same hashes after a reset.
const SEED_TIME: i64 = 1_767_603_600;

/// Which tip a commit expects its branch to have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// No check: commit on the current tip (or create the branch from `start` when absent).
    Any,
    /// The branch must currently point at this commit.
    Tip(Oid),
    /// The branch must not exist yet.
    Absent,
    /// The branch must exist and hold `object` at `path` (`None`: no file there): Data Center's check of an
    /// edit's `sourceCommitId`, which concerns the file, not the branch's tip.
    File {
        /// The file's path.
        path: String,
        /// The object expected there.
        object: Option<Oid>,
    },
}

/// A commit to make.
#[derive(Debug, Clone)]
pub struct CommitPlan {
    /// Target branch (short name).
    pub branch: String,
    /// Expected state of the branch.
    pub expect: Expect,
    /// Parent when the branch does not exist yet.
    pub start: Option<Oid>,
    /// Files to write (`Some`) or delete (`None`), by path.
    pub changes: Vec<(String, Option<Vec<u8>>)>,
    /// The written paths that are not regular files (Cloud's `x-attributes`: executables and links; a
    /// submodule's content is the hex id of the commit it points at).
    pub modes: BTreeMap<String, FileMode>,
    /// Author name and email.
    pub author: (String, String),
    /// Message.
    pub message: String,
}

/// How a pull request is merged ([`Store::merge`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeStrategy {
    /// A merge commit, even when a fast-forward would do.
    MergeCommit,
    /// One commit holding the merged tree, with the branch's tip as its only parent.
    Squash,
    /// Only a fast-forward.
    FastForward,
}

/// The parameters of [`Store::merge`].
#[derive(Debug, Clone, Copy)]
pub struct MergeHow<'a> {
    /// The strategy.
    pub strategy: MergeStrategy,
    /// The message of a merge or squashed commit.
    pub message: &'a str,
    /// Its author: name and email.
    pub author: (&'a str, &'a str),
}

/// Why [`Store::merge`] did not merge.
#[derive(Debug)]
pub enum MergeError {
    /// The branch moved since it was read.
    Moved,
    /// The changes conflict.
    Conflicts,
    /// The strategy demands a fast-forward and the branch has moved on.
    NotFastForward,
    /// git failed.
    Git(git2::Error),
}

impl From<git2::Error> for MergeError {
    fn from(e: git2::Error) -> Self {
        MergeError::Git(e)
    }
}

/// Why a commit was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommitError {
    /// The branch tip is not the expected one (optimistic concurrency).
    Stale {
        /// The current tip, if any.
        current: Option<String>,
    },
    /// No parent to start from.
    NoStart,
    /// A path is invalid (empty, `..`, or under a file).
    BadPath(String),
    /// Any git failure.
    Git(String),
}

impl From<git2::Error> for CommitError {
    fn from(e: git2::Error) -> Self {
        CommitError::Git(e.message().to_string())
    }
}

/// Reads through a handle to the repository.
impl Repo<'_> {
    /// A commit by id.
    pub fn commit(&self, oid: Oid) -> Option<CommitInfo> {
        let repo: &Repository = self;
        let commit = repo.find_commit(oid).ok()?;
        Some(info(&commit))
    }

    /// History from `from` (newest first), optionally only commits that change `path`.
    pub fn log(&self, from: Oid, path: Option<&str>) -> Result<Vec<CommitInfo>, git2::Error> {
        let repo: &Repository = self;
        let mut walk = repo.revwalk()?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)?;
        walk.push(from)?;
        let path = path.map(|p| p.trim_matches('/')).filter(|p| !p.is_empty());
        let mut out = Vec::new();
        for oid in walk {
            let commit = repo.find_commit(oid?)?;
            if let Some(path) = path {
                let mine = blob_at(&commit.tree()?, path);
                let changed = if commit.parent_count() == 0 {
                    mine.is_some()
                } else {
                    commit
                        .parents()
                        .any(|p| p.tree().map(|t| blob_at(&t, path) != mine).unwrap_or(true))
                };
                if !changed {
                    continue;
                }
            }
            out.push(info(&commit));
        }
        Ok(out)
    }
}

impl Store {
    /// (Re)creates a repository from its seed: one commit on the main branch, extra branches on it.
    /// Only keys whose components are plain names (no `..`, no leading `.`) are accepted, so that
    /// nothing outside the data directory is ever removed.
    pub fn seed(&self, key: &str, config: &RepoConfig) -> Result<(), git2::Error> {
        let lock = self.lock(key);
        let _guard = lock.lock().unwrap_or_else(|e| e.into_inner());
        let safe = key.split('/').all(|c| {
            !c.is_empty() && !c.starts_with('.') && !c.contains(['\\', ':']) && !c.contains('\0')
        });
        if !safe {
            return Err(git2::Error::from_str(&format!(
                "refusing repository key {key:?}: it must stay inside the data directory"
            )));
        }
        let path = self.path(key);
        self.forget(key);
        if path.exists() {
            std::fs::remove_dir_all(&path).map_err(|e| git2::Error::from_str(&e.to_string()))?;
        }
        let repo = Repository::init_bare(&path)?;
        repo.set_head(&format!("refs/heads/{}", config.main_branch))?;
        if config.seed.is_empty() {
            return Ok(());
        }
        let changes = config
            .seed
            .iter()
            .map(|(p, c)| (p.clone(), Some(c.as_bytes().to_vec())))
            .collect::<Vec<_>>();
        let tree = build_tree(&repo, None, &changes, &BTreeMap::new())
            .map_err(|e| git2::Error::from_str(&format!("{e:?}")))?;
        let tree = repo.find_tree(tree)?;
        let sig = Signature::new(
            "Bitbucket Sandbox",
            "sandbox@example.com",
            &Time::new(SEED_TIME, 0),
        )?;
        let oid = repo.commit(None, &sig, &sig, "Initial commit", &tree, &[])?;
        repo.reference(
            &format!("refs/heads/{}", config.main_branch),
            oid,
            true,
            "seed",
        )?;
        for branch in &config.branches {
            repo.reference(&format!("refs/heads/{branch}"), oid, true, "seed")?;
        }
        Ok(())
    }

    /// Makes one commit atomically with respect to other commits on the same repository.
    pub fn apply(&self, key: &str, plan: &CommitPlan) -> Result<CommitInfo, CommitError> {
        let lock = self.lock(key);
        let _guard = lock.lock().unwrap_or_else(|e| e.into_inner());
        let handle = self.repo(key)?;
        let repo: &Repository = &handle;
        let refname = format!("refs/heads/{}", plan.branch);
        let current = repo.find_reference(&refname).ok().and_then(|r| r.target());
        let ok = match &plan.expect {
            Expect::Any => true,
            Expect::Tip(oid) => current == Some(*oid),
            Expect::Absent => current.is_none(),
            Expect::File { path, object } => current.is_some_and(|tip| {
                let tree = repo.find_commit(tip).and_then(|c| c.tree());
                tree.is_ok_and(|tree| blob_at(&tree, path) == *object)
            }),
        };
        if !ok {
            return Err(CommitError::Stale {
                current: current.map(|o| o.to_string()),
            });
        }
        let parent = match current.or(plan.start) {
            Some(oid) => Some(repo.find_commit(oid)?),
            None if repo.is_empty()? => None,
            None => return Err(CommitError::NoStart),
        };
        let base = parent.as_ref().map(|p| p.tree()).transpose()?;
        let tree = build_tree(repo, base.as_ref(), &plan.changes, &plan.modes)?;
        let tree = repo.find_tree(tree)?;
        let now = Time::new(crate::time::now_secs(), 0);
        let author = Signature::new(&plan.author.0, &plan.author.1, &now)?;
        let parents: Vec<_> = parent.iter().collect();
        let oid = repo.commit(None, &author, &author, &plan.message, &tree, &parents)?;
        repo.reference_matching(
            &refname,
            oid,
            current.is_some(),
            current.unwrap_or_else(Oid::zero),
            "sandbox commit",
        )?;
        let commit = repo.find_commit(oid)?;
        Ok(info(&commit))
    }

    /// Merges commit `from` into the branch `into` as Bitbucket merges a pull request: a merge commit
    /// by `author` (always, as `--no-ff`), one squashed commit, or a fast-forward (refused when `into`
    /// has moved on). The branch must still point at `expected`.
    pub fn merge(
        &self,
        key: &str,
        into: &str,
        expected: Oid,
        from: Oid,
        how: &MergeHow<'_>,
    ) -> Result<CommitInfo, MergeError> {
        let lock = self.lock(key);
        let _guard = lock.lock().unwrap_or_else(|e| e.into_inner());
        let handle = self.repo(key)?;
        let repo: &Repository = &handle;
        let refname = format!("refs/heads/{into}");
        if repo.refname_to_id(&refname)? != expected {
            return Err(MergeError::Moved);
        }
        let base = repo.merge_base(expected, from)?;
        let oid = if how.strategy == MergeStrategy::FastForward {
            if base != expected {
                return Err(MergeError::NotFastForward);
            }
            from
        } else {
            let ours = repo.find_commit(expected)?;
            let theirs = repo.find_commit(from)?;
            let mut index = repo.merge_commits(&ours, &theirs, None)?;
            if index.has_conflicts() {
                return Err(MergeError::Conflicts);
            }
            let tree = repo.find_tree(index.write_tree_to(repo)?)?;
            let now = Time::new(crate::time::now_secs(), 0);
            let author = Signature::new(how.author.0, how.author.1, &now)?;
            let parents = match how.strategy {
                MergeStrategy::Squash => vec![&ours],
                _ => vec![&ours, &theirs],
            };
            repo.commit(None, &author, &author, how.message, &tree, &parents)?
        };
        repo.reference_matching(&refname, oid, true, expected, "sandbox merge")?;
        let merged = info(&repo.find_commit(oid)?);
        Ok(merged)
    }
}

/// A tree under construction: files by name and sub-directories.
#[derive(Default)]
struct Node {
    files: HashMap<String, Option<(Oid, i32)>>,
    dirs: HashMap<String, Node>,
}

fn build_tree(
    repo: &Repository,
    base: Option<&git2::Tree<'_>>,
    changes: &[(String, Option<Vec<u8>>)],
    modes: &BTreeMap<String, FileMode>,
) -> Result<Oid, CommitError> {
    let mut root = Node::default();
    for (path, content) in changes {
        let clean = clean_path(path).ok_or_else(|| CommitError::BadPath(path.clone()))?;
        let mut parts: Vec<&str> = clean.split('/').collect();
        let name = parts.pop().unwrap_or_default().to_string();
        let mut node = &mut root;
        for part in parts {
            node = node.dirs.entry(part.to_string()).or_default();
        }
        let mode = modes.get(path).copied().unwrap_or_default();
        let value = match content {
            Some(data) if mode == FileMode::Submodule => {
                let commit = std::str::from_utf8(data)
                    .ok()
                    .and_then(|hex| Oid::from_str(hex.trim()).ok())
                    .ok_or_else(|| CommitError::BadPath(path.clone()))?;
                Some((commit, mode.git()))
            }
            Some(data) => Some((repo.blob(data)?, mode.git())),
            None => None,
        };
        node.files.insert(name, value);
    }
    write_node(repo, base, &root)
}

fn write_node(
    repo: &Repository,
    base: Option<&git2::Tree<'_>>,
    node: &Node,
) -> Result<Oid, CommitError> {
    let mut builder = repo.treebuilder(base)?;
    for (name, sub) in &node.dirs {
        let existing = base
            .and_then(|t| t.get_name(name))
            .map(|e| (e.id(), e.kind()));
        let sub_base = match existing {
            Some((id, Some(ObjectType::Tree))) => Some(repo.find_tree(id)?),
            Some(_) => return Err(CommitError::BadPath(name.clone())),
            None => None,
        };
        let oid = write_node(repo, sub_base.as_ref(), sub)?;
        if repo.find_tree(oid)?.is_empty() {
            if builder.get(name)?.is_some() {
                builder.remove(name)?;
            }
        } else {
            builder.insert(name, oid, 0o040000)?;
        }
    }
    for (name, value) in &node.files {
        match value {
            Some((oid, mode)) => {
                if node.dirs.contains_key(name) {
                    return Err(CommitError::BadPath(name.clone()));
                }
                if let Some(existing) = builder.get(name)? {
                    if existing.kind() == Some(ObjectType::Tree) {
                        return Err(CommitError::BadPath(name.clone()));
                    }
                }
                builder.insert(name, *oid, *mode)?;
            }
            None => {
                if builder.get(name)?.is_some() {
                    builder.remove(name)?;
                }
            }
        }
    }
    Ok(builder.write()?)
}
