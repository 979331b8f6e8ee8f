//! The pull planner: its stages, the requests they send, and how it starts.

use std::collections::{BTreeMap, BTreeSet};

use super::preview::{BulkRead, ChangesCheck, PullPreview};
use super::problem::PullProblem;
use super::request::{PullRequest, PullSource};
use crate::artifacts::{
    is_manifest_file, ArtifactKey, LayoutOptions, Manifest, ProjectFiles, SharedFiles,
};
use crate::bitbucket::cloud::FileChange;
use crate::bitbucket::{Api, ApiError, ApiResponse, CommitSummary, Pager};
use crate::sync::attempt::{Attempt, Retrying};
use crate::sync::error::SyncError;
use crate::sync::job::{single_answer, Job, JobStep, Phase, Progress};
use crate::sync::local::{empty_commit, LocalFiles, LocalSide, SyncBase};
use crate::sync::manifest_read::ManifestRead;
use crate::sync::parts::FolderPart;
use crate::sync::remote::{Listing, Remote};
use crate::sync::sides::check_sides;
use crate::sync::three_way::Classified;
use crate::sync::unlisted::UnlistedFile;

/// A remote or base file to download.
#[derive(Debug, Clone)]
pub(super) struct Fetch {
    pub(super) path: String,
    /// The base version (for a step merge) rather than the remote one.
    pub(super) base: bool,
}

#[derive(Debug)]
pub(super) enum Stage {
    Resolve(Attempt<CommitSummary>),
    Manifest(ManifestRead),
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
        /// The paths of the pending reads at the tip the parts have not given yet.
        waiting: BTreeSet<String>,
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
pub(super) struct ArchiveRound {
    /// The parts to ask for (again), and why when they were refused for a while.
    pub(super) again: Vec<FolderPart>,
    /// Cloud ranges too large to produce in time, to split.
    pub(super) split: Vec<FolderPart>,
    pub(super) retry_error: Option<ApiError>,
    pub(super) pending: Vec<Fetch>,
    /// The paths of the pending reads at the tip the parts have not given yet.
    pub(super) waiting: BTreeSet<String>,
    pub(super) tries: u32,
}

/// Reads the repository and computes what a pull would change (the dialog's preview). With a per-file
/// [`crate::sync::Strategy`] (benchmarks only) it ignores the manifest and any base once the source is
/// resolved: it lists the artifact folder and reads every file (one at a time for the sequential one),
/// and the preview is that of a commit without manifest.
#[derive(Debug)]
pub struct PullPlanner {
    pub(super) remote: Remote,
    pub(super) request: PullRequest,
    pub(super) local: LocalSide,
    pub(super) options: LayoutOptions,
    pub(super) stage: Stage,
    pub(super) retrying: Retrying,
    pub(super) tip: CommitSummary,
    /// The remote manifest; `None` while unknown or when the commit has none.
    pub(super) manifest: Option<Manifest>,
    pub(super) changes: Vec<FileChange>,
    pub(super) changes_check: ChangesCheck,
    /// The answer to the first page of the diff since the base, asked for beside the manifest.
    pub(super) early_changes: Option<Result<ApiResponse, ApiError>>,
    pub(super) listed: BTreeSet<String>,
    /// The files read for the pull, shared with the project it applies (not copied).
    pub(super) downloaded: SharedFiles,
    pub(super) base_files: ProjectFiles,
    pub(super) problems: Vec<PullProblem>,
    pub(super) disagreements: Vec<String>,
    pub(super) classified: BTreeMap<ArtifactKey, Classified>,
    /// Artifacts the same on all sides, or changed the same way on both (not in `classified`).
    pub(super) unchanged: usize,
    /// The manifest the comparison used (the remote one less its unusable entries, or one built from
    /// the files).
    pub(super) compared: Manifest,
    pub(super) managed: bool,
    pub(super) unlisted: Vec<UnlistedFile>,
    pub(super) bulk: Option<BulkRead>,
    /// Files the diff since the base says changed, read beside the manifest's parts (sent once).
    pub(super) prefetch: Prefetch,
    pub(super) result: Option<Result<PullPreview, SyncError>>,
}

/// The files a pull reads beside the manifest's parts, before it knows it needs them: those the diff
/// since the base says changed, which it most likely downloads next (a round trip saved).
#[derive(Debug, Default)]
pub(super) struct Prefetch {
    /// Whether they were chosen (once per pull).
    pub(super) chosen: bool,
    /// The paths to read with the next round of parts.
    pub(super) paths: Vec<String>,
    /// What they held.
    pub(super) files: ProjectFiles,
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

    pub(super) fn with_local(api: Api, request: PullRequest, local: LocalSide) -> Self {
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
            downloaded: SharedFiles::new(),
            base_files: ProjectFiles::new(),
            problems: Vec::new(),
            disagreements: Vec::new(),
            classified: BTreeMap::new(),
            unchanged: 0,
            compared: Manifest::from_entries(Vec::new()),
            managed: false,
            unlisted: Vec::new(),
            bulk: None,
            prefetch: Prefetch::default(),
            result: None,
            remote,
            request,
            options: local.options(),
            local,
        };
        planner.stage = match planner.request.source.canonical() {
            Ok(source) => {
                planner.request.source = source;
                Stage::Resolve(Attempt::new(planner.resolve_call()))
            }
            Err(error) => planner.fail(error),
        };
        planner
    }

    pub(super) fn resolve_call(&self) -> crate::bitbucket::Call<CommitSummary> {
        match &self.request.source {
            PullSource::Branch(name) => self.remote.tip(name),
            PullSource::Tag(name) => self.remote.tag_commit(name),
            PullSource::Commit(hash) => self.remote.commit(hash),
        }
    }

    /// The base the comparison uses: none when restoring, nor for a per-file baseline.
    pub(super) fn base(&self) -> Option<&SyncBase> {
        let restoring = matches!(self.local, LocalSide::None);
        self.request
            .base
            .as_ref()
            .filter(|_| !restoring && !self.baseline())
    }

    /// Whether this pull is a per-file baseline (benchmarks): it ignores the manifest and any base, and
    /// lists the folder and reads every file, as for a commit without manifest.
    pub(super) fn baseline(&self) -> bool {
        !self.request.parameters.strategy.is_planned()
    }

    /// Whether a repository path is one of the manifest's files (its root or a part).
    pub(super) fn is_manifest_path(&self, path: &str) -> bool {
        self.options.relative(path).is_some_and(is_manifest_file)
    }

    pub(super) fn fail(&mut self, error: SyncError) -> Stage {
        self.result = Some(Err(error));
        Stage::Done
    }

    pub(super) fn not_found(&self) -> SyncError {
        match &self.request.source {
            PullSource::Branch(branch) => SyncError::BranchNotFound {
                branch: branch.clone(),
            },
            PullSource::Tag(name) => SyncError::VersionNotFound { name: name.clone() },
            PullSource::Commit(hash) => SyncError::CommitNotFound { hash: hash.clone() },
        }
    }

    pub(super) fn list_root(&self) -> Stage {
        Stage::Listing {
            open: vec![self.remote.listing(&self.tip.id, self.options.root())],
            tries: 0,
        }
    }

    /// After the manifest: check it against the diff since the base, or (Data Center, no base) list the
    /// folder to count the files it no longer lists; then download.
    pub(super) fn after_manifest(&mut self) -> Stage {
        match self.changes_pager() {
            Some(pager) => match self.early_changes.take() {
                Some(answer) => self.handle_changes(pager, 0, answer),
                None => Stage::Changes { pager, tries: 0 },
            },
            None if self.base().is_some() => self.plan_downloads(),
            // Data Center cannot delete: the files a manifest dropped stay in git.
            None if !self.remote.can_delete_files() => self.list_root(),
            None => self.plan_downloads(),
        }
    }

    /// The diff since the base, when there is a base other than the tip.
    pub(super) fn changes_pager(&self) -> Option<Box<Pager<FileChange>>> {
        let base = self.base().filter(|base| base.commit != self.tip.id)?;
        Some(Box::new(self.remote.changes(&self.tip.id, &base.commit)))
    }
}

impl Job for PullPlanner {
    type Output = Result<PullPreview, SyncError>;

    fn next(&mut self) -> JobStep<Self::Output> {
        if let Some(wait) = self.retrying.take_wait() {
            return wait;
        }
        let (requests, phase) = match &self.stage {
            Stage::Resolve(a) => (vec![a.call.request.clone()], Phase::ReadingBranch),
            // The first page of the diff since the base goes beside the manifest (it is read after it).
            Stage::Manifest(read) => {
                let early = read
                    .first_request()
                    .then(|| self.changes_pager()?.next_request())
                    .flatten();
                let prefetch = self.prefetch.paths.iter().filter(|_| read.reads_parts());
                let prefetch =
                    prefetch.map(|path| self.remote.read_file(&self.tip.id, path).request);
                (
                    read.requests()
                        .into_iter()
                        .chain(early)
                        .chain(prefetch)
                        .collect(),
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
                waiting,
                tries,
            } => self.handle_archive((parts, waiting, tries), pending, answers),
            Stage::Split(round) => self.handle_split(*round, answers),
            Stage::Manifest(read) => {
                let mut answers = answers;
                if read.first_request() && answers.len() > 1 {
                    self.early_changes = answers.pop();
                }
                if read.reads_parts() {
                    let paths = std::mem::take(&mut self.prefetch.paths);
                    let answered = answers.split_off(answers.len().saturating_sub(paths.len()));
                    self.prefetched(paths, answered);
                }
                let outcome = read.handle(&self.remote, &mut self.retrying, answers);
                self.after_manifest_read(outcome)
            }
            done @ (Stage::Done | Stage::Unpack { .. }) => done,
            single => {
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
                for files in unpacked {
                    self.take_archived(&mut round, files);
                }
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
    /// manifest's read after it is long enough to hide the writing; checks them and the base for the
    /// comparison meanwhile.
    fn while_waiting(&mut self) {
        if !matches!(self.stage, Stage::Resolve(_)) {
            self.local.written();
            check_sides(self.local.files(), self.base());
        }
    }

    fn concurrency(&self) -> usize {
        self.request.parameters.concurrency()
    }
}
