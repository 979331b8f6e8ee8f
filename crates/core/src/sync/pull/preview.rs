//! What a pull found before anything changes here: the preview, its artifact changes, problems and
//! checks, and the counts of an applied pull.

use std::collections::BTreeMap;
use std::fmt;

use super::problem::PullProblem;
use super::request::PullSource;
use crate::artifacts::{
    ArtifactKey, ArtifactKind, LayoutOptions, Manifest, Project, SharedFiles, Tracked, TreeError,
};
use crate::bitbucket::ApiError;
use crate::sync::local::{LocalFiles, SyncBase};
use crate::sync::remote::CLOUD_TIMED_OUT;
use crate::sync::retry::Failure;
use crate::sync::three_way::{Classified, Status, TestCaseMerge};
use crate::sync::unlisted::UnlistedFile;

/// One artifact file that differs somewhere, for the preview list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtifactChange {
    /// The artifact's id and the kind of file.
    pub key: ArtifactKey,
    /// Its name (the repository's when it has one, else the local one).
    pub name: String,
    /// The three versions and the classification.
    pub classified: Classified,
}

impl ArtifactChange {
    /// The kind of file.
    pub fn kind(&self) -> ArtifactKind {
        self.key.1
    }

    /// What happened.
    pub fn status(&self) -> Status {
        self.classified.status
    }
}

/// Whether a pull compared the manifest's claims with the files Bitbucket lists as changed since the base.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangesCheck {
    /// Nothing to compare: no base (or a restore), the base is the pulled commit, or the commit has no
    /// manifest (its tree is read whole).
    NotNeeded,
    /// The files changed since the base were listed whole and compared with the manifest.
    Checked,
    /// Not compared: the pull trusts the manifest, and checks each file it downloads against the
    /// manifest's SHA-256.
    NotChecked(Unchecked),
}

/// Why a pull did not compare the manifest with the files changed since the base.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unchecked {
    /// Bitbucket took too long to list them and gave up (Cloud's status 555, `CLOUD_TIMED_OUT`).
    TimedOut,
    /// Bitbucket refused the request (400).
    Refused,
    /// Bitbucket could not be reached, or did not answer in time, however often it was asked.
    Unreachable,
    /// The commit of the last sync is no longer in the repository (its history was rewritten).
    BaseGone,
    /// More files changed than a listing reads ([`crate::sync::LISTING_MAX_PAGES`] pages).
    TooMany,
}

impl Unchecked {
    /// The reason an error of the listing gives, `None` for an error that ends the pull.
    pub(super) fn of(error: &ApiError) -> Option<Unchecked> {
        match error {
            ApiError::Server {
                status: CLOUD_TIMED_OUT,
            } => Some(Unchecked::TimedOut),
            ApiError::BadRequest { .. } => Some(Unchecked::Refused),
            ApiError::Network { .. } | ApiError::Timeout => Some(Unchecked::Unreachable),
            ApiError::NotFound { .. } => Some(Unchecked::BaseGone),
            _ => None,
        }
    }
}

impl fmt::Display for Unchecked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let why = match self {
            Unchecked::TimedOut => "Bitbucket took too long to list them",
            Unchecked::Refused => "Bitbucket refused to list them",
            Unchecked::Unreachable => "Bitbucket could not be reached to list them",
            Unchecked::BaseGone => "the commit of the last sync is no longer in the repository",
            Unchecked::TooMany => "more files changed than the pull lists",
        };
        write!(
            f,
            "The files changed since the last sync were not checked ({why}): the pull trusts the repository's manifest and checks each file it downloads against the manifest's SHA-256."
        )
    }
}

/// How a pull that needed most of the artifact folder read it: in a few requests (Data Center's archive,
/// Cloud's patches), then one by one what those did not hold ([`PullPreview::bulk_read`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BulkRead {
    /// Requests of the bulk read: archives or patches, and the lists of commits a Cloud patch too large
    /// to produce in time was split at.
    pub requests: usize,
    /// Files read one by one after it: those its answers did not hold whole (or held damaged), and all
    /// those of a part that could not be read.
    pub per_file: usize,
    /// The requests those reads took, retries included.
    pub per_file_requests: usize,
    /// Why some or all of the folder could not be read in bulk; `None` when every part was read.
    pub refused: Option<BulkRefusal>,
}

/// Why some or all of the artifact folder could not be read in bulk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkRefusal {
    /// Cloud: the manifest does not name the commit the folder grew from (it was written before
    /// manifests named it, or the commit has no manifest).
    NoOrigin,
    /// The change of a single commit was too large for Bitbucket to produce in time (Cloud's
    /// status 555, `CLOUD_TIMED_OUT`), or an answer too large to read.
    TooLarge,
    /// Bitbucket refused the request.
    Refused,
    /// Bitbucket could not be reached, or did not answer in time, however often it was asked.
    Unreachable,
}

impl BulkRefusal {
    /// The reason an error of a bulk request gives.
    pub(super) fn of(error: &ApiError) -> BulkRefusal {
        match error {
            ApiError::Server {
                status: CLOUD_TIMED_OUT,
            }
            | ApiError::TooLarge { .. } => BulkRefusal::TooLarge,
            error if Failure::of(error) == Failure::Final => BulkRefusal::Refused,
            _ => BulkRefusal::Unreachable,
        }
    }
}

impl fmt::Display for BulkRead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let why = match self.refused {
            None => {
                return write!(
                    f,
                    "The artifact folder was read in {} requests.",
                    self.requests
                )
            }
            Some(BulkRefusal::NoOrigin) => {
                "the manifest does not name the commit the folder grew from; the next push names it"
            }
            Some(BulkRefusal::TooLarge) => {
                "a commit's change was too large for Bitbucket to show in time"
            }
            Some(BulkRefusal::Refused) => "Bitbucket refused the request",
            Some(BulkRefusal::Unreachable) => "Bitbucket could not be reached",
        };
        let files = match self.per_file {
            1 => "1 file was".to_owned(),
            n => format!("{n} files were"),
        };
        write!(
            f,
            "The artifact folder could not be read in a few requests ({why}): {files} read one by one, in {} requests.",
            self.per_file_requests
        )
    }
}

/// What the repository holds, compared with the local project: the pull dialog's preview.
#[derive(Debug, Clone)]
pub struct PullPreview {
    /// The source asked for.
    pub source: PullSource,
    /// The commit the source resolved to (full hash).
    pub commit: String,
    /// The remote manifest (built from the files when the commit has none).
    pub remote_manifest: Manifest,
    /// Whether the commit has our manifest (false: a tree written by hand or by another tool, read
    /// whole).
    pub managed: bool,
    /// The base the comparison used (`None`: no earlier sync, or a restore into an empty project).
    pub base: Option<SyncBase>,
    /// Every artifact file that differs between the local project and the repository, by id and kind.
    pub artifacts: Vec<ArtifactChange>,
    /// Artifact files the same locally and in the repository ([`Status::Unchanged`], and
    /// [`Status::Both`]: the same change made on both sides).
    pub unchanged: usize,
    /// The remote files downloaded, by repository path (shared with the project the pull applies).
    pub downloaded: SharedFiles,
    /// Per-file problems of the remote tree.
    pub problems: Vec<PullProblem>,
    /// Files the diff since the base says changed while the manifest says they did not (each was
    /// downloaded and checked against the manifest).
    pub diff_disagreements: Vec<String>,
    /// Whether those files were looked for at all.
    pub changes_check: ChangesCheck,
    /// How most of the folder was read, when the pull needed most of it (a restore, a tree without
    /// manifest); `None` when it read file by file what it needed.
    pub bulk_read: Option<BulkRead>,
    /// Files in git under the artifact folder that the manifest does not list (ignored), each with the
    /// reason it is there, by path.
    pub unlisted: Vec<UnlistedFile>,
    /// The step-level view of test cases changed on both sides.
    pub merges: BTreeMap<ArtifactKey, TestCaseMerge>,
    /// Requests the planning took.
    pub requests: usize,
    /// The local files the comparison used (`None` for a restore): [`PullPreview::apply`] builds on them.
    pub(super) local: Option<LocalFiles>,
    pub(super) options: LayoutOptions,
}

/// Counts of an applied pull, for its History row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PullCounts {
    /// Artifact files added from the repository.
    pub added: usize,
    /// Artifact files changed from the repository (renames included).
    pub changed: usize,
    /// Artifact files deleted as in the repository.
    pub deleted: usize,
    /// Of the changed ones, those renamed or moved.
    pub renamed: usize,
    /// Conflicts settled with Keep mine.
    pub kept_mine: usize,
    /// Conflicts settled with Take theirs.
    pub took_theirs: usize,
    /// Test cases merged step by step.
    pub merged: usize,
    /// Files left out because they cannot be read.
    pub skipped: usize,
}

/// The outcome of [`PullPreview::apply`]: the project to store and the new base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedPull {
    /// The merged project (with its files, when the pull wrote them by changing the local ones).
    pub project: Tracked<Project>,
    /// The new base, to file under [`SyncBase::branch`] (see [`PullSource::base_key`]): the pulled
    /// commit and its manifest, so local choices (Keep mine) show as local changes in the next push.
    pub base: SyncBase,
    /// What the pull did.
    pub counts: PullCounts,
    /// Files left out (only with `include_invalid`), and why.
    pub skipped: Vec<TreeError>,
}
