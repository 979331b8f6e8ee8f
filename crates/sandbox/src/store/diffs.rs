//! Comparing commits: the files changed, the patch, the common ancestor.

use git2::{Oid, Repository};

use super::handle::Repo;

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

/// Reads through a handle to the repository.
impl Repo<'_> {
    /// The files changed from commit `old` (`None`: the empty tree) to commit `new`, with renames
    /// detected, sorted by path.
    pub fn diff(&self, old: Option<Oid>, new: Oid) -> Result<Vec<FileChange>, git2::Error> {
        let repo: &Repository = self;
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
        (old, new): (Option<Oid>, Oid),
        paths: &[String],
        options: PatchOptions,
    ) -> Result<Option<Vec<u8>>, git2::Error> {
        let repo: &Repository = self;
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
    pub fn merge_base(&self, a: Oid, b: Oid) -> Option<Oid> {
        let repo: &Repository = self;
        repo.merge_base(a, b).ok()
    }
}
