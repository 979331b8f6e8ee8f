//! Bare git repositories on disk: seeding, reading trees and history, and committing.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use git2::{
    ErrorCode, ObjectType, Oid, Repository, Signature, Sort, Time, TreeWalkMode, TreeWalkResult,
};

use crate::config::Repository as RepoConfig;

/// Fixed time of seed commits (2026-01-05T09:00:00Z) so seeds have the same hashes after a reset.
const SEED_TIME: i64 = 1_767_603_600;

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

/// A branch and its tip.
#[derive(Debug, Clone)]
pub struct BranchInfo {
    /// Short name (`main`).
    pub name: String,
    /// Tip commit.
    pub tip: CommitInfo,
}

/// A tag and the commit it points at.
#[derive(Debug, Clone)]
pub struct TagInfo {
    /// Short name (`v1.0`).
    pub name: String,
    /// The commit the tag points at (peeled).
    pub tip: CommitInfo,
    /// The annotation of an annotated tag; `None` for a lightweight tag.
    pub annotation: Option<Annotation>,
}

/// The tag object of an annotated tag.
#[derive(Debug, Clone)]
pub struct Annotation {
    /// Id of the tag object.
    pub id: String,
    /// Tag message.
    pub message: String,
    /// Tagger name.
    pub tagger_name: String,
    /// Tagger email.
    pub tagger_email: String,
    /// Tag time, epoch seconds.
    pub tagger_time: i64,
    /// Tagger UTC offset in minutes.
    pub tagger_offset: i32,
}

/// How a file changed between two commits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// New file.
    Added,
    /// Deleted file.
    Removed,
    /// Changed content (or mode).
    Modified,
    /// Moved, possibly with changes.
    Renamed,
    /// Copied from another file.
    Copied,
}

/// How [`Store::patch`] prints a patch.
#[derive(Debug, Clone, Copy)]
pub struct PatchOptions {
    /// Unchanged lines around each change.
    pub context: u32,
    /// Whether binary files get their "Binary files … differ" line (left out otherwise).
    pub binary: bool,
    /// Whether moves are detected (otherwise a deletion and an addition).
    pub renames: bool,
    /// The time the patch may take to produce, for the files it shows and the bytes it takes.
    pub time_limit: crate::config::TimeLimit,
}

/// One changed file between two commits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    /// How it changed.
    pub kind: ChangeKind,
    /// Path on the old side (`None` for added files).
    pub old_path: Option<String>,
    /// Path on the new side (`None` for removed files).
    pub new_path: Option<String>,
    /// Blob id on the old side, when any.
    pub old_id: Option<String>,
    /// Blob id on the new side, when any.
    pub new_id: Option<String>,
    /// Executable on the new side (the old side for removed files).
    pub executable: bool,
    /// Lines added (0 for binary files).
    pub lines_added: usize,
    /// Lines removed (0 for binary files).
    pub lines_removed: usize,
}

/// The message and tagger (name, email) of an annotated tag to create.
pub type NewAnnotation = (String, (String, String));

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
    fn git(self) -> i32 {
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

    /// Every branch with its tip, sorted by name.
    pub fn branches(&self, key: &str) -> Result<Vec<BranchInfo>, git2::Error> {
        let repo = self.open(key)?;
        let mut out = Vec::new();
        for branch in repo.branches(Some(git2::BranchType::Local))? {
            let (branch, _) = branch?;
            let Some(name) = branch.name()?.map(str::to_string) else {
                continue;
            };
            let commit = branch.get().peel_to_commit()?;
            out.push(BranchInfo {
                name,
                tip: info(&commit),
            });
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// The tip of a branch, if it exists.
    pub fn branch_tip(&self, key: &str, branch: &str) -> Option<Oid> {
        let repo = self.open(key).ok()?;
        let reference = repo.find_reference(&format!("refs/heads/{branch}")).ok()?;
        reference.target()
    }

    /// Every tag with the commit it points at, sorted by name.
    pub fn tags(&self, key: &str) -> Result<Vec<TagInfo>, git2::Error> {
        let repo = self.open(key)?;
        let mut out = Vec::new();
        for name in repo.tag_names(None)?.iter().flatten() {
            if let Some(tag) = tag_in(&repo, name) {
                out.push(tag);
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// One tag, if it exists.
    pub fn tag(&self, key: &str, name: &str) -> Option<TagInfo> {
        let repo = self.open(key).ok()?;
        tag_in(&repo, name)
    }

    /// Creates a tag `name` at commit `target`, annotated when `annotation` is given, lightweight
    /// otherwise; `Ok(None)` if a tag of that name already exists.
    pub fn create_tag(
        &self,
        key: &str,
        name: &str,
        target: Oid,
        annotation: Option<&NewAnnotation>,
    ) -> Result<Option<TagInfo>, git2::Error> {
        let lock = self.lock(key);
        let _guard = lock.lock().unwrap_or_else(|e| e.into_inner());
        let repo = self.open(key)?;
        if repo.find_reference(&format!("refs/tags/{name}")).is_ok() {
            return Ok(None);
        }
        let target = repo.find_commit(target)?.into_object();
        let created = match annotation {
            Some((message, (tagger, email))) => {
                let now = Time::new(crate::time::now_secs(), 0);
                let signature = Signature::new(tagger, email, &now)?;
                repo.tag(name, &target, &signature, message, false)
            }
            None => repo.tag_lightweight(name, &target, false),
        };
        match created {
            Ok(_) => Ok(tag_in(&repo, name)),
            Err(e) if e.code() == ErrorCode::Exists => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The files changed from commit `old` (`None`: the empty tree) to commit `new`, with renames
    /// detected, sorted by path.
    pub fn diff(
        &self,
        key: &str,
        old: Option<Oid>,
        new: Oid,
    ) -> Result<Vec<FileChange>, git2::Error> {
        let repo = self.open(key)?;
        let old_tree = old.map(|o| repo.find_commit(o)?.tree()).transpose()?;
        let new_tree = repo.find_commit(new)?.tree()?;
        let mut diff = repo.diff_tree_to_tree(old_tree.as_ref(), Some(&new_tree), None)?;
        diff.find_similar(Some(git2::DiffFindOptions::new().renames(true)))?;
        let mut out = Vec::new();
        for (i, delta) in diff.deltas().enumerate() {
            let kind = match delta.status() {
                git2::Delta::Added => ChangeKind::Added,
                git2::Delta::Deleted => ChangeKind::Removed,
                git2::Delta::Renamed => ChangeKind::Renamed,
                git2::Delta::Copied => ChangeKind::Copied,
                _ => ChangeKind::Modified,
            };
            let side = |f: git2::DiffFile<'_>, present: bool| {
                let path = f.path().map(|p| p.to_string_lossy().into_owned());
                let id = (!f.id().is_zero()).then(|| f.id().to_string());
                (path.filter(|_| present), id.filter(|_| present), f.mode())
            };
            let (old_path, old_id, old_mode) = side(delta.old_file(), kind != ChangeKind::Added);
            let (new_path, new_id, new_mode) = side(delta.new_file(), kind != ChangeKind::Removed);
            let mode = if kind == ChangeKind::Removed {
                old_mode
            } else {
                new_mode
            };
            let (lines_added, lines_removed) = match git2::Patch::from_diff(&diff, i)? {
                Some(patch) if !delta.flags().is_binary() => {
                    let (_, added, removed) = patch.line_stats()?;
                    (added, removed)
                }
                _ => (0, 0),
            };
            out.push(FileChange {
                kind,
                old_path,
                new_path,
                old_id,
                new_id,
                executable: mode == git2::FileMode::BlobExecutable,
                lines_added,
                lines_removed,
            });
        }
        let key = |c: &FileChange| c.new_path.clone().or_else(|| c.old_path.clone());
        out.sort_by_key(key);
        Ok(out)
    }

    /// The patch from commit `old` (`None`: the empty tree) to commit `new`, as `git diff` prints it:
    /// limited to `paths` (files or folders; none: everything), with `context` lines around each change,
    /// binary files as a "Binary files … differ" line or left out, renames detected or not. `None` when
    /// producing the patch would take longer than the time limit of `options`.
    pub fn patch(
        &self,
        key: &str,
        (old, new): (Option<Oid>, Oid),
        paths: &[String],
        options: PatchOptions,
    ) -> Result<Option<Vec<u8>>, git2::Error> {
        let repo = self.open(key)?;
        let old_tree = old.map(|o| repo.find_commit(o)?.tree()).transpose()?;
        let new_tree = repo.find_commit(new)?.tree()?;
        let mut diff_options = git2::DiffOptions::new();
        diff_options.context_lines(options.context);
        for path in paths {
            diff_options.pathspec(path);
        }
        let mut diff =
            repo.diff_tree_to_tree(old_tree.as_ref(), Some(&new_tree), Some(&mut diff_options))?;
        if options.renames {
            diff.find_similar(Some(git2::DiffFindOptions::new().renames(true)))?;
        }
        let files = diff.deltas().len();
        if !options.time_limit.allows(files, 0) {
            return Ok(None);
        }
        let mut out = Vec::new();
        let mut too_large = false;
        diff.print(git2::DiffFormat::Patch, |delta, _, line| {
            if !options.binary && delta.flags().is_binary() {
                return true;
            }
            if matches!(line.origin(), '+' | '-' | ' ') {
                out.push(line.origin() as u8);
            }
            out.extend_from_slice(line.content());
            too_large = !options.time_limit.allows(files, out.len());
            !too_large
        })
        .or_else(|e| match too_large {
            true => Ok(()),
            false => Err(e),
        })?;
        Ok((!too_large).then_some(out))
    }

    /// The best common ancestor of two commits, if any.
    pub fn merge_base(&self, key: &str, a: Oid, b: Oid) -> Option<Oid> {
        self.open(key).ok()?.merge_base(a, b).ok()
    }

    /// Resolves a branch or tag name (short, `refs/heads/…` or `refs/tags/…`; branches first) or an
    /// (abbreviated) commit hash to a commit.
    pub fn resolve(&self, key: &str, rev: &str) -> Option<Oid> {
        let repo = self.open(key).ok()?;
        resolve_in(&repo, rev)
    }

    /// A commit by id.
    pub fn commit(&self, key: &str, oid: Oid) -> Option<CommitInfo> {
        let repo = self.open(key).ok()?;
        let commit = repo.find_commit(oid).ok()?;
        Some(info(&commit))
    }

    /// What `path` ("" = root) is at commit `oid`.
    pub fn entry(&self, key: &str, oid: Oid, path: &str) -> Option<Entry> {
        let repo = self.open(key).ok()?;
        let tree = repo.find_commit(oid).ok()?.tree().ok()?;
        let path = path.trim_matches('/');
        let (object, mode) = if path.is_empty() {
            (tree.as_object().clone(), 0o040000)
        } else {
            let entry = tree.get_path(Path::new(path)).ok()?;
            (entry.to_object(&repo).ok()?, entry.filemode())
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
    pub fn files(&self, key: &str, oid: Oid, path: &str) -> Option<Vec<String>> {
        let repo = self.open(key).ok()?;
        let tree = subtree(&repo, oid, path)?;
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
    pub fn blobs(
        &self,
        key: &str,
        oid: Oid,
        path: &str,
    ) -> Option<Vec<(String, FileMode, Vec<u8>)>> {
        let repo = self.open(key).ok()?;
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
        let tree = subtree(&repo, oid, path)?;
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

    /// History from `from` (newest first), optionally only commits that change `path`.
    pub fn log(
        &self,
        key: &str,
        from: Oid,
        path: Option<&str>,
    ) -> Result<Vec<CommitInfo>, git2::Error> {
        let repo = self.open(key)?;
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

    /// The object id of the file or tree at `path` in commit `oid`.
    pub fn object_at(&self, key: &str, oid: Oid, path: &str) -> Option<Oid> {
        let repo = self.open(key).ok()?;
        let tree = repo.find_commit(oid).ok()?.tree().ok()?;
        blob_at(&tree, path.trim_matches('/'))
    }

    /// Makes one commit atomically with respect to other commits on the same repository.
    pub fn apply(&self, key: &str, plan: &CommitPlan) -> Result<CommitInfo, CommitError> {
        let lock = self.lock(key);
        let _guard = lock.lock().unwrap_or_else(|e| e.into_inner());
        let repo = self.open(key)?;
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
        let tree = build_tree(&repo, base.as_ref(), &plan.changes, &plan.modes)?;
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

    /// Creates a branch at `target`; false if it already exists.
    pub fn create_branch(&self, key: &str, name: &str, target: Oid) -> Result<bool, git2::Error> {
        let lock = self.lock(key);
        let _guard = lock.lock().unwrap_or_else(|e| e.into_inner());
        let repo = self.open(key)?;
        let commit = repo.find_commit(target)?;
        let created = match repo.branch(name, &commit, false) {
            Ok(_) => Ok(true),
            Err(e) if e.code() == ErrorCode::Exists => Ok(false),
            Err(e) => Err(e),
        };
        created
    }

    /// Deletes the reference `full_name` (`refs/heads/…` or `refs/tags/…`), provided it points at
    /// `expected` when that is given (the commit it peels to).
    pub fn delete_ref(
        &self,
        key: &str,
        full_name: &str,
        expected: Option<Oid>,
    ) -> Result<RefDeletion, git2::Error> {
        let lock = self.lock(key);
        let _guard = lock.lock().unwrap_or_else(|e| e.into_inner());
        let repo = self.open(key)?;
        let mut reference = match repo.find_reference(full_name) {
            Ok(reference) => reference,
            Err(e) if e.code() == ErrorCode::NotFound => return Ok(RefDeletion::Missing),
            Err(e) => return Err(e),
        };
        let at = reference.peel_to_commit()?.id();
        if expected.is_some_and(|expected| expected != at) {
            return Ok(RefDeletion::Elsewhere(at));
        }
        reference.delete()?;
        Ok(RefDeletion::Deleted)
    }
}

/// What [`Store::delete_ref`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefDeletion {
    /// The reference is gone.
    Deleted,
    /// There was no such reference.
    Missing,
    /// Kept: it points at this commit, not the one expected.
    Elsewhere(Oid),
}

fn resolve_in(repo: &Repository, rev: &str) -> Option<Oid> {
    // A full commit hash is the usual case (clients read files by hash): no reference to look up first.
    if rev.len() == 40 {
        if let Some(commit) = Oid::from_str(rev)
            .ok()
            .and_then(|oid| repo.find_commit(oid).ok())
        {
            return Some(commit.id());
        }
    }
    let qualified = if rev.starts_with("refs/heads/") || rev.starts_with("refs/tags/") {
        vec![rev.to_string()]
    } else {
        vec![format!("refs/heads/{rev}"), format!("refs/tags/{rev}")]
    };
    for name in qualified {
        if let Ok(r) = repo.find_reference(&name) {
            return r.peel_to_commit().ok().map(|c| c.id());
        }
    }
    if rev.len() >= 4 && rev.chars().all(|c| c.is_ascii_hexdigit()) {
        let object = repo.revparse_single(rev).ok()?;
        return object.peel_to_commit().ok().map(|c| c.id());
    }
    None
}

fn tag_in(repo: &Repository, name: &str) -> Option<TagInfo> {
    let reference = repo.find_reference(&format!("refs/tags/{name}")).ok()?;
    let tip = info(&reference.peel_to_commit().ok()?);
    let annotation = reference.peel_to_tag().ok().map(|t| {
        let (tagger_name, tagger_email, when) = match t.tagger() {
            Some(s) => (
                s.name().unwrap_or_default().to_string(),
                s.email().unwrap_or_default().to_string(),
                s.when(),
            ),
            None => (String::new(), String::new(), Time::new(0, 0)),
        };
        Annotation {
            id: t.id().to_string(),
            message: t.message().unwrap_or_default().to_string(),
            tagger_name,
            tagger_email,
            tagger_time: when.seconds(),
            tagger_offset: when.offset_minutes(),
        }
    });
    Some(TagInfo {
        name: name.to_string(),
        tip,
        annotation,
    })
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

/// Whether `name` is a valid short name for a branch or tag (`refs/tags/{name}` is a valid ref).
pub fn valid_ref_name(name: &str) -> bool {
    git2::Reference::is_valid_name(&format!("refs/tags/{name}"))
}

fn blob_at(tree: &git2::Tree<'_>, path: &str) -> Option<Oid> {
    tree.get_path(Path::new(path)).ok().map(|e| e.id())
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

/// Normalises a repository path: no leading slash, no empty, `.` or `..` components, no `.git`
/// component in any case, no backslash and no control character.
pub fn clean_path(path: &str) -> Option<String> {
    if path.chars().any(|c| c == '\\' || c.is_control()) {
        return None;
    }
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    if parts.is_empty()
        || parts
            .iter()
            .any(|p| *p == "." || *p == ".." || p.eq_ignore_ascii_case(".git"))
    {
        return None;
    }
    Some(parts.join("/"))
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

#[cfg(test)]
mod tests {
    use super::clean_path;

    #[test]
    fn paths_refuse_git_dirs_backslashes_and_control_characters() {
        assert_eq!(clean_path("/a//b.txt").as_deref(), Some("a/b.txt"));
        for bad in [
            "",
            "/",
            "a/../b",
            "./a",
            ".git/config",
            "x/.GIT/hooks/h",
            ".Git",
            "a\\b.txt",
            "a\nb",
            "tab\there",
            "nul\0",
            "del\u{7f}",
        ] {
            assert_eq!(clean_path(bad), None, "{bad:?}");
        }
    }
}
