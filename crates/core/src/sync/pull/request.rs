//! What the user asks to pull: the source and the resolutions of conflicts.

use crate::artifacts::{is_commit_hash, Manifest};
use crate::names::RefKind;
use crate::sync::error::SyncError;
use crate::sync::local::SyncBase;
use crate::sync::params::ScmParameters;

/// Where a pull reads from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PullSource {
    /// The tip of a branch.
    Branch(String),
    /// A version: the commit a tag points at.
    Tag(String),
    /// A commit, by its full or abbreviated hash.
    Commit(String),
}

impl PullSource {
    /// The name the app files the new sync base under: the branch name for a branch, `refs/tags/NAME`
    /// for a version, and the full commit hash for a commit (neither can be confused with a branch the
    /// app pushes to, so pulling a version never moves the base of a branch).
    pub fn base_key(&self, commit: &str) -> String {
        match self {
            PullSource::Branch(name) => name.clone(),
            PullSource::Tag(name) => format!("refs/tags/{name}"),
            PullSource::Commit(_) => commit.to_owned(),
        }
    }

    /// Checks the name or hash before any request.
    pub fn check(&self) -> Result<(), SyncError> {
        self.canonical().map(drop)
    }

    /// The source with its branch or version name in canonical form ([`RefKind::canonical`]), the form
    /// every request uses, or why the name or hash cannot be pulled.
    pub fn canonical(&self) -> Result<PullSource, SyncError> {
        match self {
            PullSource::Branch(name) => Ok(PullSource::Branch(RefKind::Branch.canonical(name)?)),
            PullSource::Tag(name) => Ok(PullSource::Tag(RefKind::Version.canonical(name)?)),
            PullSource::Commit(hash) => {
                if is_commit_hash(hash) {
                    Ok(self.clone())
                } else {
                    Err(SyncError::InvalidCommit {
                        hash: hash.chars().take(80).collect(),
                    })
                }
            }
        }
    }
}

/// What the user asked to pull.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequest {
    /// The branch, version or commit.
    pub source: PullSource,
    /// The last sync of this project with the source, if any (ignored when restoring into an empty
    /// project).
    pub base: Option<SyncBase>,
    /// A manifest this copy holds besides the base's, such as the project's baseline: the parts of the
    /// source's manifest that it has too (parts are named by their content) are not read again. A restore
    /// into a project close to the source then reads few parts.
    pub known: Option<Manifest>,
    /// The project's SCM parameters (`scm_export_worker_count` downloads in flight at most).
    pub parameters: ScmParameters,
    /// Seeds the retry jitter.
    pub seed: u64,
}

/// How the user settles an artifact changed on both sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resolution {
    /// Keep the local version (it is pushed with the next push).
    KeepMine,
    /// Take the repository's version (a deletion included).
    TakeTheirs,
    /// Test cases: merge step by step ([`crate::sync::PullPreview::merges`]); possible when no
    /// edits overlap.
    MergeSteps,
}
