//! Why a push or pull stopped: [`SyncError`], the message the user reads, and the manifest refusals
//! both jobs share.

use crate::artifacts::{ArtifactId, Manifest, ManifestRefusal, TreeError};
use crate::bitbucket::ApiError;
use crate::counts::counted;
use crate::names::NameError;
use crate::roles::Denial;
use crate::sync::push::GitPushError;
use crate::sync::push::PushCancelled;
use crate::sync::remote::MAX_LISTED_FILES;
use crate::sync::PullProblem;

/// Why a push or pull stopped. `Display` is the message for the user, which says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    /// The role policy refuses it.
    #[error("{0}")]
    Denied(Denial),
    /// The commit message is empty.
    #[error("Enter a commit message: it tells the team what this push changes.")]
    MessageRequired,
    /// A branch or version name that git would refuse, or that this product does not take (see
    /// [`crate::names`]).
    #[error("{0}")]
    InvalidName(#[from] NameError),
    /// The version name is the name of the branch pushed: git could not tell the tag from the branch.
    #[error("The version name `{name}` is the name of the branch pushed to, and git could not tell the version from the branch. Choose another version name, such as `{name}-1`.")]
    VersionIsBranch {
        /// The name.
        name: String,
    },
    /// The branch does not exist.
    #[error("The branch `{branch}` does not exist in the repository. Choose another branch, or create it with New branch.")]
    BranchNotFound {
        /// The branch.
        branch: String,
    },
    /// A new branch's name is taken.
    #[error("A branch `{branch}` exists already. Choose it from the list, or give the new branch another name.")]
    BranchExists {
        /// The branch.
        branch: String,
    },
    /// The version name is taken.
    #[error("The version `{name}` exists already in the repository. Choose another version name.")]
    VersionExists {
        /// The tag.
        name: String,
    },
    /// Someone else pushed to the branch since it was read: nothing of theirs was overwritten.
    #[error("The branch `{branch}` changed in Bitbucket while this push was prepared or sent (someone else pushed). Nothing was overwritten: pull first, then push again.")]
    BranchMoved {
        /// The branch.
        branch: String,
    },
    /// Artifacts changed both here and on the branch since this copy's base (or held differently by a
    /// branch this copy never synced with), and the user did not choose to overwrite them.
    #[error("{}", conflicts_message(branch, *count, *never_synced))]
    ConflictsOnBranch {
        /// The branch.
        branch: String,
        /// How many artifact files.
        count: usize,
        /// This copy never synced with the branch.
        never_synced: bool,
    },
    /// The user's roles changed since the preview in a way its checks did not cover.
    #[error("Your roles changed since the preview. Nothing was pushed: preview the push again, so that it is checked for the roles you hold now.")]
    RolesChanged,
    /// The branch holds another project's artifacts.
    #[error("The branch `{branch}` holds the artifacts of another project (id {project}). Nothing was pushed: push to a new branch, or pull that branch as a project of its own.")]
    OtherProject {
        /// The branch.
        branch: String,
        /// The other project's id.
        project: ArtifactId,
    },
    /// A branch without manifest holds more files than a listing may read.
    #[error("The artifact folder of this branch holds too many files to read ({MAX_LISTED_FILES} at most). Push to a new branch instead.")]
    ListingTooLarge,
    /// The repository's manifest is too large to read, or lists too many files.
    #[error("The manifest `{path}` of this commit {refusal}, so it was not read and nothing changed here. A manifest this app writes lists one entry per artifact file (a 10,000-test-case project's is about 2 MiB): restore `{path}` from an earlier commit in Bitbucket, or choose another branch, version or commit.")]
    ManifestRefused {
        /// The manifest's path.
        path: String,
        /// Why it was refused.
        refusal: ManifestRefusal,
    },
    /// Bitbucket refused or failed; its reason is kept.
    #[error("{0}")]
    Api(ApiError),
    /// A push over git that stopped: Data Center's refusal in its words, or why it could not be made.
    #[error("{0}")]
    Git(GitPushError),
    /// The user cancelled the push before it was published; what landed was read from the branch.
    #[error("{0}")]
    Cancelled(PushCancelled),
    /// The version (tag) to pull does not exist.
    #[error("The version `{name}` does not exist in the repository. Choose one from the list of versions.")]
    VersionNotFound {
        /// The tag.
        name: String,
    },
    /// The commit to pull does not exist.
    #[error("The commit `{hash}` does not exist in the repository. Check the hash (copy it from the commit's page in Bitbucket).")]
    CommitNotFound {
        /// The hash as given.
        hash: String,
    },
    /// The commit to pull is not a hash.
    #[error("“{hash}” is not a commit hash: enter 7 to 64 hexadecimal digits (0-9, a-f).")]
    InvalidCommit {
        /// The text, shortened.
        hash: String,
    },
    /// A commit without manifest holds more files than a listing may read.
    #[error("The artifact folder at this commit has no manifest and holds too many files to read ({MAX_LISTED_FILES} at most). Push it once from the app to publish a manifest, then pull again.")]
    PullListingTooLarge,
    /// Artifacts changed on both sides have no resolution.
    #[error("{} changed both here and in the repository. Choose Keep mine, Take theirs or Merge steps for each, then apply again.", counted(*count, "artifact", "artifacts"))]
    UnresolvedConflicts {
        /// How many.
        count: usize,
    },
    /// Merge steps was chosen for a test case whose edits overlap.
    #[error("The test case “{name}” cannot be merged step by step: both sides changed the same steps or the same fields. Choose Keep mine or Take theirs for it.")]
    MergeImpossible {
        /// The test case's name.
        name: String,
    },
    /// Merge steps was chosen for a test case whose file in the repository has a problem (its content
    /// does not match the manifest, or it cannot be read): its steps are not trusted to merge.
    #[error("The test case “{name}” cannot be merged step by step: its file in the repository has a problem ({problem}). Choose Keep mine for it.")]
    MergeOfProblemFile {
        /// The test case's name.
        name: String,
        /// The problem of the repository's file.
        problem: PullProblem,
    },
    /// Files the pull would apply cannot be read.
    #[error("{}", invalid_files_message(errors))]
    InvalidFiles {
        /// Each file's problem.
        errors: Vec<TreeError>,
    },
}

/// The error of the manifest at `path` when `read` (its answer) is refused: too large for the transport to
/// read ([`ApiError::TooLarge`]), or over the limits of [`Manifest::check_remote`]. `None` otherwise.
pub(crate) fn refused_manifest(
    path: String,
    read: &Result<Vec<u8>, ApiError>,
) -> Option<SyncError> {
    let refusal = match read {
        Err(ApiError::TooLarge { size, limit, .. }) => ManifestRefusal::TooLarge {
            size: *size,
            limit: *limit,
        },
        Ok(bytes) => Manifest::check_remote(bytes).err()?,
        Err(_) => return None,
    };
    Some(SyncError::ManifestRefused { path, refusal })
}

fn conflicts_message(branch: &str, count: usize, never_synced: bool) -> String {
    let files = counted(count, "artifact file", "artifact files");
    let differ = if count == 1 { "differs" } else { "differ" };
    if never_synced {
        format!(
            "This copy has never synced with the branch `{branch}`, and {files} there {differ} from \
             yours. Nothing was pushed: pull the branch first to combine both, or choose to overwrite \
             the branch's versions."
        )
    } else {
        format!(
            "{files} changed both here and on the branch `{branch}` since your last sync. Nothing was \
             pushed: pull first and settle them, or choose to overwrite the branch's versions."
        )
    }
}

fn invalid_files_message(errors: &[TreeError]) -> String {
    let first = errors.first().map(ToString::to_string).unwrap_or_default();
    format!(
        "{} of the pull cannot be read (first: {first}). Fix them in the repository, or apply only the valid artifacts.",
        counted(errors.len(), "file", "files")
    )
}

impl From<GitPushError> for SyncError {
    fn from(error: GitPushError) -> SyncError {
        SyncError::Git(error)
    }
}
