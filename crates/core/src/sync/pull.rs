//! Pulling test artifacts from a branch, a version (tag) or a commit: [`PullPlanner`] reads the repository
//! and downloads what the pull needs, ending with a [`PullPreview`]; [`PullPreview::apply`] builds the
//! merged project from it, without any request. Nothing local changes until the app stores the project
//! `apply` returns.
//!
//! The planner resolves the source to a commit hash, reads `<root>/.manifest.json` there and compares
//! three states of every artifact (see [`super::three_way`]): the base (the last push or pull of this
//! project and branch), the local project and the remote commit. It downloads only remote files whose
//! content differs from the local file and that the pull may take (changed remotely, or in conflict),
//! all in one batch, by commit hash, and checks each against the manifest's SHA-256. When the base is
//! known it also lists the files changed between the base commit and the tip (Cloud `diffstat`, Data
//! Center `compare/changes`, the whole repository, of which it keeps the artifact folder) to check the
//! manifest's claims: a file the diff says changed while the manifest says unchanged is downloaded and
//! verified too, and reported. When Bitbucket cannot list them (Cloud's 555, a 400, no answer) the pull
//! goes on trusting the manifest and its SHA-256 hashes, and [`PullPreview::changes_check`] says so.
//!
//! A commit without our manifest (a tree written by hand or by another tool) is listed and read whole,
//! and every file is checked. Files the manifest does not list are never pulled: each is named in
//! [`PullPreview::unlisted`] with the reason it is there (on Data Center mostly files a push dropped
//! from the manifest, as its REST API cannot delete files).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use super::job::{single_answer, Job, JobStep, Phase, Progress};
use super::params::ScmParameters;
use super::parts::FolderPart;
use super::push::{empty_commit, Attempt, LocalFiles, LocalSide, Retrying, SyncBase};
use super::remote::{ArchiveContent, Listed, Listing, Remote};
use super::retry::Failure;
use super::three_way::{
    classify_differences, merge_test_case, Classified, SideChange, Status, TestCaseMerge,
};
use super::unlisted::{UnlistedFile, UnlistedReason};
use super::{refused_manifest, SyncError, MAX_LISTED_FILES};
use crate::artifacts::archive::ArchiveLimits;
use crate::artifacts::{
    from_files, from_files_knowing, is_commit_hash, read_test_case, sha256_hex, to_canonical_json,
    ArtifactId, ArtifactKey, ArtifactKind, ArtifactPath, KnownTestCases, LayoutOptions, Manifest,
    ManifestEntry, Project, ProjectFiles, ReadLimits, TestCase, TreeError, TreeErrorKind,
    MANIFEST_FILE, MAX_MANIFEST_BYTES, SCHEMA_VERSION,
};
use crate::bitbucket::cloud::{FileChange, FileChangeKind};
use crate::bitbucket::{Api, ApiError, ApiResponse, CommitSummary, Pager};
use crate::names::RefKind;
use crate::repo_url::Flavour;

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
    /// Test cases: merge step by step ([`PullPreview::merges`]); possible when no edits overlap.
    MergeSteps,
}

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
    fn tree(path: &str, kind: TreeErrorKind) -> Self {
        PullProblem {
            path: path.to_owned(),
            kind: ProblemKind::Tree(kind),
        }
    }

    /// As a reader's error (what [`AppliedPull::skipped`] and [`SyncError::InvalidFiles`] list).
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
    /// Bitbucket took too long to list them and gave up (Cloud's 555).
    TimedOut,
    /// Bitbucket refused the request (400).
    Refused,
    /// Bitbucket could not be reached, or did not answer in time, however often it was asked.
    Unreachable,
    /// The commit of the last sync is no longer in the repository (its history was rewritten).
    BaseGone,
    /// More files changed than a listing reads ([`super::LISTING_MAX_PAGES`] pages).
    TooMany,
}

impl Unchecked {
    /// The reason an error of the listing gives, `None` for an error that ends the pull.
    fn of(error: &ApiError) -> Option<Unchecked> {
        match error {
            ApiError::Server { status: 555 } => Some(Unchecked::TimedOut),
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
    /// The change of a single commit was too large for Bitbucket to produce in time (Cloud's 555), or
    /// an answer too large to read.
    TooLarge,
    /// Bitbucket refused the request.
    Refused,
    /// Bitbucket could not be reached, or did not answer in time, however often it was asked.
    Unreachable,
}

impl BulkRefusal {
    /// The reason an error of a bulk request gives.
    fn of(error: &ApiError) -> BulkRefusal {
        match error {
            ApiError::Server { status: 555 } | ApiError::TooLarge { .. } => BulkRefusal::TooLarge,
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
    /// The remote files downloaded, by repository path.
    pub downloaded: ProjectFiles,
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
    local: Option<LocalFiles>,
    options: LayoutOptions,
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
    /// The merged project.
    pub project: Project,
    /// The new base, to file under [`SyncBase::branch`] (see [`PullSource::base_key`]): the pulled
    /// commit and its manifest, so local choices (Keep mine) show as local changes in the next push.
    pub base: SyncBase,
    /// What the pull did.
    pub counts: PullCounts,
    /// Files left out (only with `include_invalid`), and why.
    pub skipped: Vec<TreeError>,
}

/// A remote or base file to download.
#[derive(Debug, Clone)]
struct Fetch {
    path: String,
    /// The base version (for a step merge) rather than the remote one.
    base: bool,
}

#[derive(Debug)]
enum Stage {
    Resolve(Attempt),
    Manifest(Attempt),
    Changes {
        pager: Box<Pager<FileChange>>,
        tries: u32,
    },
    Listing {
        open: Vec<Listing>,
        tries: u32,
    },
    Download {
        pending: Vec<Fetch>,
        tries: u32,
    },
    Archive {
        /// The parts still to read.
        parts: Vec<FolderPart>,
        pending: Vec<Fetch>,
        /// What the parts read so far.
        files: ProjectFiles,
        tries: u32,
    },
    /// The commits of the Cloud ranges too large to produce in time ([`ArchiveRound::split`]), listed
    /// to split each at, then the rest of the archive round.
    Split(Box<ArchiveRound>),
    /// Archives the driver unpacks ([`JobStep::Unpack`]), then the rest of the archive round.
    Unpack {
        zips: Vec<Vec<u8>>,
        round: Box<ArchiveRound>,
    },
    Done,
}

/// An archive round whose answers were read, waiting for its archives to be unpacked.
#[derive(Debug)]
struct ArchiveRound {
    /// The parts to ask for (again), and why when they were refused for a while.
    again: Vec<FolderPart>,
    /// Cloud ranges too large to produce in time, to split.
    split: Vec<FolderPart>,
    retry_error: Option<ApiError>,
    pending: Vec<Fetch>,
    /// What the parts gave so far.
    files: ProjectFiles,
    tries: u32,
}

/// Reads the repository and computes what a pull would change (the dialog's preview). With a per-file
/// [`super::Strategy`] (benchmarks only) it ignores the manifest and any base once the source is
/// resolved: it lists the artifact folder and reads every file (one at a time for the sequential one),
/// and the preview is that of a commit without manifest.
#[derive(Debug)]
pub struct PullPlanner {
    remote: Remote,
    request: PullRequest,
    local: LocalSide,
    options: LayoutOptions,
    stage: Stage,
    retrying: Retrying,
    tip: CommitSummary,
    /// The remote manifest; `None` while unknown or when the commit has none.
    manifest: Option<Manifest>,
    changes: Vec<FileChange>,
    changes_check: ChangesCheck,
    /// The answer to the first page of the diff since the base, asked for beside the manifest.
    early_changes: Option<Result<ApiResponse, ApiError>>,
    listed: BTreeSet<String>,
    downloaded: ProjectFiles,
    base_files: ProjectFiles,
    problems: Vec<PullProblem>,
    disagreements: Vec<String>,
    classified: BTreeMap<ArtifactKey, Classified>,
    /// Artifacts the same on all sides, or changed the same way on both (not in `classified`).
    unchanged: usize,
    /// The manifest the comparison used (the remote one less its unusable entries, or one built from
    /// the files).
    compared: Manifest,
    managed: bool,
    unlisted: Vec<UnlistedFile>,
    bulk: Option<BulkRead>,
    result: Option<Result<PullPreview, SyncError>>,
}

impl PullPlanner {
    /// A planner of `request` on `api`; `local` is the project's files, `None` to restore into an empty or
    /// new project (the base is then ignored: everything in the repository is new). Pulling is allowed
    /// for every role.
    pub fn new(api: Api, request: PullRequest, local: Option<LocalFiles>) -> Self {
        let local = local.map_or(LocalSide::None, LocalSide::Files);
        Self::with_local(api, request, local)
    }

    /// A planner of a pull (not a restore) whose local files `write` gives, in the default layout: they
    /// are written while the repository is read ([`Job::while_waiting`]), or when first needed.
    pub fn deferring_local(
        api: Api,
        request: PullRequest,
        write: impl FnOnce() -> LocalFiles + 'static,
    ) -> Self {
        Self::with_local(api, request, LocalSide::deferred(write))
    }

    fn with_local(api: Api, request: PullRequest, local: LocalSide) -> Self {
        let remote = Remote::new(api);
        let mut planner = PullPlanner {
            retrying: Retrying::new(&request.parameters, request.seed),
            stage: Stage::Done,
            tip: empty_commit(),
            manifest: None,
            changes: Vec::new(),
            changes_check: ChangesCheck::NotNeeded,
            early_changes: None,
            listed: BTreeSet::new(),
            downloaded: ProjectFiles::new(),
            base_files: ProjectFiles::new(),
            problems: Vec::new(),
            disagreements: Vec::new(),
            classified: BTreeMap::new(),
            unchanged: 0,
            compared: Manifest::from_entries(Vec::new()),
            managed: false,
            unlisted: Vec::new(),
            bulk: None,
            result: None,
            remote,
            request,
            options: local.options(),
            local,
        };
        planner.stage = match planner.request.source.canonical() {
            Ok(source) => {
                planner.request.source = source;
                Stage::Resolve(attempt(planner.resolve_call().request))
            }
            Err(error) => planner.fail(error),
        };
        planner
    }

    fn resolve_call(&self) -> crate::bitbucket::Call<CommitSummary> {
        match &self.request.source {
            PullSource::Branch(name) => self.remote.tip(name),
            PullSource::Tag(name) => self.remote.tag_commit(name),
            PullSource::Commit(hash) => self.remote.commit(hash),
        }
    }

    /// The base the comparison uses: none when restoring, nor for a per-file baseline.
    fn base(&self) -> Option<&SyncBase> {
        let restoring = matches!(self.local, LocalSide::None);
        self.request
            .base
            .as_ref()
            .filter(|_| !restoring && !self.baseline())
    }

    /// Whether this pull is a per-file baseline (benchmarks): it ignores the manifest and any base, and
    /// lists the folder and reads every file, as for a commit without manifest.
    fn baseline(&self) -> bool {
        !self.request.parameters.strategy.is_planned()
    }

    fn manifest_path(&self) -> String {
        self.options.full_path(MANIFEST_FILE)
    }

    fn fail(&mut self, error: SyncError) -> Stage {
        self.result = Some(Err(error));
        Stage::Done
    }

    fn not_found(&self) -> SyncError {
        match &self.request.source {
            PullSource::Branch(branch) => SyncError::BranchNotFound {
                branch: branch.clone(),
            },
            PullSource::Tag(name) => SyncError::VersionNotFound { name: name.clone() },
            PullSource::Commit(hash) => SyncError::CommitNotFound { hash: hash.clone() },
        }
    }

    fn list_root(&self) -> Stage {
        Stage::Listing {
            open: vec![self.remote.listing(&self.tip.id, self.options.root())],
            tries: 0,
        }
    }

    /// After the manifest: check it against the diff since the base, or (Data Center, no base) list the
    /// folder to count the files it no longer lists; then download.
    fn after_manifest(&mut self) -> Stage {
        match self.changes_pager() {
            Some(pager) => match self.early_changes.take() {
                Some(answer) => self.handle_changes(pager, 0, answer),
                None => Stage::Changes { pager, tries: 0 },
            },
            None if self.base().is_some() => self.plan_downloads(),
            None if self.remote.flavour() == Flavour::DataCenter => self.list_root(),
            None => self.plan_downloads(),
        }
    }

    /// The diff since the base, when there is a base other than the tip.
    fn changes_pager(&self) -> Option<Box<Pager<FileChange>>> {
        let base = self.base().filter(|base| base.commit != self.tip.id)?;
        Some(Box::new(self.remote.changes(&self.tip.id, &base.commit)))
    }

    fn handle_single(&mut self, stage: Stage, answer: Result<ApiResponse, ApiError>) -> Stage {
        match stage {
            Stage::Resolve(mut attempt) => {
                match answer.and_then(|r| self.resolve_call().parse(&r)) {
                    Ok(tip) => {
                        self.tip = tip;
                        if self.baseline() {
                            return self.list_root();
                        }
                        match self.base() {
                            Some(base) if base.commit == self.tip.id => {
                                self.manifest = Some(base.manifest.clone());
                                self.managed = true;
                                self.plan_downloads()
                            }
                            _ => Stage::Manifest(attempt_of(
                                self.remote
                                    .read_file(&self.tip.id, &self.manifest_path())
                                    .limited(MAX_MANIFEST_BYTES as u64),
                            )),
                        }
                    }
                    Err(ApiError::NotFound { .. }) => self.fail(self.not_found()),
                    Err(error) if self.retrying.schedule(&mut attempt, &error) => {
                        Stage::Resolve(attempt)
                    }
                    Err(error) => self.fail(SyncError::Api(error)),
                }
            }
            Stage::Manifest(mut attempt) => {
                let call = self.remote.read_file(&self.tip.id, &self.manifest_path());
                let read = answer.and_then(|r| call.parse(&r));
                if let Some(refused) = refused_manifest(self.manifest_path(), &read) {
                    return self.fail(refused);
                }
                match read {
                    Ok(bytes) => match self.read_manifest(&bytes) {
                        Some(manifest) => {
                            self.manifest = Some(manifest);
                            self.managed = true;
                            self.after_manifest()
                        }
                        None => self.list_root(),
                    },
                    Err(ApiError::NotFound { .. }) => self.list_root(),
                    Err(error) if self.retrying.schedule(&mut attempt, &error) => {
                        Stage::Manifest(attempt)
                    }
                    Err(error) => self.fail(SyncError::Api(error)),
                }
            }
            other => other,
        }
    }

    /// Parses the remote manifest, reporting it when it is damaged or newer than this app reads.
    fn read_manifest(&mut self, bytes: &[u8]) -> Option<Manifest> {
        /// The version of a manifest this app cannot read otherwise.
        #[derive(serde::Deserialize)]
        struct Probe {
            schema_version: Option<u64>,
        }
        let path = self.manifest_path();
        let parsed = serde_json::from_slice::<Manifest>(bytes);
        let found = match &parsed {
            Ok(manifest) => Some(u64::from(manifest.schema_version)),
            Err(_) => serde_json::from_slice::<Probe>(bytes)
                .ok()
                .and_then(|probe| probe.schema_version),
        };
        let newer = found.filter(|&found| found > u64::from(SCHEMA_VERSION));
        if let Some(found) = newer {
            self.problems.push(PullProblem::tree(
                &path,
                TreeErrorKind::NewerSchema {
                    found: u32::try_from(found).unwrap_or(u32::MAX),
                    supported: SCHEMA_VERSION,
                },
            ));
        }
        match parsed {
            Ok(manifest) => Some(manifest),
            Err(error) => {
                if newer.is_none() {
                    let kind = TreeErrorKind::InvalidJson {
                        line: error.line(),
                        column: error.column(),
                        message: error.to_string(),
                    };
                    self.problems.push(PullProblem::tree(&path, kind));
                }
                None
            }
        }
    }

    fn handle_changes(
        &mut self,
        mut pager: Box<Pager<FileChange>>,
        mut tries: u32,
        answer: Result<ApiResponse, ApiError>,
    ) -> Stage {
        let before = pager.clone();
        match answer.and_then(|response| pager.handle_response(&response)) {
            Ok(changes) => {
                // The whole repository is listed: only the artifact folder counts.
                let root = self.options.clone();
                self.changes.extend(
                    changes
                        .into_iter()
                        .filter(|c| root.relative(&c.path).is_some()),
                );
                if pager.next_request().is_some() {
                    Stage::Changes { pager, tries }
                } else if pager.is_truncated() {
                    self.unchecked(Unchecked::TooMany)
                } else {
                    self.changes_check = ChangesCheck::Checked;
                    self.plan_downloads()
                }
            }
            Err(error) => {
                let unchecked = Unchecked::of(&error);
                // A 555 is Bitbucket's time limit: asked again, the same list takes as long.
                let again = unchecked != Some(Unchecked::TimedOut)
                    && self.retrying.schedule_batch(&mut tries, &error);
                match (again, unchecked) {
                    (true, _) => Stage::Changes {
                        pager: before,
                        tries,
                    },
                    (false, Some(reason)) => self.unchecked(reason),
                    (false, None) => self.fail(SyncError::Api(error)),
                }
            }
        }
    }

    /// Goes on without the files changed since the base, trusting the manifest: the pages read so far are
    /// not the whole list, so none of them is used.
    fn unchecked(&mut self, reason: Unchecked) -> Stage {
        self.changes.clear();
        self.changes_check = ChangesCheck::NotChecked(reason);
        self.plan_downloads()
    }

    fn handle_listing(
        &mut self,
        open: Vec<Listing>,
        mut tries: u32,
        answers: Vec<Result<ApiResponse, ApiError>>,
    ) -> Stage {
        let mut next_open = Vec::new();
        let mut retry_error = None;
        let first_level = self.listed.is_empty() && open.len() == 1;
        for (mut listing, answer) in open.into_iter().zip(answers) {
            let before = listing.clone();
            match answer.and_then(|response| listing.handle_response(&response)) {
                Ok(Listed {
                    files,
                    folders,
                    others,
                }) => {
                    self.listed.extend(files);
                    self.problems
                        .extend(others.into_iter().map(|path| PullProblem {
                            path,
                            kind: ProblemKind::NotAFile,
                        }));
                    let tip = self.tip.id.clone();
                    next_open.extend(folders.iter().map(|f| self.remote.listing(&tip, f)));
                    let truncated = listing.is_truncated();
                    if listing.next_request().is_some() {
                        next_open.push(listing);
                    } else if truncated {
                        return self.listing_too_large();
                    }
                }
                Err(ApiError::NotFound { .. }) if first_level => {}
                Err(error) if Failure::of(&error) != Failure::Final => {
                    retry_error = Some(error);
                    next_open.push(before);
                }
                Err(error) => return self.fail(SyncError::Api(error)),
            }
        }
        if self.listed.len() > MAX_LISTED_FILES {
            return self.listing_too_large();
        }
        if let Err(stage) = self.retry_batch(retry_error, &mut tries) {
            return stage;
        }
        if next_open.is_empty() {
            self.plan_downloads()
        } else {
            Stage::Listing {
                open: next_open,
                tries,
            }
        }
    }

    /// After a batch: schedules the retry of its failed requests, or ends the job when they may not be
    /// retried.
    fn retry_batch(&mut self, error: Option<ApiError>, tries: &mut u32) -> Result<(), Stage> {
        match error {
            Some(error) if !self.retrying.schedule_batch(tries, &error) => {
                Err(self.fail(SyncError::Api(error)))
            }
            _ => Ok(()),
        }
    }

    /// A listing too large to read: fatal without a manifest (the tree would be incomplete); with one it
    /// only leaves the count of dropped files unknown.
    fn listing_too_large(&mut self) -> Stage {
        if self.manifest.is_none() {
            return self.fail(SyncError::PullListingTooLarge);
        }
        self.listed.clear();
        self.plan_downloads()
    }

    /// Classifies what is known and downloads what the pull needs.
    fn plan_downloads(&mut self) -> Stage {
        let pending: Vec<Fetch> = match &self.manifest {
            Some(manifest) => {
                let manifest = self.checked_manifest(manifest.clone());
                self.classify(&manifest);
                self.list_unlisted(&manifest);
                let mut paths: BTreeSet<String> = self
                    .classified
                    .values()
                    .filter(|c| needs_remote(c))
                    .filter_map(|c| c.remote.as_ref().map(|r| r.path.clone()))
                    .collect();
                paths.extend(self.check_changes(&manifest));
                self.compared = manifest;
                paths
                    .into_iter()
                    .map(|path| Fetch { path, base: false })
                    .chain(self.base_fetches())
                    .collect()
            }
            None => {
                let readable = self.readable_listed();
                readable
                    .into_iter()
                    .map(|path| Fetch { path, base: false })
                    .collect()
            }
        };
        self.download(pending)
    }

    fn download(&mut self, pending: Vec<Fetch>) -> Stage {
        if pending.is_empty() {
            return self.after_downloads();
        }
        self.retrying.progress.files_total += pending.len();
        match self.archive_parts(&pending) {
            Some(parts) => Stage::Archive {
                parts,
                pending,
                files: ProjectFiles::new(),
                tries: 0,
            },
            None => {
                if let Some(bulk) = &mut self.bulk {
                    bulk.per_file += pending.len();
                }
                Stage::Download { pending, tries: 0 }
            }
        }
    }

    /// The folder in a few requests instead of one read per file ([`Remote::folder_parts`]), when the
    /// pull needs more than one round of reads and at least half of the folder: a restore, or a tree
    /// without manifest. Per-file baselines never use them. `None` when the product cannot (Cloud without
    /// the folder's origin), which the preview tells ([`PullPreview::bulk_read`]).
    fn archive_parts(&mut self, pending: &[Fetch]) -> Option<Vec<FolderPart>> {
        let wanted = pending.iter().filter(|f| !f.base).count();
        let folder = self.compared.files.len().max(wanted);
        let worth_it = !self.baseline() && wanted > self.concurrency() && wanted * 2 >= folder;
        if !worth_it {
            return None;
        }
        let origin = self.manifest.as_ref().and_then(Manifest::origin_commit);
        let parts = self
            .remote
            .folder_parts(&self.tip.id, self.options.root(), origin);
        self.bulk = Some(BulkRead {
            requests: 0,
            per_file: 0,
            per_file_requests: 0,
            refused: parts.is_none().then_some(BulkRefusal::NoOrigin),
        });
        parts
    }

    /// Counts requests of the bulk read.
    fn bulk_requests(&mut self, requests: usize) {
        if let Some(bulk) = &mut self.bulk {
            bulk.requests += requests;
        }
    }

    /// Records why some of the folder could not be read in bulk (the first reason found).
    fn refuse_bulk(&mut self, reason: BulkRefusal) {
        if let Some(bulk) = &mut self.bulk {
            bulk.refused.get_or_insert(reason);
        }
    }

    /// Takes the parts' files for the pending reads at the tip. A Cloud range too large to produce in
    /// time (555) or to read is split ([`Stage::Split`]). What the parts do not hold, or all of a part when
    /// it cannot be had (an instance that does not serve archives, a damaged or oversized one, a single
    /// commit too large for Cloud to show in time), is read file by file, which reports each file's own
    /// problem. Parts refused for a while (429, 5xx, no answer) are asked again first.
    fn handle_archive(
        &mut self,
        (parts, files, tries): (Vec<FolderPart>, ProjectFiles, u32),
        pending: Vec<Fetch>,
        answers: Vec<Result<ApiResponse, ApiError>>,
    ) -> Stage {
        let mut round = ArchiveRound {
            again: Vec::new(),
            split: Vec::new(),
            retry_error: None,
            pending,
            files,
            tries,
        };
        self.bulk_requests(answers.len());
        let mut zips = Vec::new();
        for (part, answer) in parts.into_iter().zip(answers) {
            let call = self.remote.archive(&self.tip.id, &part);
            match answer.and_then(|response| call.parse(&response)) {
                Ok(bytes) => match self
                    .remote
                    .archive_content(bytes, &ArchiveLimits::default())
                {
                    ArchiveContent::Files(files) => round.files.extend(files),
                    ArchiveContent::Zip(zip) => zips.push(zip),
                },
                Err(error) => match BulkRefusal::of(&error) {
                    BulkRefusal::TooLarge if matches!(part, FolderPart::Range { .. }) => {
                        round.split.push(part)
                    }
                    BulkRefusal::Unreachable => {
                        round.retry_error = Some(error);
                        round.again.push(part);
                    }
                    reason => self.refuse_bulk(reason),
                },
            }
        }
        match zips.is_empty() {
            true => self.after_archive(round),
            false => Stage::Unpack {
                zips,
                round: Box::new(round),
            },
        }
    }

    /// Splits each Cloud range of the round at a commit of its listing; a range that holds a single
    /// commit (as far as the folder goes), or whose commits cannot be listed, is read file by file.
    fn handle_split(
        &mut self,
        mut round: ArchiveRound,
        answers: Vec<Result<ApiResponse, ApiError>>,
    ) -> Stage {
        self.bulk_requests(answers.len());
        let root = self.options.root().to_owned();
        for (part, answer) in std::mem::take(&mut round.split).into_iter().zip(answers) {
            let Some(call) = self.remote.commits_within(&part, &root) else {
                continue;
            };
            match answer.and_then(|response| call.parse(&response)) {
                Ok(page) => match part.halves(&page.values) {
                    Some(halves) => round.again.extend(halves),
                    None => self.refuse_bulk(BulkRefusal::TooLarge),
                },
                Err(error) => self.refuse_bulk(BulkRefusal::of(&error)),
            }
        }
        self.after_archive(round)
    }

    /// Lists the commits of the ranges to split, asks for the parts to read (again), or reads what the
    /// parts did not hold (or held damaged) file by file.
    fn after_archive(&mut self, mut round: ArchiveRound) -> Stage {
        if !round.split.is_empty() {
            return Stage::Split(Box::new(round));
        }
        if !round.again.is_empty() {
            let again = match round.retry_error.take() {
                Some(error) => self.retrying.schedule_batch(&mut round.tries, &error),
                None => true,
            };
            if again {
                return Stage::Archive {
                    parts: std::mem::take(&mut round.again),
                    pending: round.pending,
                    files: round.files,
                    tries: round.tries,
                };
            }
            self.refuse_bulk(BulkRefusal::Unreachable);
        }
        let ArchiveRound {
            pending, mut files, ..
        } = round;
        // A member that does not match the manifest is read once more by itself before it is reported
        // (a part of a patch or archive may have come back damaged).
        let mut rest = Vec::new();
        for fetch in pending {
            match files.remove(&fetch.path) {
                Some(bytes) if !fetch.base && self.mismatch(&fetch.path, &bytes).is_none() => {
                    self.received(fetch, bytes)
                }
                _ => rest.push(fetch),
            }
        }
        if let Some(bulk) = &mut self.bulk {
            bulk.per_file += rest.len();
        }
        match rest.is_empty() {
            true => self.after_downloads(),
            false => Stage::Download {
                pending: rest,
                tries: 0,
            },
        }
    }

    /// Keeps a downloaded file.
    fn received(&mut self, fetch: Fetch, bytes: Vec<u8>) {
        let progress = &mut self.retrying.progress;
        progress.files_done += 1;
        progress.bytes_done += bytes.len() as u64;
        match fetch.base {
            true => self.base_files.insert(fetch.path, bytes),
            false => self.downloaded.insert(fetch.path, bytes),
        };
    }

    /// The manifest's entries that can be pulled; the others are reported and left out of the
    /// comparison (their artifacts stay as they are locally).
    fn checked_manifest(&mut self, manifest: Manifest) -> Manifest {
        let mut seen: BTreeMap<ArtifactKey, String> = BTreeMap::new();
        let mut entries = Vec::new();
        for entry in manifest.files {
            let problem = match path_kind(&entry.path, &self.options) {
                Err(kind) => Some(ProblemKind::Tree(kind)),
                Ok(kind) if kind != entry.kind => Some(ProblemKind::KindMismatch {
                    manifest: entry.kind,
                }),
                Ok(_) => match seen.get(&(entry.id.clone(), entry.kind)) {
                    Some(first) => Some(ProblemKind::Tree(TreeErrorKind::DuplicateId {
                        id: entry.id.clone(),
                        first: first.clone(),
                    })),
                    None => None,
                },
            };
            match problem {
                Some(kind) => self.problems.push(PullProblem {
                    path: entry.path.clone(),
                    kind,
                }),
                None => {
                    seen.insert((entry.id.clone(), entry.kind), entry.path.clone());
                    entries.push(entry);
                }
            }
        }
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        Manifest {
            schema_version: manifest.schema_version,
            files: entries,
            origin: manifest.origin,
        }
    }

    /// Classifies every artifact against the remote manifest. The project file is keyed by the remote
    /// project's id on all sides, so pulling another project's tree compares the two project files.
    fn classify(&mut self, remote: &Manifest) {
        let project_id = remote
            .files
            .iter()
            .find(|e| e.kind == ArtifactKind::Project)
            .map(|e| e.id.clone());
        let rekey = |manifest| rekeyed(manifest, project_id.as_ref());
        let empty = Manifest::from_entries(Vec::new());
        self.local.written();
        let local = self
            .local
            .files()
            .map_or(Cow::Borrowed(&empty), |l| rekey(&l.manifest));
        // A per-file baseline keeps no base: like the clients it stands for, it takes the repository's
        // version of whatever differs (the local state serves as the base).
        let base = match self.baseline() {
            true => Some(local.clone()),
            false => self.base().map(|b| rekey(&b.manifest)),
        };
        (self.classified, self.unchanged) = classify_differences(base.as_deref(), &local, remote);
    }

    /// Reads the diff since the base: reports what the manifest does not account for and returns the
    /// files to download and verify because the diff says they changed while the manifest says not.
    fn check_changes(&mut self, remote: &Manifest) -> Vec<String> {
        if self.changes_check != ChangesCheck::Checked {
            return Vec::new();
        }
        // Lent out of the request while the checks record what they find; put back below.
        let Some(base) = self.request.base.take() else {
            return Vec::new();
        };
        let manifest_path = self.manifest_path();
        let mut verify = Vec::new();
        let mut removed = BTreeSet::new();
        for change in std::mem::take(&mut self.changes) {
            if change.path == manifest_path {
                continue;
            }
            let listed = remote.entry(&change.path);
            match (change.kind, listed) {
                (FileChangeKind::Removed, Some(_)) => self
                    .problems
                    .push(PullProblem::tree(&change.path, TreeErrorKind::MissingFile)),
                (FileChangeKind::Removed, None) => {
                    removed.insert(change.path);
                }
                (_, None) => self.unlisted.push(UnlistedFile::new(
                    change.path.clone(),
                    UnlistedReason::ChangedOutsideApp,
                )),
                (_, Some(entry)) => {
                    if base.manifest.entry(&entry.path) == Some(entry) {
                        verify.push(entry.path.clone());
                        self.disagreements.push(entry.path.clone());
                    }
                }
            }
            if let Some(old) = change.old_path {
                removed.insert(old);
            }
        }
        // Files the base listed that the manifest dropped while git kept them.
        self.unlisted.extend(
            base.manifest
                .files
                .iter()
                .filter(|e| remote.entry(&e.path).is_none() && !removed.contains(&e.path))
                .map(|e| UnlistedFile::new(e.path.clone(), UnlistedReason::DroppedFromManifest)),
        );
        self.request.base = Some(base);
        verify
    }
}

impl PullPlanner {
    /// Data Center without a base: the listed files the manifest does not list.
    fn list_unlisted(&mut self, manifest: &Manifest) {
        let manifest_path = self.manifest_path();
        self.unlisted.extend(
            self.listed
                .iter()
                .filter(|path| **path != manifest_path && manifest.entry(path).is_none())
                .map(|path| UnlistedFile::new(path.clone(), UnlistedReason::NotInManifest)),
        );
    }

    /// The base versions of test cases changed on both sides, for the step-level merge.
    fn base_fetches(&self) -> Vec<Fetch> {
        if self.base().is_none() {
            return Vec::new();
        }
        self.classified
            .iter()
            .filter(|(key, c)| key.1 == ArtifactKind::TestCase && wants_merge(c))
            .filter_map(|(_, c)| c.base.as_ref())
            .map(|entry| Fetch {
                path: entry.path.clone(),
                base: true,
            })
            .collect()
    }

    /// A commit without manifest: the listed files that can be artifacts (the others are reported). A
    /// per-file baseline leaves the manifest out, unread.
    fn readable_listed(&mut self) -> Vec<String> {
        let mut readable = Vec::new();
        let manifest_path = self.manifest_path();
        for path in std::mem::take(&mut self.listed) {
            if self.baseline() && path == manifest_path {
                continue;
            }
            match path_kind(&path, &self.options) {
                Ok(_) => readable.push(path),
                Err(kind) => self.problems.push(PullProblem::tree(&path, kind)),
            }
        }
        readable
    }

    fn handle_download(
        &mut self,
        pending: Vec<Fetch>,
        mut tries: u32,
        answers: Vec<Result<ApiResponse, ApiError>>,
    ) -> Stage {
        let mut still = Vec::new();
        let mut retry_error = None;
        if let Some(bulk) = &mut self.bulk {
            bulk.per_file_requests += answers.len();
        }
        let base_commit = self.base().map(|b| b.commit.clone()).unwrap_or_default();
        for (fetch, answer) in pending.into_iter().zip(answers) {
            let commit = if fetch.base {
                &base_commit
            } else {
                &self.tip.id
            };
            let call = self.remote.read_file(commit, &fetch.path);
            match answer.and_then(|response| call.parse(&response)) {
                Ok(bytes) => self.received(fetch, bytes),
                Err(ApiError::NotFound { .. } | ApiError::TooLarge { .. }) if fetch.base => {}
                Err(ApiError::NotFound { .. }) => self
                    .problems
                    .push(PullProblem::tree(&fetch.path, TreeErrorKind::MissingFile)),
                Err(ApiError::TooLarge { size, limit, .. }) => self.problems.push(
                    PullProblem::tree(&fetch.path, TreeErrorKind::too_large(size, limit)),
                ),
                Err(error) if Failure::of(&error) != Failure::Final => {
                    retry_error = Some(error);
                    still.push(fetch);
                }
                Err(error) => return self.fail(SyncError::Api(error)),
            }
        }
        if let Err(stage) = self.retry_batch(retry_error, &mut tries) {
            return stage;
        }
        if still.is_empty() {
            self.after_downloads()
        } else {
            Stage::Download {
                pending: still,
                tries,
            }
        }
    }

    fn after_downloads(&mut self) -> Stage {
        if self.manifest.is_none() {
            // A tree without manifest: its manifest is made from the files read, then compared.
            let mut entries: BTreeMap<ArtifactKey, ManifestEntry> = BTreeMap::new();
            for (path, bytes) in &self.downloaded {
                if let Some(entry) = entry_of(path, bytes, &self.options) {
                    entries
                        .entry((entry.id.clone(), entry.kind))
                        .or_insert(entry);
                }
            }
            let manifest = Manifest::from_entries(entries.into_values().collect());
            self.classify(&manifest);
            self.compared = manifest.clone();
            self.manifest = Some(manifest);
            let fetches = self.base_fetches();
            if !fetches.is_empty() {
                return self.download(fetches);
            }
        }
        self.finish();
        Stage::Done
    }

    /// The SHA-256 the manifest gives a file of a managed tree, when `bytes` do not match it.
    fn mismatch(&self, path: &str, bytes: &[u8]) -> Option<String> {
        let entry = self.compared.entry(path).filter(|_| self.managed)?;
        (sha256_hex(bytes) != entry.sha256).then(|| entry.sha256.clone())
    }

    /// Checks the downloaded files and builds the preview.
    fn finish(&mut self) {
        let mut problems = std::mem::take(&mut self.problems);
        for (path, bytes) in &self.downloaded {
            if let Some(expected) = self.mismatch(path, bytes) {
                let kind = match self.disagreements.contains(path) {
                    true => ProblemKind::ChangedInGit { expected },
                    false => ProblemKind::Tree(TreeErrorKind::ManifestMismatch { expected }),
                };
                problems.push(PullProblem {
                    path: path.clone(),
                    kind,
                });
            }
        }
        let limits = ReadLimits {
            verify_manifest: false,
            ..ReadLimits::default()
        };
        if let Err(errors) = from_files(&self.downloaded, &self.options, &limits) {
            problems.extend(
                errors
                    .0
                    .into_iter()
                    .filter(|e| is_content_problem(&e.kind))
                    .map(|e| PullProblem::tree(&e.path, e.kind)),
            );
        }
        // One problem a file: the first found (a file that does not match the manifest is mostly also
        // content the reader refuses; the mismatch says why).
        problems.sort_by(|a, b| a.path.cmp(&b.path));
        problems.dedup_by(|later, first| later.path == first.path);
        self.local.written();
        let local_files = self.local.files().map(|l| &l.files);
        let content = |entry: &Option<ManifestEntry>, files: Option<&ProjectFiles>| {
            entry
                .as_ref()
                .and_then(|e| files.and_then(|f| f.get(&e.path)))
                .cloned()
        };
        let unchanged = self.unchanged;
        let mut artifacts = Vec::new();
        let mut merges = BTreeMap::new();
        let mut names: BTreeMap<ArtifactId, String> = BTreeMap::new();
        for (key, classified) in std::mem::take(&mut self.classified) {
            let theirs = content(&classified.remote, Some(&self.downloaded));
            let mine = content(&classified.local, local_files);
            let name = [&theirs, &mine]
                .into_iter()
                .flatten()
                .find_map(|bytes| name_of(bytes))
                .unwrap_or_default();
            if !name.is_empty() {
                names.insert(key.0.clone(), name.clone());
            }
            let remote_problem = classified
                .remote
                .as_ref()
                .is_some_and(|remote| problems.iter().any(|p| p.path == remote.path));
            if key.1 == ArtifactKind::TestCase && wants_merge(&classified) && !remote_problem {
                let parse = |bytes: Option<Vec<u8>>| {
                    bytes.and_then(|b| serde_json::from_slice::<TestCase>(&b).ok())
                };
                let base = parse(content(&classified.base, Some(&self.base_files)));
                if let (Some(mine), Some(theirs)) = (parse(mine), parse(theirs)) {
                    merges.insert(key.clone(), merge_test_case(base.as_ref(), &mine, &theirs));
                }
            }
            artifacts.push(ArtifactChange {
                key,
                name,
                classified,
            });
        }
        for change in &mut artifacts {
            if change.name.is_empty() {
                change.name = names
                    .get(&change.key.0)
                    .cloned()
                    .unwrap_or_else(|| change.key.0.to_string());
            }
        }
        let mut unlisted = std::mem::take(&mut self.unlisted);
        unlisted.sort();
        unlisted.dedup_by(|a, b| a.path == b.path);
        self.retrying.progress.phase = Phase::Done;
        // Handed over to the preview, not copied: the planner is done with them.
        let base = match self.base() {
            Some(_) => self.request.base.take(),
            None => None,
        };
        let compared = std::mem::replace(&mut self.compared, Manifest::from_entries(Vec::new()));
        self.result = Some(Ok(PullPreview {
            source: self.request.source.clone(),
            commit: self.tip.id.clone(),
            remote_manifest: self.manifest.take().unwrap_or(compared),
            managed: self.managed,
            base,
            artifacts,
            unchanged,
            downloaded: std::mem::take(&mut self.downloaded),
            problems,
            diff_disagreements: std::mem::take(&mut self.disagreements),
            changes_check: self.changes_check,
            bulk_read: self.bulk.take(),
            unlisted,
            merges,
            requests: self.retrying.progress.requests,
            local: self.local.take(),
            options: self.options.clone(),
        }));
    }
}

impl Job for PullPlanner {
    type Output = Result<PullPreview, SyncError>;

    fn next(&mut self) -> JobStep<Self::Output> {
        if let Some(wait) = self.retrying.take_wait() {
            return wait;
        }
        let (requests, phase) = match &self.stage {
            Stage::Resolve(a) => (vec![a.request.clone()], Phase::ReadingBranch),
            // The first page of the diff since the base goes beside the manifest (it is read after it).
            Stage::Manifest(a) => {
                let early = (a.tries == 0)
                    .then(|| self.changes_pager()?.next_request())
                    .flatten();
                (
                    std::iter::once(a.request.clone()).chain(early).collect(),
                    Phase::ReadingRepository,
                )
            }
            Stage::Changes { pager, .. } => (
                pager.next_request().into_iter().collect(),
                Phase::ReadingRepository,
            ),
            Stage::Listing { open, .. } => (
                open.iter().filter_map(Listing::next_request).collect(),
                Phase::ReadingRepository,
            ),
            Stage::Download { pending, .. } => {
                let base = self.base().map(|b| b.commit.as_str()).unwrap_or_default();
                let requests = pending
                    .iter()
                    .map(|f| {
                        let commit = if f.base { base } else { &self.tip.id };
                        self.remote.read_file(commit, &f.path).request
                    })
                    .collect();
                (requests, Phase::Downloading)
            }
            Stage::Archive { parts, .. } => (
                parts
                    .iter()
                    .map(|part| self.remote.archive(&self.tip.id, part).request)
                    .collect(),
                Phase::Downloading,
            ),
            Stage::Split(round) => (
                round
                    .split
                    .iter()
                    .filter_map(|part| self.remote.commits_within(part, self.options.root()))
                    .map(|call| call.request)
                    .collect(),
                Phase::Downloading,
            ),
            Stage::Unpack { .. } => {
                let zips = match &mut self.stage {
                    Stage::Unpack { zips, .. } => std::mem::take(zips),
                    _ => Vec::new(),
                };
                return JobStep::Unpack(zips);
            }
            Stage::Done => {
                return self.retrying.done(&mut self.result);
            }
        };
        self.retrying.send(requests, phase)
    }

    /// The reads of the files still to download (an archive part stands for its files, which it reads
    /// in one request unless it falls back to reading them one by one; a Cloud range to split for the
    /// listing of its commits and its two halves).
    fn requests_ahead(&self) -> Option<usize> {
        match &self.stage {
            Stage::Download { pending, .. } => Some(pending.len()),
            Stage::Archive { parts, .. } => Some(parts.len()),
            Stage::Split(round) => Some(round.split.len() * 3),
            _ => None,
        }
    }

    fn handle(&mut self, answers: Vec<Result<ApiResponse, ApiError>>) {
        let stage = std::mem::replace(&mut self.stage, Stage::Done);
        self.stage = match stage {
            Stage::Listing { open, tries } => self.handle_listing(open, tries, answers),
            Stage::Download { pending, tries } => self.handle_download(pending, tries, answers),
            Stage::Archive {
                parts,
                pending,
                files,
                tries,
            } => self.handle_archive((parts, files, tries), pending, answers),
            Stage::Split(round) => self.handle_split(*round, answers),
            done @ (Stage::Done | Stage::Unpack { .. }) => done,
            single => {
                let mut answers = answers;
                if matches!(single, Stage::Manifest(_)) && answers.len() > 1 {
                    self.early_changes = answers.pop();
                }
                let answer = single_answer(answers);
                match single {
                    Stage::Changes { pager, tries } => self.handle_changes(pager, tries, answer),
                    other => self.handle_single(other, answer),
                }
            }
        };
    }

    fn unpacked(&mut self, unpacked: Vec<ProjectFiles>) {
        self.stage = match std::mem::replace(&mut self.stage, Stage::Done) {
            Stage::Unpack { mut round, .. } => {
                unpacked
                    .into_iter()
                    .for_each(|files| round.files.extend(files));
                self.after_archive(*round)
            }
            other => other,
        };
    }

    fn may_unpack(&self) -> bool {
        // Listing the folder (no base) comes before reading most of it as archives.
        let reading_folder = matches!(self.stage, Stage::Listing { .. } | Stage::Archive { .. });
        reading_folder && self.remote.archives_are_zips()
    }

    fn progress(&self) -> Progress {
        self.retrying.progress
    }

    /// Writes the deferred local files, but not while the tip is read: that read is short, and the
    /// manifest's read after it is long enough to hide the writing.
    fn while_waiting(&mut self) {
        if !matches!(self.stage, Stage::Resolve(_)) {
            self.local.written();
        }
    }

    fn concurrency(&self) -> usize {
        self.request.parameters.concurrency()
    }
}

fn attempt(request: crate::bitbucket::ApiRequest) -> Attempt {
    Attempt { request, tries: 0 }
}

fn attempt_of<T>(call: crate::bitbucket::Call<T>) -> Attempt {
    attempt(call.request)
}

/// `manifest` with its project file keyed by `project_id`, so that trees of two projects compare their
/// project files; copied only when that changes it.
fn rekeyed<'m>(manifest: &'m Manifest, project_id: Option<&ArtifactId>) -> Cow<'m, Manifest> {
    let Some(id) = project_id else {
        return Cow::Borrowed(manifest);
    };
    let other = |entry: &ManifestEntry| entry.kind == ArtifactKind::Project && entry.id != *id;
    if !manifest.files.iter().any(other) {
        return Cow::Borrowed(manifest);
    }
    let mut manifest = manifest.clone();
    for entry in &mut manifest.files {
        if entry.kind == ArtifactKind::Project {
            entry.id = id.clone();
        }
    }
    Cow::Owned(manifest)
}

/// Whether the pull may take the remote version and does not have its bytes locally.
fn needs_remote(classified: &Classified) -> bool {
    let may_take = matches!(
        classified.status,
        Status::Remote(SideChange::Added | SideChange::Changed) | Status::Conflict(_)
    );
    match (&classified.remote, &classified.local) {
        (Some(remote), Some(local)) => may_take && remote.sha256 != local.sha256,
        (Some(_), None) => may_take,
        (None, _) => false,
    }
}

/// Whether an artifact changed on both sides could be merged (both sides have it).
fn wants_merge(classified: &Classified) -> bool {
    classified.status.is_conflict() && classified.local.is_some() && classified.remote.is_some()
}

/// The kind of artifact file at a repository path, or why the path cannot be one.
fn path_kind(path: &str, options: &LayoutOptions) -> Result<ArtifactKind, TreeErrorKind> {
    let relative = options
        .relative(path)
        .ok_or_else(|| TreeErrorKind::OutsideRoot {
            root: options.root().to_owned(),
        })?;
    if let Ok(place) = ArtifactPath::parse(relative) {
        return Ok(place.kind());
    }
    // The reader says precisely why (unsafe path, invalid id, unknown file).
    let single = ProjectFiles::from([(path.to_owned(), Vec::new())]);
    let errors = from_files(&single, options, &ReadLimits::default()).err();
    Err(errors
        .into_iter()
        .flat_map(|e| e.0)
        .map(|e| e.kind)
        .find(|kind| {
            matches!(
                kind,
                TreeErrorKind::UnsafePath { .. } | TreeErrorKind::InvalidId(_)
            )
        })
        .unwrap_or(TreeErrorKind::UnknownFile))
}

/// The manifest entry of a file read from a tree without manifest.
fn entry_of(path: &str, bytes: &[u8], options: &LayoutOptions) -> Option<ManifestEntry> {
    let place = ArtifactPath::parse(options.relative(path)?).ok()?;
    let id = match &place {
        ArtifactPath::Project => serde_json::from_slice::<serde_json::Value>(bytes)
            .ok()?
            .get("id")?
            .as_str()
            .and_then(|id| ArtifactId::new(id).ok())?,
        ArtifactPath::Suite { id }
        | ArtifactPath::Scenario { id, .. }
        | ArtifactPath::TestCase { id, .. }
        | ArtifactPath::ElementRepository { id }
        | ArtifactPath::DataTable { id }
        | ArtifactPath::DataTableRows { id }
        | ArtifactPath::ExecutionList { id } => id.clone(),
    };
    Some(ManifestEntry {
        path: path.to_owned(),
        sha256: sha256_hex(bytes),
        id,
        kind: place.kind(),
    })
}

/// The `name` of an artifact file, if it has one.
fn name_of(bytes: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Named {
        name: String,
    }
    serde_json::from_slice::<Named>(bytes).ok().map(|n| n.name)
}

/// Problems of a file by itself, as opposed to problems of the tree's structure (a missing parent or
/// child), which only the merged tree can tell.
fn is_content_problem(kind: &TreeErrorKind) -> bool {
    matches!(
        kind,
        TreeErrorKind::UnsafePath { .. }
            | TreeErrorKind::OutsideRoot { .. }
            | TreeErrorKind::InvalidId(_)
            | TreeErrorKind::UnknownFile
            | TreeErrorKind::TooLarge { .. }
            | TreeErrorKind::InvalidJson { .. }
            | TreeErrorKind::InvalidCsv(_)
            | TreeErrorKind::NewerSchema { .. }
            | TreeErrorKind::IdMismatch { .. }
            | TreeErrorKind::DuplicateId { .. }
    )
}

/// What applying does with one artifact file.
enum Outcome<'a> {
    Keep,
    TakeTheirs,
    Merged(&'a TestCase),
}

/// Rounds of leaving out unreadable files (each round can orphan the children of what it left out).
const MAX_PRUNING_ROUNDS: usize = 8;

/// The keys of parent files that list children by id.
const CHILD_LISTS: [&str; 6] = [
    "suites",
    "scenarios",
    "test_cases",
    "element_repositories",
    "data_tables",
    "execution_lists",
];

impl PullPreview {
    /// The artifacts the user must settle before applying.
    pub fn conflicts(&self) -> impl Iterator<Item = &ArtifactChange> {
        self.artifacts.iter().filter(|a| a.status().is_conflict())
    }

    /// What restoring this preview's commit changes in a project whose files `local` lists: the
    /// artifact files that differ (each [`Status::Remote`]: added, changed or deleted by the restore),
    /// named as the repository names them, else by `local_name`; and how many are the same. A restore
    /// plans with no local side, so [`PullPreview::artifacts`] lists every file as new.
    pub fn restore_changes(
        &self,
        local: &Manifest,
        local_name: &dyn Fn(&ArtifactId) -> Option<String>,
    ) -> (Vec<ArtifactChange>, usize) {
        let (differing, same) = classify_differences(Some(local), local, &self.remote_manifest);
        let remote_names: BTreeMap<&ArtifactKey, &str> = self
            .artifacts
            .iter()
            .map(|a| (&a.key, a.name.as_str()))
            .collect();
        let changes = differing
            .into_iter()
            .map(|(key, classified)| {
                let file = || {
                    let path = classified.base.as_ref().or(classified.remote.as_ref());
                    path.map(|e| e.path.rsplit('/').next().unwrap_or(&e.path).to_owned())
                };
                let name = remote_names
                    .get(&key)
                    .map(|name| (*name).to_owned())
                    .or_else(|| local_name(&key.0))
                    .or_else(file)
                    .unwrap_or_else(|| key.0.to_string());
                ArtifactChange {
                    key,
                    name,
                    classified,
                }
            })
            .collect();
        (changes, same)
    }

    /// The problem of a remote file, if it has one.
    pub fn problem(&self, path: &str) -> Option<&PullProblem> {
        self.problems.iter().find(|p| p.path == path)
    }

    /// The problem of an artifact's file in the repository, if it has one.
    fn remote_problem(&self, change: &ArtifactChange) -> Option<&PullProblem> {
        let remote = change.classified.remote.as_ref()?;
        self.problem(&remote.path)
    }

    /// Builds the project the pull gives from the local project the preview was planned with, without
    /// any request: local artifacts changed only in the repository take the repository's version, local
    /// changes stay, conflicts are settled by `resolutions` (every conflict needs one, else nothing is
    /// applied). Files that cannot be read make it fail unless `include_invalid`: then they are left out
    /// (a changed artifact keeps its local version) and listed in [`AppliedPull::skipped`]. The caller
    /// stores the result only over the very record it planned with (a newer one is another tab's work).
    pub fn apply(
        &self,
        resolutions: &BTreeMap<ArtifactKey, Resolution>,
        include_invalid: bool,
    ) -> Result<AppliedPull, SyncError> {
        self.apply_knowing(resolutions, include_invalid, &KnownTestCases::new())
    }

    /// [`PullPreview::apply`] with the project the preview's local files were written from (by
    /// [`LocalFiles::of`]): the same result, faster on a large project. When all the pull takes is test
    /// cases whose files stay where they are (the usual pull of a team's edits), it replaces them in a
    /// copy of the project; otherwise it reads the merged files, taking the test cases whose files it
    /// keeps from the project instead of reading them again.
    pub fn apply_over(
        &self,
        resolutions: &BTreeMap<ArtifactKey, Resolution>,
        include_invalid: bool,
        local_project: &Project,
    ) -> Result<AppliedPull, SyncError> {
        let Some(local) = &self.local else {
            return self.apply(resolutions, include_invalid);
        };
        self.check_resolved(resolutions)?;
        if let Some(applied) = self.replace_test_cases(resolutions, local_project) {
            return applied;
        }
        let cases: BTreeMap<&ArtifactId, &TestCase> = local_project
            .test_cases()
            .map(|case| (&case.id, case))
            .collect();
        let known: KnownTestCases = local
            .manifest
            .files
            .iter()
            .filter(|entry| entry.kind == ArtifactKind::TestCase)
            .filter_map(|entry| {
                let bytes = local.files.get(&entry.path)?;
                Some((
                    entry.path.as_str(),
                    (bytes.as_slice(), *cases.get(&entry.id)?),
                ))
            })
            .collect();
        self.apply_knowing(resolutions, include_invalid, &known)
    }

    /// Every conflict needs a resolution.
    fn check_resolved(
        &self,
        resolutions: &BTreeMap<ArtifactKey, Resolution>,
    ) -> Result<(), SyncError> {
        let unresolved = self
            .conflicts()
            .filter(|a| !resolutions.contains_key(&a.key))
            .count();
        match unresolved {
            0 => Ok(()),
            count => Err(SyncError::UnresolvedConflicts { count }),
        }
    }

    /// The pull applied to a copy of `local_project`, when every artifact it takes is a test case whose
    /// file stays at its local path and reads cleanly; `None` otherwise (the files are then read whole).
    fn replace_test_cases(
        &self,
        resolutions: &BTreeMap<ArtifactKey, Resolution>,
        local_project: &Project,
    ) -> Option<Result<AppliedPull, SyncError>> {
        let mut counts = PullCounts::default();
        let mut taken: BTreeMap<&ArtifactId, TestCase> = BTreeMap::new();
        let limits = ReadLimits::default();
        for change in &self.artifacts {
            let outcome = match self.outcome(change, resolutions, &mut counts) {
                Ok(outcome) => outcome,
                Err(error) => return Some(Err(error)),
            };
            if matches!(outcome, Outcome::Keep) {
                continue;
            }
            let classified = &change.classified;
            let (local, remote) = (classified.local.as_ref()?, classified.remote.as_ref()?);
            let in_place = change.kind() == ArtifactKind::TestCase
                && classified.renamed_remotely().is_none()
                && local.path == remote.path;
            if !in_place {
                return None;
            }
            let case = match outcome {
                Outcome::Merged(case) => case.clone(),
                _ => {
                    counts.changed += 1;
                    if self.problem(&remote.path).is_some() {
                        return None;
                    }
                    match self.downloaded.get(&remote.path) {
                        Some(bytes) => read_test_case(&remote.path, bytes, &self.options, &limits)?,
                        // The same content on both sides: nothing to take.
                        None if local.sha256 == remote.sha256 => continue,
                        None => return None,
                    }
                }
            };
            taken.insert(&change.key.0, case);
        }
        let mut project = local_project.clone();
        let cases = project
            .suites
            .iter_mut()
            .flat_map(|suite| &mut suite.scenarios)
            .flat_map(|scenario| &mut scenario.test_cases);
        for case in cases {
            if let Some(pulled) = taken.remove(&case.id) {
                *case = pulled;
            }
        }
        // A test case the project does not hold: not the project the preview was planned with.
        if !taken.is_empty() {
            return None;
        }
        Some(Ok(self.applied(project, counts, Vec::new())))
    }

    fn apply_knowing(
        &self,
        resolutions: &BTreeMap<ArtifactKey, Resolution>,
        include_invalid: bool,
        known: &KnownTestCases,
    ) -> Result<AppliedPull, SyncError> {
        self.check_resolved(resolutions)?;
        let mut files = self
            .local
            .as_ref()
            .map(|l| l.files.clone())
            .unwrap_or_default();
        let mut counts = PullCounts::default();
        let mut invalid = Vec::new();
        let mut skipped = Vec::new();
        for change in &self.artifacts {
            let classified = &change.classified;
            let local_path = classified.local.as_ref().map(|l| l.path.clone());
            match self.outcome(change, resolutions, &mut counts)? {
                Outcome::Keep => {}
                Outcome::Merged(case) => {
                    // The repository's path when it renamed or moved the test case, else the local one.
                    let path = classified
                        .renamed_remotely()
                        .map(|(_, to)| to.to_owned())
                        .or(local_path.clone())
                        .unwrap_or_default();
                    local_path.map(|p| files.remove(&p));
                    files.insert(path, to_canonical_json(case));
                }
                Outcome::TakeTheirs => match &classified.remote {
                    None => {
                        local_path.map(|p| files.remove(&p));
                        counts.deleted += 1;
                    }
                    Some(remote) => {
                        let bytes = self.downloaded.get(&remote.path).cloned().or_else(|| {
                            let same = classified.local.as_ref()?.sha256 == remote.sha256;
                            same.then(|| files.get(local_path.as_ref()?).cloned())?
                        });
                        let problem = self.problem(&remote.path).cloned().or_else(|| {
                            bytes.is_none().then(|| {
                                PullProblem::tree(&remote.path, TreeErrorKind::MissingFile)
                            })
                        });
                        if let Some(problem) = problem {
                            if include_invalid {
                                skipped.push(problem.to_tree_error());
                            } else {
                                invalid.push(problem.to_tree_error());
                            }
                            continue;
                        }
                        if let Some(old) = &local_path {
                            files.remove(old);
                            counts.changed += 1;
                            counts.renamed += usize::from(*old != remote.path);
                        } else {
                            counts.added += 1;
                        }
                        files.insert(remote.path.clone(), bytes.unwrap_or_default());
                    }
                },
            }
        }
        if !invalid.is_empty() {
            return Err(SyncError::InvalidFiles { errors: invalid });
        }
        let (project, pruned) = read_merged(files, &self.options, include_invalid, known)?;
        skipped.extend(pruned);
        Ok(self.applied(project, counts, skipped))
    }

    /// The pull's result: `project`, and the pulled commit as the new base.
    fn applied(
        &self,
        project: Project,
        mut counts: PullCounts,
        skipped: Vec<TreeError>,
    ) -> AppliedPull {
        counts.skipped = skipped.len();
        AppliedPull {
            project,
            base: SyncBase {
                branch: self.source.base_key(&self.commit),
                commit: self.commit.clone(),
                manifest: self.remote_manifest.clone(),
            },
            counts,
            skipped,
        }
    }

    fn outcome<'a>(
        &'a self,
        change: &ArtifactChange,
        resolutions: &BTreeMap<ArtifactKey, Resolution>,
        counts: &mut PullCounts,
    ) -> Result<Outcome<'a>, SyncError> {
        Ok(match change.status() {
            Status::Remote(_) => Outcome::TakeTheirs,
            Status::Conflict(_) => match resolutions.get(&change.key) {
                Some(Resolution::TakeTheirs) => {
                    counts.took_theirs += 1;
                    Outcome::TakeTheirs
                }
                Some(Resolution::MergeSteps) => {
                    if let Some(problem) = self.remote_problem(change) {
                        return Err(SyncError::MergeOfProblemFile {
                            name: change.name.clone(),
                            problem: problem.clone(),
                        });
                    }
                    let merged = self.merges.get(&change.key).and_then(|m| m.merged.as_ref());
                    let case = merged.ok_or_else(|| SyncError::MergeImpossible {
                        name: change.name.clone(),
                    })?;
                    counts.merged += 1;
                    Outcome::Merged(case)
                }
                _ => {
                    counts.kept_mine += 1;
                    Outcome::Keep
                }
            },
            _ => Outcome::Keep,
        })
    }
}

/// Reads the merged files. With `include_invalid`, unreadable files are left out round by round (and
/// their ids taken out of their parents' lists) until the rest reads; the project file itself cannot
/// be left out.
fn read_merged(
    mut files: ProjectFiles,
    options: &LayoutOptions,
    include_invalid: bool,
    known: &KnownTestCases,
) -> Result<(Project, Vec<TreeError>), SyncError> {
    let limits = ReadLimits {
        verify_manifest: false,
        ..ReadLimits::default()
    };
    let mut skipped = Vec::new();
    for _ in 0..MAX_PRUNING_ROUNDS {
        match from_files_knowing(&files, options, &limits, known) {
            Ok(project) => return Ok((project, skipped)),
            Err(errors) if include_invalid => {
                let Some(removed) = prune(&mut files, errors.0.clone(), options) else {
                    return Err(SyncError::InvalidFiles { errors: errors.0 });
                };
                skipped.extend(removed);
            }
            Err(errors) => return Err(SyncError::InvalidFiles { errors: errors.0 }),
        }
    }
    from_files_knowing(&files, options, &limits, known)
        .map(|project| (project, skipped))
        .map_err(|errors| SyncError::InvalidFiles { errors: errors.0 })
}

/// Leaves out the files of `errors` and takes missing or repeated children out of their parents'
/// lists; the errors of the files left out, or `None` when the project file itself is unreadable.
fn prune(
    files: &mut ProjectFiles,
    errors: Vec<TreeError>,
    options: &LayoutOptions,
) -> Option<Vec<TreeError>> {
    let project_path = options.full_path(crate::artifacts::PROJECT_FILE);
    let mut removed = Vec::new();
    for error in errors {
        let child = match &error.kind {
            TreeErrorKind::MissingChild { id, .. } | TreeErrorKind::ListedTwice { id } => id,
            _ if error.path == project_path => return None,
            _ => {
                if files.remove(&error.path).is_some() {
                    removed.push(error);
                }
                continue;
            }
        };
        let bytes = files.get(&error.path)?;
        let mut value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
        for key in CHILD_LISTS {
            if let Some(list) = value.get_mut(key).and_then(serde_json::Value::as_array_mut) {
                let mut seen = false;
                list.retain(|item| {
                    let keep = item.as_str() != Some(child.as_str())
                        || (matches!(error.kind, TreeErrorKind::ListedTwice { .. }) && !seen);
                    seen |= item.as_str() == Some(child.as_str());
                    keep
                });
            }
        }
        files.insert(error.path.clone(), to_canonical_json(&value));
    }
    Some(removed)
}
