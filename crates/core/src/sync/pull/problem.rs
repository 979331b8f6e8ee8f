//! What can be wrong with one file of the remote tree ([`PullProblem`]).

use std::fmt;

use crate::artifacts::{ArtifactKind, TreeError, TreeErrorKind};

/// What is wrong with one file of the remote tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    /// A problem the tree reader reports: unsafe path (`..`), outside the artifact folder, unknown
    /// file, invalid id, too large, invalid JSON or CSV, newer layout version, duplicate id, content
    /// that does not match the manifest's SHA-256, a file the manifest lists but git lacks, a file the
    /// manifest does not list.
    Tree(TreeErrorKind),
    /// The listing holds something that is not a regular file (a submodule or a link).
    NotAFile,
    /// The manifest gives the file another kind than its path.
    KindMismatch {
        /// The kind in the manifest.
        manifest: ArtifactKind,
    },
    /// Git changed the file since this copy's last sync while the manifest kept its entry, and the
    /// content does not match the manifest's SHA-256: it was changed outside the app.
    ChangedInGit {
        /// The hash in the manifest.
        expected: String,
    },
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProblemKind::Tree(kind) => kind.fmt(f),
            ProblemKind::NotAFile => f.write_str(
                "not a regular file (a submodule or a link); the pull ignores it: remove it from the artifact folder",
            ),
            ProblemKind::KindMismatch { manifest } => write!(
                f,
                "the manifest says it is a {manifest}, but its path is not; the pull ignores it: push the project again to refresh the manifest"
            ),
            ProblemKind::ChangedInGit { expected } => write!(
                f,
                "changed in git since your last sync, outside the app, so it does not match the manifest (SHA-256 {expected}), whose entry stayed the same; the pull keeps your version: make the change in the app instead, then push or export the project, which writes the file and its hash together"
            ),
        }
    }
}

/// A problem with one file of the remote tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullProblem {
    /// The repository path.
    pub path: String,
    /// What is wrong.
    pub kind: ProblemKind,
}

impl fmt::Display for PullProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.kind)
    }
}

impl PullProblem {
    pub(super) fn tree(path: &str, kind: TreeErrorKind) -> Self {
        PullProblem {
            path: path.to_owned(),
            kind: ProblemKind::Tree(kind),
        }
    }

    /// As a reader's error (what [`crate::sync::AppliedPull::skipped`] and
    /// [`crate::sync::SyncError::InvalidFiles`] list).
    pub fn to_tree_error(&self) -> TreeError {
        let kind = match &self.kind {
            ProblemKind::Tree(kind) => kind.clone(),
            ProblemKind::ChangedInGit { expected } => TreeErrorKind::ManifestMismatch {
                expected: expected.clone(),
            },
            ProblemKind::NotAFile | ProblemKind::KindMismatch { .. } => TreeErrorKind::UnknownFile,
        };
        TreeError {
            path: self.path.clone(),
            kind,
        }
    }
}
