//! What a push did ([`PushOutcome`]), or where a cancelled push stopped ([`PushCancelled`]).

use crate::bitbucket::ApiError;
use crate::counts::counted;
use crate::sync::local::SyncBase;

/// What a push did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushOutcome {
    /// The branch.
    pub branch: String,
    /// The commits made, oldest first.
    pub commits: Vec<String>,
    /// The branch tip after the push: the new base.
    pub base: SyncBase,
    /// Nothing differed: no commit was made.
    pub nothing_to_push: bool,
    /// The branch was created.
    pub branch_created: bool,
    /// The version tag made.
    pub tag: Option<String>,
    /// Why the version tag could not be made (the push itself succeeded).
    pub tag_error: Option<ApiError>,
    /// Files written (the manifest included).
    pub written: usize,
    /// Files deleted (Cloud).
    pub deleted: usize,
    /// Files dropped from the manifest but left in git (Data Center cannot delete).
    pub kept_in_git: usize,
    /// Files Bitbucket found unchanged (Data Center), skipped.
    pub unchanged: usize,
    /// Local changes not pushed (not Approved).
    pub held_back: usize,
    /// Requests the push took, planning included.
    pub requests: usize,
}

/// What a cancelled push left on its branch, read from the branch after the cancel. `Display` is the
/// message for the user. (A cancelled push whose last commit landed is published: it ends with its
/// [`PushOutcome`].)
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushCancelled {
    /// No commit of the push landed: the branch is as it was.
    Nothing {
        /// The branch.
        branch: String,
    },
    /// The first commits landed, not the last, which publishes the push (the manifest): readers still
    /// see the branch's previous version.
    Part {
        /// The branch.
        branch: String,
        /// Commits that landed.
        landed: usize,
        /// Commits of the whole push.
        total: usize,
    },
    /// The branch moved on to a commit that is not this push's (someone else pushed): what landed of
    /// this push is not published.
    BranchMoved {
        /// The branch.
        branch: String,
        /// Commits of this push known to have landed.
        landed: usize,
    },
    /// The branch could not be read after the cancel.
    Unread {
        /// The branch.
        branch: String,
        /// Commits of this push known to have landed.
        landed: usize,
        /// Why it could not be read.
        error: ApiError,
    },
}

impl std::fmt::Display for PushCancelled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let commits = |n: usize| counted(n, "commit", "commits");
        match self {
            PushCancelled::Nothing { branch } => write!(
                f,
                "The push was cancelled before any commit landed: nothing was published to `{branch}`."
            ),
            PushCancelled::Part {
                branch,
                landed,
                total,
            } => write!(
                f,
                "The push was cancelled after {landed} of {} landed on `{branch}`. The push is not \
                 published (its last commit publishes it), so the branch still reads as its previous \
                 version: push again to finish.",
                commits(*total)
            ),
            PushCancelled::BranchMoved { branch, landed } => write!(
                f,
                "The push was cancelled, and `{branch}` has moved on since (someone else pushed): {} of \
                 this push landed, not published. Pull, then push again.",
                commits(*landed)
            ),
            PushCancelled::Unread {
                branch,
                landed,
                error,
            } => write!(
                f,
                "The push was cancelled, and `{branch}` could not be read to see what landed ({error}). \
                 {} of this push landed before the cancel; preview the push again to see what is still \
                 to write.",
                commits(*landed)
            ),
        }
    }
}
