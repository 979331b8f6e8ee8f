//! Pushing a project's test artifacts to a branch, in two jobs: [`PushPlanner`] reads the branch and
//! computes the [`ChangeSet`] the dialog previews; [`PushSender`] writes it.
//!
//! Bitbucket Cloud: the change is one `POST /src` (new and changed files, deletions, the manifest) with
//! `parents` set to the tip it was computed from, so it is one atomic commit and a branch that moved
//! answers 409. Above the SCM limits it becomes a chain of commits with the manifest in the last one.
//!
//! Bitbucket Data Center has no multi-file commit and no file delete in its REST API: one
//! `PUT browse/{path}` per changed file, chained by `sourceCommitId`, and the manifest last. The manifest
//! is the publication point: readers trust only what it lists, so an interrupted push is invisible until it
//! lands, and a deleted artifact is dropped from it (its file stays in git).
//!
//! A request left without an answer (timeout, dropped connection, 5xx) on a commit is never resent
//! blindly: the branch tip is read first, and if the commit landed the push carries on.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use serde::{Deserialize, Serialize};

use super::change_set::{ChangeSet, CommitPart, Comparison, RemoteState};
use super::job::{single_answer, Job, JobStep, Phase, Progress};
use super::params::ScmParameters;
use super::remote::{Listed, Listing, Remote};
use super::retry::{Failure, RetryPolicy};
use super::{refused_manifest, SyncError};
use crate::artifacts::{
    artifact_files_and_manifest, ArtifactId, ArtifactKind, FileMemo, LayoutOptions, Manifest,
    Project, ProjectFiles, MANIFEST_FILE, MAX_MANIFEST_BYTES,
};
use crate::bitbucket::cloud::{FileChange, FileChangeKind};
use crate::bitbucket::{
    cloud::CommitFiles, datacenter::EditFile, git_http, Api, ApiError, ApiRequest, ApiResponse,
    Call, CommitSummary, Pager,
};
use crate::counts::counted;
use crate::git::{Advertisement, Object, TreeSnapshot};
use crate::names::RefKind;
use crate::repo_url::Flavour;
use crate::roles::{decide_any, permit_push, Activity, Decision, Role, WritePermit};

/// The state of a branch that the local project was last synced with (by a push or a pull): the base of
/// the next push and of a pull's three-way comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncBase {
    /// The branch.
    pub branch: String,
    /// The commit.
    pub commit: String,
    /// The manifest at that commit.
    pub manifest: Manifest,
}

/// What the user asked to push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushRequest {
    /// The roles of the user pushing.
    pub roles: Vec<Role>,
    /// The repository's main branch, when known (from the connection test).
    pub main_branch: Option<String>,
    /// The branch to push to.
    pub branch: String,
    /// Create `branch` from this branch (it must not exist yet).
    pub new_branch_from: Option<String>,
    /// The commit message (required).
    pub message: String,
    /// A version name, tagged on the pushed commit (it must not exist yet).
    pub version: Option<String>,
    /// Push only artifacts in review state Approved.
    pub approved_only: bool,
    /// The project's SCM parameters.
    pub parameters: ScmParameters,
    /// The last sync with `branch` (for a new branch, with the branch it is made from), if any.
    pub base: Option<SyncBase>,
    /// Seeds the retry jitter.
    pub seed: u64,
}

/// The local side of a push: the project as files.
#[derive(Debug, Clone)]
pub struct LocalFiles {
    /// Every file but the manifest.
    pub files: ProjectFiles,
    /// The manifest of those files.
    pub manifest: Manifest,
    /// Artifacts in review state Approved.
    pub approved: BTreeSet<ArtifactId>,
    /// The layout.
    pub options: LayoutOptions,
}

impl LocalFiles {
    /// The files of a project in the default layout.
    pub fn of(project: &Project) -> Self {
        let options = LayoutOptions::default();
        let written = artifact_files_and_manifest(project, &options);
        Self::from_written(project, written, options)
    }

    /// [`LocalFiles::of`], writing again only what changed since `memo`'s last write.
    pub fn remembered(project: &Project, memo: &mut FileMemo) -> Self {
        let options = LayoutOptions::default();
        let written = memo.files_and_manifest(project, &options);
        Self::from_written(project, written, options)
    }

    fn from_written(
        project: &Project,
        (files, manifest): (ProjectFiles, Manifest),
        options: LayoutOptions,
    ) -> Self {
        LocalFiles {
            files,
            manifest,
            approved: project.approved_ids(),
            options,
        }
    }
}

/// The local side of a job: the project's files, given or written when the job first has time
/// ([`super::Job::while_waiting`]), or none (a restore, or a push planner whose plan took them).
pub(crate) enum LocalSide {
    /// No local files.
    None,
    /// The files, still to be written.
    Deferred(Box<dyn FnOnce() -> LocalFiles>),
    /// The files.
    Files(LocalFiles),
}

impl LocalSide {
    /// Files still to be written by `write`.
    pub(crate) fn deferred(write: impl FnOnce() -> LocalFiles + 'static) -> Self {
        LocalSide::Deferred(Box::new(write))
    }

    /// The layout of the files: theirs when given, else the default (the layout deferred files are
    /// written in).
    pub(crate) fn options(&self) -> LayoutOptions {
        match self {
            LocalSide::Files(files) => files.options.clone(),
            LocalSide::None | LocalSide::Deferred(_) => LayoutOptions::default(),
        }
    }

    /// The files, written now if they were deferred.
    pub(crate) fn written(&mut self) -> Option<&LocalFiles> {
        if matches!(self, LocalSide::Deferred(_)) {
            if let LocalSide::Deferred(write) = std::mem::replace(self, LocalSide::None) {
                *self = LocalSide::Files(write());
            }
        }
        self.files()
    }

    /// The files once written; `None` while deferred.
    pub(crate) fn files(&self) -> Option<&LocalFiles> {
        match self {
            LocalSide::Files(files) => Some(files),
            LocalSide::None | LocalSide::Deferred(_) => None,
        }
    }

    /// The files, written now if they were deferred, leaving none.
    pub(crate) fn take(&mut self) -> Option<LocalFiles> {
        self.written();
        match std::mem::replace(self, LocalSide::None) {
            LocalSide::Files(files) => Some(files),
            LocalSide::None | LocalSide::Deferred(_) => None,
        }
    }
}

impl std::fmt::Debug for LocalSide {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LocalSide::None => f.write_str("None"),
            LocalSide::Deferred(_) => f.write_str("Deferred"),
            LocalSide::Files(files) => f.debug_tuple("Files").field(files).finish(),
        }
    }
}

/// A planned push: where it starts from and what it changes.
#[derive(Debug, Clone)]
pub struct PushPlan {
    /// The request it was planned for.
    pub request: PushRequest,
    /// The commit the change is based on (the branch tip, or the source branch's tip for a new branch).
    pub tip: CommitSummary,
    /// Whether the branch is created by the push.
    pub creates_branch: bool,
    /// What the branch holds under the artifact root.
    pub remote: RemoteState,
    /// Repository paths known to exist at `tip` (the manifest's files, or those listed).
    pub remote_paths: BTreeSet<String>,
    /// The branch's manifest could not be read; it is treated as a branch without one.
    pub manifest_damaged: bool,
    /// The branch holds our manifest and this copy never synced with it: what both hold differently is
    /// a conflict ([`ChangeSet::conflicts`]).
    pub never_synced: bool,
    /// The request's main branch was read from the repository while planning (it is, for the roles
    /// whose rights depend on it).
    pub main_branch_read: bool,
    /// What the push writes.
    pub changes: ChangeSet,
    /// The local files.
    pub local: LocalFiles,
    /// Requests the planning took.
    pub requests: usize,
    /// The folders of `tip` as a fetch of its trees told them (Data Center over git, when the plan
    /// needed them): the push builds its trees from them without reading them again.
    pub trees: Option<Rc<TreeSnapshot>>,
}

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

/// Checks what can be checked before any request: role, message, names.
pub fn check_request(request: &PushRequest) -> Result<(), SyncError> {
    drop(check_as(&request.roles, request)?);
    Names::of(request).map(drop)
}

/// [`check_request`] for a user holding `roles`, but for the names: the permit to write to the request's
/// branch.
fn check_as(roles: &[Role], request: &PushRequest) -> Result<WritePermit, SyncError> {
    let permit = check_role(roles, request)?;
    if request.message.trim().is_empty() {
        return Err(SyncError::MessageRequired);
    }
    Ok(permit)
}

/// The branch and version names of a push, in canonical form ([`RefKind::canonical`]): the form that
/// every request and every comparison uses.
struct Names {
    branch: String,
    new_branch_from: Option<String>,
    version: Option<String>,
}

impl Names {
    /// The names of `request`, or why one of them cannot be pushed.
    fn of(request: &PushRequest) -> Result<Names, SyncError> {
        let canonical = |kind: RefKind, name: &Option<String>| {
            name.as_deref().map(|name| kind.canonical(name)).transpose()
        };
        let names = Names {
            branch: RefKind::Branch.canonical(&request.branch)?,
            new_branch_from: canonical(RefKind::Branch, &request.new_branch_from)?,
            version: canonical(RefKind::Version, &request.version)?,
        };
        if names.version.as_ref() == Some(&names.branch) {
            return Err(SyncError::VersionIsBranch { name: names.branch });
        }
        Ok(names)
    }

    /// `request` with these names.
    fn apply(self, request: PushRequest) -> PushRequest {
        PushRequest {
            branch: self.branch,
            new_branch_from: self.new_branch_from,
            version: self.version,
            ..request
        }
    }
}

/// What the user says when they press Push, checked against the plan before anything is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation {
    /// The user's roles at Push (a portal may have changed them since the preview).
    pub roles: Vec<Role>,
    /// The user chose to overwrite the plan's conflicts with this copy's versions.
    pub overwrite: bool,
}

impl Confirmation {
    /// Whether `plan` may be sent: the push is allowed to the roles now, and its conflicts, if any,
    /// are overwritten by the user's choice with a role that may. When it may, the permit to write to
    /// the plan's branch ([`crate::sync::Remote::writer`]).
    pub fn check(&self, plan: &PushPlan) -> Result<WritePermit, SyncError> {
        // The plan read the main branch only for the roles it was made for: roles whose answer depends
        // on it now need a new preview.
        if !plan.main_branch_read && main_branch_matters(&self.roles, &plan.request.branch) {
            return Err(SyncError::RolesChanged);
        }
        let permit = check_as(&self.roles, &plan.request)?;
        let conflicts = &plan.changes.conflicts;
        if conflicts.is_empty() {
            return Ok(permit);
        }
        if !self.overwrite {
            return Err(SyncError::ConflictsOnBranch {
                branch: plan.request.branch.clone(),
                count: conflicts.len(),
                never_synced: plan.never_synced,
            });
        }
        match decide_any(&self.roles, &Activity::OverwriteBranchChanges) {
            Decision::Allowed => Ok(permit),
            Decision::Denied(denial) => Err(SyncError::Denied(denial)),
        }
    }
}

/// One request in flight, with how often it was tried.
#[derive(Debug, Clone)]
pub(crate) struct Attempt {
    pub(crate) request: ApiRequest,
    pub(crate) tries: u32,
}

/// Retries shared by the sync jobs.
#[derive(Debug)]
pub(crate) struct Retrying {
    policy: RetryPolicy,
    wait: Option<u32>,
    pub(crate) progress: Progress,
}

impl Retrying {
    pub(crate) fn new(parameters: &ScmParameters, seed: u64) -> Self {
        Retrying {
            policy: RetryPolicy::new(
                parameters.scm_retry_count,
                parameters.scm_retry_base_delay_ms,
                seed,
            ),
            wait: None,
            progress: Progress::default(),
        }
    }

    /// Schedules a retry of `attempt` after `error`; false when it must not be retried.
    pub(crate) fn schedule(&mut self, attempt: &mut Attempt, error: &ApiError) -> bool {
        self.schedule_batch(&mut attempt.tries, error)
    }

    /// Schedules a retry of the failed requests of a batch (listing pages, downloads) that was tried
    /// `tries` times; false when it must not be retried.
    pub(crate) fn schedule_batch(&mut self, tries: &mut u32, error: &ApiError) -> bool {
        // `tries` counts the retries made so far; the policy numbers retries from 1.
        match self.policy.delay_ms(*tries + 1, error) {
            Some(delay) => {
                *tries += 1;
                self.wait = Some(delay);
                self.progress.retries += 1;
                true
            }
            None => false,
        }
    }

    pub(crate) fn send<T>(&mut self, requests: Vec<ApiRequest>, phase: Phase) -> JobStep<T> {
        self.progress.phase = phase;
        self.progress.requests += requests.len();
        JobStep::Send(requests)
    }

    /// The end of a job: its result, or `Cancelled` when it ended without one.
    /// Ends a job with its result, handed over (not copied: a pull's preview holds the whole project's
    /// files); asked again, it answers `Cancelled`.
    pub(crate) fn done<T>(
        &mut self,
        result: &mut Option<Result<T, SyncError>>,
    ) -> JobStep<Result<T, SyncError>> {
        self.progress.phase = Phase::Done;
        JobStep::Done(
            result
                .take()
                .unwrap_or(Err(SyncError::Api(ApiError::Cancelled))),
        )
    }

    pub(crate) fn take_wait<T>(&mut self) -> Option<JobStep<T>> {
        let wait = self.wait.take()?;
        self.progress.phase = Phase::WaitingToRetry;
        Some(JobStep::Wait(wait))
    }
}

#[derive(Debug)]
enum PlanStage {
    /// Reading the repository's main branch, then the stage given.
    MainBranch(Attempt, Box<PlanStage>),
    Tip(Attempt),
    SourceTip(Attempt),
    Tag(Attempt),
    Manifest(Attempt),
    /// Data Center over git: fetching the tip's trees (no history, no file content), which tell the
    /// files under the artifact root and their blob ids at once.
    Trees(Attempt),
    /// Listing the root: open listings (one per folder on Cloud), files found so far, and the sizes the
    /// listing reported (Cloud).
    Listing {
        open: Vec<Listing>,
        files: BTreeSet<String>,
        sizes: BTreeMap<String, u64>,
        tries: u32,
    },
    /// Data Center, a branch that moved since the base: listing the files changed since, which an
    /// interrupted push of this copy may have written already (`manifest` is the branch's).
    SinceBase {
        pager: Box<Pager<FileChange>>,
        manifest: Manifest,
        changed: BTreeSet<String>,
    },
    /// Reading files the push would write that the branch may hold with the local content already, to
    /// leave those out (`remote` is what the plan is then made against, `pending` the paths still to
    /// read).
    Comparing {
        remote: RemoteState,
        pending: Vec<String>,
        tries: u32,
    },
    Done,
}

/// Reads the branch and computes what a push would change (the dialog's preview). With a per-file
/// [`super::Strategy`] (benchmarks only) it reads only the tip(s) and plans every local file and the
/// manifest as if the branch had none, for the per-file `BaselineSender`.
#[derive(Debug)]
pub struct PushPlanner {
    remote: Remote,
    request: PushRequest,
    local: LocalSide,
    options: LayoutOptions,
    stage: PlanStage,
    retrying: Retrying,
    tip: Option<CommitSummary>,
    creates_branch: bool,
    /// The request came with a base.
    synced: bool,
    /// The main branch in the request was read from the repository.
    main_branch_read: bool,
    manifest_damaged: bool,
    /// Listed files found to hold the local content already.
    identical: BTreeSet<String>,
    /// Data Center over git: the repository's address and its advertisement (the tips and tags).
    git: Option<(String, Advertisement)>,
    /// The tip's trees, once fetched.
    trees: Option<Rc<TreeSnapshot>>,
    /// The branch's manifest was asked for (it is not asked for twice).
    manifest_asked: bool,
    result: Option<Result<PushPlan, SyncError>>,
}

impl PushPlanner {
    /// A planner of `request` for `local` on `api`; refuses at once what the policy or the names forbid.
    pub fn new(api: Api, request: PushRequest, local: LocalFiles) -> Result<Self, SyncError> {
        Self::with_local(api, request, LocalSide::Files(local))
    }

    /// [`PushPlanner::new`] for the local files `write` gives, in the default layout: they are written
    /// while the branch is read ([`Job::while_waiting`]), or when first needed.
    pub fn deferring_local(
        api: Api,
        request: PushRequest,
        write: impl FnOnce() -> LocalFiles + 'static,
    ) -> Result<Self, SyncError> {
        Self::with_local(api, request, LocalSide::deferred(write))
    }

    fn with_local(api: Api, request: PushRequest, local: LocalSide) -> Result<Self, SyncError> {
        let request = Names::of(&request)?.apply(request);
        // When the policy's answer depends on the main branch, the repository is asked which it is
        // (the stored one may be stale or missing) before anything else, and the roles are checked then.
        let reads_main = main_branch_matters(&request.roles, &request.branch);
        match reads_main {
            true => check_names(&request)?,
            false => check_request(&request)?,
        }
        let remote = Remote::new(api);
        // A new branch starts from its source's tip. Whether the name is free is not asked here: on
        // Cloud the first write creating it is refused when it exists (409), and that refusal, checked
        // against the branch tip, is reported as "the branch exists"; on Data Center, whose first write
        // may land on an existing branch, the sender reads the name just before that write.
        let creates_branch = request.new_branch_from.is_some();
        let first = match &request.new_branch_from {
            Some(source) => PlanStage::SourceTip(Self::attempt(remote.tip(source).request)),
            None => PlanStage::Tip(Self::attempt(remote.tip(&request.branch).request)),
        };
        let first = match reads_main {
            true => {
                PlanStage::MainBranch(Self::attempt(remote.main_branch().request), Box::new(first))
            }
            false => first,
        };
        Ok(PushPlanner {
            retrying: Retrying::new(&request.parameters, request.seed),
            synced: request.base.is_some(),
            remote,
            request,
            options: local.options(),
            local,
            stage: first,
            tip: None,
            creates_branch,
            main_branch_read: false,
            manifest_damaged: false,
            identical: BTreeSet::new(),
            git: None,
            trees: None,
            manifest_asked: false,
            result: None,
        })
    }

    /// Plans a Data Center push that goes over git from `advertisement`, the answer of `/scm` that
    /// told the route ([`super::PushRoute::of`]): the tips and the version are read from it rather
    /// than asked of the REST API, and a branch without a base is read from a fetch of its trees
    /// (listed through the REST API when the server does not allow that fetch). A planner of a
    /// per-file strategy (benchmarks), or an answer that is not an advertisement, is left as it is.
    pub fn over_git(mut self, advertisement: &ApiResponse) -> PushPlanner {
        let api = self.remote.api();
        let source = git_http::repository_url(api).zip(git_http::read_advertisement(advertisement));
        if source.is_none() || !self.request.parameters.strategy.is_planned() {
            return self;
        }
        self.git = source;
        self.stage = match std::mem::replace(&mut self.stage, PlanStage::Done) {
            main @ PlanStage::MainBranch(..) => main,
            first => self.start(first),
        };
        self
    }

    fn attempt(request: ApiRequest) -> Attempt {
        Attempt { request, tries: 0 }
    }

    /// The first stage after the roles are checked: over git, the tip is the advertisement's.
    fn start(&mut self, stage: PlanStage) -> PlanStage {
        let Some((_, advertisement)) = &self.git else {
            return stage;
        };
        let branch = match &stage {
            PlanStage::SourceTip(_) => self.request.new_branch_from.clone().unwrap_or_default(),
            PlanStage::Tip(_) => self.request.branch.clone(),
            _ => return stage,
        };
        match advertisement.refs().get(&format!("refs/heads/{branch}")) {
            Some(id) => {
                self.tip = Some(CommitSummary {
                    id: id.to_string(),
                    ..empty_commit()
                });
                self.after_tips()
            }
            None => self.fail(SyncError::BranchNotFound { branch }),
        }
    }

    /// After the tips: check the version, then read the remote state.
    fn after_tips(&mut self) -> PlanStage {
        let Some(version) = &self.request.version else {
            return self.read_remote();
        };
        match &self.git {
            Some((_, advertisement)) => {
                match advertisement
                    .refs()
                    .contains_key(&format!("refs/tags/{version}"))
                {
                    true => self.fail(SyncError::VersionExists {
                        name: version.clone(),
                    }),
                    false => self.read_remote(),
                }
            }
            None => PlanStage::Tag(Self::attempt(self.remote.tag(version).request)),
        }
    }

    /// The call that fetches the tip's trees (over git only).
    fn trees_call(&self) -> Option<Call<TreeSnapshot>> {
        let (url, _) = self.git.as_ref()?;
        let tip = self.tip.as_ref()?.id.parse().ok()?;
        Some(git_http::fetch_trees(self.remote.api(), url, tip))
    }

    /// After the tip's trees: the files under the artifact root, those holding the local content
    /// already (same blob id) left out of the plan, or the manifest read when there is one.
    fn after_trees(&mut self, snapshot: TreeSnapshot) -> PlanStage {
        let files = snapshot.files_under(self.options().root());
        self.trees = Some(Rc::new(snapshot));
        let manifest_path = self.manifest_path();
        if files.contains_key(&manifest_path) && !self.manifest_damaged && !self.manifest_asked {
            return self.read_manifest();
        }
        self.local.written();
        if let Some(local) = self.local.files() {
            let same = files.iter().filter(|(path, id)| {
                let bytes = local.files.get(*path);
                bytes.is_some_and(|bytes| Object::blob(bytes.clone()).id() == **id)
            });
            let same: Vec<String> = same.map(|(path, _)| path.clone()).collect();
            self.identical.extend(same);
        }
        self.finish(RemoteState::Unmanaged(files.into_keys().collect()));
        PlanStage::Done
    }

    fn read_manifest(&mut self) -> PlanStage {
        self.manifest_asked = true;
        let tip = self.tip.clone().unwrap_or_else(empty_commit);
        PlanStage::Manifest(Self::attempt(
            self.remote
                .read_file(&tip.id, &self.manifest_path())
                .limited(MAX_MANIFEST_BYTES as u64)
                .request,
        ))
    }

    fn read_remote(&mut self) -> PlanStage {
        if !self.request.parameters.strategy.is_planned() {
            // A per-file baseline (benchmarks) reads neither manifest nor listing: it writes every file
            // as if the branch had none.
            self.finish(RemoteState::Unmanaged(BTreeSet::new()));
            return PlanStage::Done;
        }
        let tip = self.tip.clone().unwrap_or_else(empty_commit);
        let current = !self.creates_branch
            && matches!(&self.request.base, Some(base) if base.commit == tip.id);
        match self.request.base.take_if(|_| current) {
            // The branch is where this project left it: its manifest is the base's (taken, not copied:
            // the plan's request needs no base any more).
            Some(base) => {
                self.finish(RemoteState::Managed(base.manifest));
                PlanStage::Done
            }
            None if self.request.base.is_some() => self.read_manifest(),
            None => self.list_root(&tip.id),
        }
    }

    fn options(&self) -> &LayoutOptions {
        &self.options
    }

    fn manifest_path(&self) -> String {
        self.options().full_path(MANIFEST_FILE)
    }

    fn finish(&mut self, remote: RemoteState) {
        let Some(local) = self.local.take() else {
            return;
        };
        let approved_only = self.request.approved_only;
        let include = |key: &(ArtifactId, crate::artifacts::ArtifactKind)| {
            !approved_only || local.approved.contains(&key.0)
        };
        // The folder's origin, should the branch have no manifest: the tip the push builds on. A
        // per-file baseline (benchmarks) reads no manifest: it passes on its base's.
        let origin = match &self.request.base {
            Some(base) if !self.request.parameters.strategy.is_planned() => {
                base.manifest.origin.clone()
            }
            _ => self.tip.as_ref().map(|tip| tip.id.clone()),
        };
        if let Some(other) = other_project(&remote, &local.manifest) {
            self.result = Some(Err(SyncError::OtherProject {
                branch: self.request.branch.clone(),
                project: other,
            }));
            return;
        }
        // The base is taken out of the request when the branch is where it left it (the remote state
        // is the base's then): the local files replace it.
        let never_synced = !self.synced && !self.creates_branch;
        let managed = matches!(remote, RemoteState::Managed(_));
        let comparison = match &self.request.base {
            Some(base) => Comparison::Base(&base.manifest),
            None if never_synced => Comparison::NeverSynced,
            None => Comparison::Replace,
        };
        let mut changes = ChangeSet::compute(
            &local.files,
            &local.manifest,
            (&remote, origin.as_deref()),
            comparison,
            &local.options,
            &include,
        );
        changes.leave_out_identical(&self.identical);
        let remote_paths = match &remote {
            RemoteState::Managed(manifest) => manifest
                .files
                .iter()
                .map(|e| e.path.clone())
                .chain([local.options.full_path(MANIFEST_FILE)])
                .collect(),
            RemoteState::Unmanaged(paths) => paths.clone(),
        };
        self.result = Some(Ok(PushPlan {
            request: self.request.clone(),
            tip: self.tip.clone().unwrap_or_else(empty_commit),
            creates_branch: self.creates_branch,
            remote,
            remote_paths,
            manifest_damaged: self.manifest_damaged,
            never_synced: never_synced && managed,
            main_branch_read: self.main_branch_read,
            changes,
            local,
            requests: self.retrying.progress.requests,
            trees: self.trees.clone(),
        }));
    }

    fn fail(&mut self, error: SyncError) -> PlanStage {
        self.result = Some(Err(error));
        PlanStage::Done
    }

    fn handle_single(
        &mut self,
        stage: PlanStage,
        answer: Result<ApiResponse, ApiError>,
    ) -> PlanStage {
        match stage {
            PlanStage::MainBranch(mut attempt, then) => {
                let call = self.remote.main_branch();
                match answer.and_then(|r| call.parse(&r)) {
                    Ok(main) => self.with_main_branch(main, *then),
                    // No default branch (Data Center answers 404): unknown, refused to the roles
                    // whose rights depend on it.
                    Err(ApiError::NotFound { .. }) => self.with_main_branch(None, *then),
                    Err(error) if self.retrying.schedule(&mut attempt, &error) => {
                        PlanStage::MainBranch(attempt, then)
                    }
                    Err(error) => self.fail(SyncError::Api(error)),
                }
            }
            PlanStage::Tip(mut attempt) => {
                let call = self.remote.tip(&self.request.branch);
                match answer.and_then(|r| call.parse(&r)) {
                    Ok(tip) => {
                        self.tip = Some(tip);
                        self.after_tips()
                    }
                    Err(ApiError::NotFound { .. }) => self.fail(SyncError::BranchNotFound {
                        branch: self.request.branch.clone(),
                    }),
                    Err(error) if self.retrying.schedule(&mut attempt, &error) => {
                        PlanStage::Tip(attempt)
                    }
                    Err(error) => self.fail(SyncError::Api(error)),
                }
            }
            PlanStage::SourceTip(mut attempt) => {
                let source = self.request.new_branch_from.clone().unwrap_or_default();
                let call = self.remote.tip(&source);
                match answer.and_then(|r| call.parse(&r)) {
                    Ok(tip) => {
                        self.tip = Some(tip);
                        self.after_tips()
                    }
                    Err(ApiError::NotFound { .. }) => {
                        self.fail(SyncError::BranchNotFound { branch: source })
                    }
                    Err(error) if self.retrying.schedule(&mut attempt, &error) => {
                        PlanStage::SourceTip(attempt)
                    }
                    Err(error) => self.fail(SyncError::Api(error)),
                }
            }
            PlanStage::Tag(mut attempt) => {
                let version = self.request.version.clone().unwrap_or_default();
                let call = self.remote.tag(&version);
                match answer.and_then(|r| call.parse(&r)) {
                    Ok(()) => self.fail(SyncError::VersionExists { name: version }),
                    Err(ApiError::NotFound { .. }) => self.read_remote(),
                    Err(error) if self.retrying.schedule(&mut attempt, &error) => {
                        PlanStage::Tag(attempt)
                    }
                    Err(error) => self.fail(SyncError::Api(error)),
                }
            }
            PlanStage::Manifest(mut attempt) => {
                let tip = self.tip.clone().unwrap_or_else(empty_commit);
                let call = self.remote.read_file(&tip.id, &self.manifest_path());
                let read = answer.and_then(|r| call.parse(&r));
                if let Some(refused) = refused_manifest(self.manifest_path(), &read) {
                    return self.fail(refused);
                }
                match read {
                    Ok(bytes) => match serde_json::from_slice::<Manifest>(&bytes) {
                        Ok(manifest) => self.after_manifest(manifest),
                        Err(_) => {
                            self.manifest_damaged = true;
                            self.list_root(&tip.id)
                        }
                    },
                    Err(ApiError::NotFound { .. }) => self.list_root(&tip.id),
                    Err(error) if self.retrying.schedule(&mut attempt, &error) => {
                        PlanStage::Manifest(attempt)
                    }
                    Err(error) => self.fail(SyncError::Api(error)),
                }
            }
            PlanStage::Trees(_) => match (answer, self.trees_call()) {
                (Ok(response), Some(call)) => match call.parse(&response) {
                    Ok(snapshot) => self.after_trees(snapshot),
                    Err(_) => self.without_trees(),
                },
                // A server that does not allow the fetch (or none reached): listed instead.
                _ => self.without_trees(),
            },
            PlanStage::SinceBase {
                mut pager,
                manifest,
                mut changed,
            } => match answer.and_then(|r| pager.handle_response(&r)) {
                Ok(found) => {
                    let kept = found
                        .into_iter()
                        .filter(|c| c.kind != FileChangeKind::Removed);
                    changed.extend(kept.map(|c| c.path));
                    match pager.next_request() {
                        Some(_) => PlanStage::SinceBase {
                            pager,
                            manifest,
                            changed,
                        },
                        None if pager.is_truncated() => self.finished(manifest),
                        None => self.verify_changed(manifest, &changed),
                    }
                }
                // Not listed: the files are written as planned (Data Center skips an unchanged one).
                Err(_) => self.finished(manifest),
            },
            other => other,
        }
    }

    /// The tip's trees could not be fetched: the artifact root is listed through the REST API.
    fn without_trees(&mut self) -> PlanStage {
        self.git = None;
        let tip = self.tip.clone().unwrap_or_else(empty_commit);
        self.list_root(&tip.id)
    }

    /// After reading the branch's manifest. On Data Center, a branch that moved since the base may hold
    /// files an interrupted push of this copy wrote (one commit each, the manifest last): the files
    /// changed since the base are listed first, so that those holding the local content count as
    /// written.
    fn after_manifest(&mut self, manifest: Manifest) -> PlanStage {
        match (&self.request.base, self.remote.commits_one_file_at_a_time()) {
            (Some(base), true) => {
                let tip = self.tip.clone().unwrap_or_else(empty_commit);
                PlanStage::SinceBase {
                    pager: Box::new(self.remote.changes(&tip.id, &base.commit)),
                    manifest,
                    changed: BTreeSet::new(),
                }
            }
            _ => self.finished(manifest),
        }
    }

    /// The plan against the branch's manifest.
    fn finished(&mut self, manifest: Manifest) -> PlanStage {
        self.finish(RemoteState::Managed(manifest));
        PlanStage::Done
    }

    /// Reads the local files changed on the branch since the base whose content the manifest does not
    /// name already: those the branch holds as they are here are left out of the plan.
    fn verify_changed(&mut self, manifest: Manifest, changed: &BTreeSet<String>) -> PlanStage {
        self.local.written();
        let listed: BTreeMap<&str, &str> = manifest
            .files
            .iter()
            .map(|e| (e.path.as_str(), e.sha256.as_str()))
            .collect();
        let pending: Vec<String> = match self.local.files() {
            Some(local) => local
                .manifest
                .files
                .iter()
                .filter(|e| {
                    changed.contains(&e.path)
                        && listed.get(e.path.as_str()) != Some(&e.sha256.as_str())
                })
                .map(|e| e.path.clone())
                .collect(),
            None => Vec::new(),
        };
        if pending.is_empty() {
            return self.finished(manifest);
        }
        PlanStage::Comparing {
            remote: RemoteState::Managed(manifest),
            pending,
            tries: 0,
        }
    }

    /// The main branch read from the repository: the roles are checked with it, then `then` follows.
    fn with_main_branch(&mut self, main: Option<String>, then: PlanStage) -> PlanStage {
        self.request.main_branch = main;
        self.main_branch_read = true;
        match check_role(&self.request.roles, &self.request) {
            Ok(_) => self.start(then),
            Err(error) => self.fail(error),
        }
    }

    /// Lists the artifact root: over git from a fetch of the tip's trees (once), otherwise through
    /// the REST API.
    fn list_root(&mut self, commit: &str) -> PlanStage {
        if self.trees.is_none() {
            if let Some(call) = self.trees_call() {
                return PlanStage::Trees(Self::attempt(call.request));
            }
        }
        if let Some(trees) = self.trees.take() {
            return self.after_trees(Rc::unwrap_or_clone(trees));
        }
        let root = self.options().root().to_owned();
        PlanStage::Listing {
            open: vec![self.remote.listing(commit, &root)],
            files: BTreeSet::new(),
            sizes: BTreeMap::new(),
            tries: 0,
        }
    }

    /// After listing a branch without manifest. The listed files the push would overwrite are read first
    /// and those already equal are left out, so that the preview counts what is really written: a file an
    /// interrupted push wrote counts as written (Cloud would otherwise commit it again, Data Center answer
    /// 409 to it). A file whose listed size differs from the local file's holds other content and is not
    /// read.
    fn compare(
        &mut self,
        files: BTreeSet<String>,
        sizes: &BTreeMap<String, u64>,
        tries: u32,
    ) -> PlanStage {
        self.local.written();
        let pending: Vec<String> = match self.local.files() {
            Some(local) => local
                .files
                .iter()
                .filter(|(path, bytes)| {
                    files.contains(*path)
                        && sizes
                            .get(*path)
                            .is_none_or(|size| *size == bytes.len() as u64)
                })
                .map(|(path, _)| path.clone())
                .collect(),
            None => Vec::new(),
        };
        if pending.is_empty() {
            self.finish(RemoteState::Unmanaged(files));
            return PlanStage::Done;
        }
        PlanStage::Comparing {
            remote: RemoteState::Unmanaged(files),
            pending,
            tries,
        }
    }

    fn handle_comparing(
        &mut self,
        remote: RemoteState,
        pending: Vec<String>,
        mut tries: u32,
        answers: Vec<Result<ApiResponse, ApiError>>,
    ) -> PlanStage {
        let tip = self.tip.clone().unwrap_or_else(empty_commit);
        let mut still = Vec::new();
        let mut retry_error = None;
        for (path, answer) in pending.into_iter().zip(answers) {
            let call = self.remote.read_file(&tip.id, &path);
            match answer.and_then(|response| call.parse(&response)) {
                Ok(bytes) => {
                    let local = self.local.files().and_then(|l| l.files.get(&path));
                    if local == Some(&bytes) {
                        self.identical.insert(path);
                    }
                }
                // A file too large to read is not the local one: it is written.
                Err(ApiError::NotFound { .. } | ApiError::TooLarge { .. }) => {}
                Err(error) if Failure::of(&error) != Failure::Final => {
                    retry_error = Some(error);
                    still.push(path);
                }
                Err(error) => return self.fail(SyncError::Api(error)),
            }
        }
        if let Some(error) = retry_error {
            if !self.retrying.schedule_batch(&mut tries, &error) {
                return self.fail(SyncError::Api(error));
            }
        }
        if still.is_empty() {
            self.finish(remote);
            return PlanStage::Done;
        }
        PlanStage::Comparing {
            remote,
            pending: still,
            tries,
        }
    }

    fn handle_listing(
        &mut self,
        mut open: Vec<Listing>,
        mut files: BTreeSet<String>,
        mut sizes: BTreeMap<String, u64>,
        mut tries: u32,
        answers: Vec<Result<ApiResponse, ApiError>>,
    ) -> PlanStage {
        let tip = self.tip.clone().unwrap_or_else(empty_commit);
        let manifest_path = self.manifest_path();
        let first_level = files.is_empty() && open.len() == 1;
        let mut next_open = Vec::new();
        let mut retry_error = None;
        for (mut listing, answer) in open.drain(..).zip(answers) {
            let before = listing.clone();
            let read = answer.and_then(|response| listing.handle_response_with_sizes(&response));
            match read {
                Ok((
                    Listed {
                        files: found,
                        folders,
                        others,
                    },
                    found_sizes,
                )) => {
                    files.extend(found);
                    sizes.extend(found_sizes);
                    files.extend(others);
                    next_open.extend(folders.iter().map(|f| self.remote.listing(&tip.id, f)));
                    if listing.next_request().is_some() {
                        next_open.push(listing);
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
        if let Some(error) = retry_error {
            if !self.retrying.schedule_batch(&mut tries, &error) {
                return self.fail(SyncError::Api(error));
            }
        }
        if files.contains(&manifest_path) && !self.manifest_damaged {
            return self.read_manifest();
        }
        if next_open.is_empty() {
            return self.compare(files, &sizes, 0);
        }
        if files.len() > MAX_LISTED_FILES {
            return self.fail(SyncError::ListingTooLarge);
        }
        PlanStage::Listing {
            open: next_open,
            files,
            sizes,
            tries,
        }
    }
}

/// The id of the project a branch's manifest holds, when it is not the local project's.
fn other_project(remote: &RemoteState, local: &Manifest) -> Option<ArtifactId> {
    let project = |manifest: &Manifest| {
        manifest
            .files
            .iter()
            .find(|e| e.kind == ArtifactKind::Project)
            .map(|e| e.id.clone())
    };
    match (remote, project(local)) {
        (RemoteState::Managed(manifest), Some(local)) => {
            project(manifest).filter(|remote| *remote != local)
        }
        _ => None,
    }
}

/// The role policy on a push of `request` by `roles`, with the request's main branch: the permit to
/// write to its branch.
fn check_role(roles: &[Role], request: &PushRequest) -> Result<WritePermit, SyncError> {
    permit_push(roles, &request.branch, request.main_branch.as_deref()).map_err(SyncError::Denied)
}

/// Whether the policy's answer to a push to `branch` by `roles` depends on which branch is the main
/// one (it does for a Quality Engineer): the push then reads the main branch from the repository, and
/// checks the roles once it is known.
fn main_branch_matters(roles: &[Role], branch: &str) -> bool {
    let as_main = Activity::Push {
        branch: branch.to_owned(),
        main_branch: Some(branch.to_owned()),
    };
    !decide_any(roles, &as_main).is_allowed()
}

/// [`check_request`] but for the role: the message and the names.
fn check_names(request: &PushRequest) -> Result<(), SyncError> {
    if request.message.trim().is_empty() {
        return Err(SyncError::MessageRequired);
    }
    Names::of(request).map(drop)
}

/// Files a listing of a branch without manifest may hold.
pub const MAX_LISTED_FILES: usize = 200_000;

pub(crate) fn empty_commit() -> CommitSummary {
    CommitSummary {
        id: String::new(),
        message: String::new(),
        author: None,
        date: None,
        parents: Vec::new(),
    }
}

impl Job for PushPlanner {
    type Output = Result<PushPlan, SyncError>;

    fn next(&mut self) -> JobStep<Self::Output> {
        if let Some(wait) = self.retrying.take_wait() {
            return wait;
        }
        match &self.stage {
            PlanStage::MainBranch(a, _) | PlanStage::Tip(a) | PlanStage::SourceTip(a) => {
                let request = a.request.clone();
                self.retrying.send(vec![request], Phase::ReadingBranch)
            }
            PlanStage::Tag(a) => {
                let request = a.request.clone();
                self.retrying.send(vec![request], Phase::CheckingVersion)
            }
            PlanStage::Manifest(a) | PlanStage::Trees(a) => {
                let request = a.request.clone();
                self.retrying.send(vec![request], Phase::ReadingRepository)
            }
            PlanStage::Listing { open, .. } => {
                let requests = open.iter().filter_map(Listing::next_request).collect();
                self.retrying.send(requests, Phase::ReadingRepository)
            }
            PlanStage::SinceBase { pager, .. } => {
                let requests = pager.next_request().into_iter().collect();
                self.retrying.send(requests, Phase::ReadingRepository)
            }
            PlanStage::Comparing { pending, .. } => {
                let tip = self.tip.clone().unwrap_or_else(empty_commit);
                let requests = pending
                    .iter()
                    .map(|path| self.remote.read_file(&tip.id, path).request)
                    .collect();
                self.retrying.send(requests, Phase::Downloading)
            }
            PlanStage::Done => self.retrying.done(&mut self.result),
        }
    }

    fn handle(&mut self, answers: Vec<Result<ApiResponse, ApiError>>) {
        let stage = std::mem::replace(&mut self.stage, PlanStage::Done);
        self.stage = match stage {
            PlanStage::Listing {
                open,
                files,
                sizes,
                tries,
            } => self.handle_listing(open, files, sizes, tries, answers),
            PlanStage::Comparing {
                remote,
                pending,
                tries,
            } => self.handle_comparing(remote, pending, tries, answers),
            PlanStage::Done => PlanStage::Done,
            single => {
                let answer = single_answer(answers);
                self.handle_single(single, answer)
            }
        };
    }

    fn progress(&self) -> Progress {
        self.retrying.progress
    }

    fn concurrency(&self) -> usize {
        self.request.parameters.scm_export_worker_count as usize
    }

    /// Writes the deferred local files while the first read (the branch's tip) is in flight: a push
    /// whose base is the tip reads nothing else.
    fn while_waiting(&mut self) {
        self.local.written();
    }
}

/// The trailer naming the content a push publishes.
pub const MANIFEST_TRAILER: &str = "Artifacts-Manifest";

/// A commit message with a trailer naming the manifest the push publishes (the start of its SHA-256).
/// After a lost answer or a 409, a commit on the expected parent with this message is this push's own
/// commit, even when the user reused a message: the trailer differs whenever the content does.
pub(crate) fn commit_message(plan: &PushPlan, subject: &str) -> String {
    let digest = crate::artifacts::sha256_hex(&plan.changes.manifest_bytes);
    format!("{subject}\n\n{MANIFEST_TRAILER}: {}", &digest[..16])
}

/// Whether two commit messages are the same, whatever line endings the transport gave them (browsers send
/// form fields with CRLF line breaks).
pub(crate) fn same_message(a: &str, b: &str) -> bool {
    let normal = |text: &str| text.replace("\r\n", "\n").trim().to_owned();
    normal(a) == normal(b)
}

/// One write of a push.
#[derive(Debug, Clone)]
enum Write {
    /// A Cloud commit of one part.
    Cloud { part: CommitPart, message: String },
    /// A Data Center edit of one file.
    DataCenter { path: String, exists: bool },
}

/// Why a write's outcome is checked against the branch tip.
#[derive(Debug, Clone)]
enum Unsure {
    /// No answer (timeout, dropped connection, 5xx): resend if it did not land.
    Lost,
    /// 409: the browser may have resent a request whose first copy landed.
    Conflict,
    /// A refusal of a resent branch-creating write (the branch exists: maybe ours).
    Refused(ApiError),
}

#[derive(Debug)]
enum SendStage {
    /// Reading the branch a push creates, which must not exist yet, before its first write
    /// ([`Remote::may_write_onto_an_existing_branch`]).
    CheckFree(Attempt),
    /// Sending write number `index`.
    Write {
        index: usize,
        attempt: Attempt,
    },
    /// After a Cloud commit's 201: reading the new tip.
    NewTip {
        index: usize,
        attempt: Attempt,
    },
    /// After a write without an answer, or answered 409: reading the tip to learn whether it landed
    /// (a browser resends a request whose connection dropped, and the resent one meets our own commit).
    Verify {
        index: usize,
        write: Attempt,
        attempt: Attempt,
        after: Unsure,
    },
    /// Creating the branch (a push of no change to a new branch).
    CreateBranch(Attempt),
    /// Tagging the pushed commit.
    Tag(Attempt),
    /// After a cancel: reading what the request left in flight did (the branch tip, or the tag when
    /// only the tag was left).
    Settling {
        in_flight: InFlight,
        attempt: Attempt,
    },
    Done,
}

/// What a cancelled push had in flight, or next to send.
#[derive(Debug, Clone, Copy)]
enum InFlight {
    /// Write number `index`.
    Write(usize),
    /// The creation of the branch (a push of no change to a new branch).
    Branch,
    /// The version tag, every write done.
    Tag,
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

/// Writes a planned push.
#[derive(Debug)]
pub struct PushSender {
    remote: Remote,
    /// The permit the role check gave for the plan's branch: every write goes through it.
    permit: WritePermit,
    /// The plan, shared with whoever showed it (it holds every local file).
    plan: Rc<PushPlan>,
    writes: Vec<Write>,
    stage: SendStage,
    retrying: Retrying,
    /// The commit the next write is based on.
    chain_tip: String,
    /// The branch exists on the server (false until the first write of a new branch lands).
    branch_exists: bool,
    commits: Vec<String>,
    unchanged: usize,
    tag: Option<String>,
    tag_error: Option<ApiError>,
    result: Option<Result<PushOutcome, SyncError>>,
}

impl PushSender {
    /// A sender of `plan` on `api`, as `confirmation` says at Push: the policy is checked again with the
    /// roles current then, and a plan with conflicts is sent only when the user chose to overwrite them
    /// and the policy lets them.
    pub fn new(
        api: Api,
        plan: impl Into<Rc<PushPlan>>,
        confirmation: &Confirmation,
    ) -> Result<Self, SyncError> {
        let plan = plan.into();
        let permit = confirmation.check(&plan)?;
        let remote = Remote::new(api);
        let writes: Vec<Write> = match remote.commits_one_file_at_a_time() {
            false => {
                let parameters = &plan.request.parameters;
                let listed: BTreeSet<&str> = match &plan.remote {
                    RemoteState::Managed(manifest) => {
                        manifest.files.iter().map(|e| e.path.as_str()).collect()
                    }
                    RemoteState::Unmanaged(_) => BTreeSet::new(),
                };
                let parts = plan.changes.split(
                    parameters.scm_files_per_commit as usize,
                    parameters.bytes_per_commit(),
                    &|path| listed.contains(path),
                );
                let count = parts.len();
                parts
                    .into_iter()
                    .enumerate()
                    .map(|(i, part)| Write::Cloud {
                        part,
                        message: match count {
                            1 => commit_message(&plan, plan.request.message.trim()),
                            n => commit_message(
                                &plan,
                                &format!("{} (part {} of {n})", plan.request.message.trim(), i + 1),
                            ),
                        },
                    })
                    .collect()
            }
            true => plan
                .changes
                .writes()
                .map(|change| change.path.clone())
                .chain(
                    plan.changes
                        .writes_manifest
                        .then(|| plan.changes.manifest_path.clone()),
                )
                .map(|path| Write::DataCenter {
                    exists: plan.remote_paths.contains(&path),
                    path,
                })
                .collect(),
        };
        let mut retrying = Retrying::new(&plan.request.parameters, plan.request.seed ^ 0x5eed);
        retrying.progress.files_total = plan.changes.total_files();
        retrying.progress.bytes_total = plan.changes.total_bytes();
        retrying.progress.commits_total = writes.len();
        let mut sender = PushSender {
            chain_tip: plan.tip.id.clone(),
            branch_exists: !plan.creates_branch,
            remote,
            permit,
            writes,
            stage: SendStage::Done,
            retrying,
            commits: Vec::new(),
            unchanged: 0,
            tag: None,
            tag_error: None,
            result: None,
            plan,
        };
        let check_free = sender.remote.may_write_onto_an_existing_branch();
        sender.stage = if sender.plan.changes.is_empty() {
            if sender.plan.creates_branch {
                let call = sender
                    .remote
                    .writer(&sender.permit)
                    .create_branch(&sender.chain_tip);
                SendStage::CreateBranch(PushPlanner::attempt(call.request))
            } else {
                sender.after_writes()
            }
        } else if sender.plan.creates_branch && check_free {
            SendStage::CheckFree(sender.tip_attempt())
        } else {
            sender.write_stage(0)
        };
        Ok(sender)
    }

    /// Ends a push the user cancelled, once its driver stopped: the next step reads the branch tip (the
    /// tag, when only the version was left) to learn what the request left in flight did, and the push
    /// ends with what is there: its last commit on the tip, the push is published (its
    /// [`PushOutcome`]); an earlier one of its commits, or the tip it started from, it is not
    /// ([`SyncError::Cancelled`]). A push that had ended keeps its result.
    pub fn finish_cancelled(&mut self) {
        self.retrying.wait = None;
        let in_flight = match &self.stage {
            SendStage::CheckFree(_) => {
                self.stage = self.cancelled(|branch, _| PushCancelled::Nothing { branch });
                return;
            }
            SendStage::Write { index, .. }
            | SendStage::NewTip { index, .. }
            | SendStage::Verify { index, .. } => InFlight::Write(*index),
            SendStage::CreateBranch(_) => InFlight::Branch,
            SendStage::Tag(_) => InFlight::Tag,
            SendStage::Settling { .. } | SendStage::Done => return,
        };
        let attempt = match in_flight {
            InFlight::Tag => {
                let version = self.request().version.clone().unwrap_or_default();
                PushPlanner::attempt(self.remote.tag(&version).request)
            }
            InFlight::Write(_) | InFlight::Branch => self.tip_attempt(),
        };
        self.stage = SendStage::Settling { in_flight, attempt };
    }

    /// The end of a cancelled push, from the answer to the read of [`PushSender::finish_cancelled`].
    fn settle(&mut self, in_flight: InFlight, answer: Result<ApiResponse, ApiError>) -> SendStage {
        if let InFlight::Tag = in_flight {
            let version = self.request().version.clone().unwrap_or_default();
            match answer.and_then(|response| self.remote.tag(&version).parse(&response)) {
                Ok(()) => self.tag = Some(version),
                Err(ApiError::NotFound { .. }) => self.tag_error = Some(ApiError::Cancelled),
                Err(error) => self.tag_error = Some(error),
            }
            return self.finish();
        }
        let tip = match self.handle_tip(answer) {
            Ok(tip) => tip,
            Err(error) => {
                return self.cancelled(|branch, landed| PushCancelled::Unread {
                    branch,
                    landed,
                    error,
                })
            }
        };
        let landed = match (in_flight, &tip) {
            (InFlight::Write(index), Some(tip))
                if tip.parents.first() == Some(&self.chain_tip)
                    && same_message(&tip.message, &self.message_of(index)) =>
            {
                self.landed(index, tip.id.clone());
                index + 1 == self.writes.len()
            }
            (InFlight::Branch, Some(tip)) => tip.id == self.chain_tip,
            _ => false,
        };
        let unchanged = match &tip {
            Some(tip) => tip.id == self.chain_tip && self.branch_exists,
            None => !self.branch_exists,
        };
        if landed {
            self.branch_exists = true;
            if self.request().version.is_some() {
                self.tag_error = Some(ApiError::Cancelled);
            }
            self.finish()
        } else if !unchanged {
            self.cancelled(|branch, landed| PushCancelled::BranchMoved { branch, landed })
        } else if self.commits.is_empty() {
            self.cancelled(|branch, _| PushCancelled::Nothing { branch })
        } else {
            let total = self.writes.len();
            self.cancelled(|branch, landed| PushCancelled::Part {
                branch,
                landed,
                total,
            })
        }
    }

    /// Ends the push as cancelled, as `what` says with the branch and the commits that landed.
    fn cancelled(&mut self, what: impl FnOnce(String, usize) -> PushCancelled) -> SendStage {
        let branch = self.request().branch.clone();
        let landed = self.commits.len();
        self.fail(SyncError::Cancelled(what(branch, landed)))
    }

    fn request(&self) -> &PushRequest {
        &self.plan.request
    }

    /// The request of write `index`.
    fn write_stage(&self, index: usize) -> SendStage {
        let request = match &self.writes[index] {
            Write::Cloud { part, message } => {
                let files = &self.plan.local.files;
                let mut contents: Vec<(String, Vec<u8>)> = part
                    .writes
                    .iter()
                    .map(|path| (path.clone(), files.get(path).cloned().unwrap_or_default()))
                    .collect();
                if part.includes_manifest {
                    contents.push((
                        self.plan.changes.manifest_path.clone(),
                        self.plan.changes.manifest_bytes.clone(),
                    ));
                }
                let commit = CommitFiles {
                    message: message.clone(),
                    author: None,
                    parent: Some(self.chain_tip.clone()),
                    files: contents,
                    deletions: part.deletions.clone(),
                };
                self.remote
                    .writer(&self.permit)
                    .commit_files(&commit)
                    .request
            }
            Write::DataCenter { path, exists } => {
                let content = if *path == self.plan.changes.manifest_path {
                    self.plan.changes.manifest_bytes.clone()
                } else {
                    self.plan.local.files.get(path).cloned().unwrap_or_default()
                };
                let edit = EditFile {
                    path: path.clone(),
                    content,
                    message: commit_message(&self.plan, self.request().message.trim()),
                    source_commit_id: exists.then(|| self.chain_tip.clone()),
                    source_branch: (!self.branch_exists)
                        .then(|| self.request().new_branch_from.clone())
                        .flatten(),
                };
                self.remote.writer(&self.permit).edit_file(&edit).request
            }
        };
        SendStage::Write {
            index,
            attempt: PushPlanner::attempt(request),
        }
    }

    /// What comes after write `index` landed.
    fn next_write(&mut self, index: usize) -> SendStage {
        if index + 1 < self.writes.len() {
            self.write_stage(index + 1)
        } else {
            self.after_writes()
        }
    }

    fn after_writes(&mut self) -> SendStage {
        match self.request().version.clone() {
            Some(version) => {
                let message = self.request().message.trim().to_owned();
                let call = self.remote.writer(&self.permit).create_tag(
                    &version,
                    &self.chain_tip,
                    &message,
                );
                SendStage::Tag(PushPlanner::attempt(call.request))
            }
            None => self.finish(),
        }
    }

    fn finish(&mut self) -> SendStage {
        let changes = &self.plan.changes;
        let removed = changes.removed_paths().len();
        let deletes = self.remote.can_delete_files();
        let nothing = changes.is_empty();
        self.result = Some(Ok(PushOutcome {
            branch: self.request().branch.clone(),
            commits: self.commits.clone(),
            base: SyncBase {
                branch: self.request().branch.clone(),
                commit: self.chain_tip.clone(),
                manifest: changes.manifest.clone(),
            },
            nothing_to_push: nothing,
            branch_created: self.plan.creates_branch,
            tag: self.tag.clone(),
            tag_error: self.tag_error.clone(),
            written: changes.total_files().saturating_sub(self.unchanged),
            deleted: if deletes { removed } else { 0 },
            kept_in_git: if deletes { 0 } else { removed },
            unchanged: self.unchanged,
            held_back: changes.held_back,
            requests: self.plan.requests + self.retrying.progress.requests,
        }));
        self.retrying.progress.phase = Phase::Done;
        SendStage::Done
    }

    fn fail(&mut self, error: SyncError) -> SendStage {
        self.result = Some(Err(error));
        SendStage::Done
    }

    fn moved(&mut self) -> SendStage {
        let branch = self.request().branch.clone();
        self.fail(SyncError::BranchMoved { branch })
    }

    /// Counts write `index` as done, with the commit it made.
    fn landed(&mut self, index: usize, commit: String) {
        self.chain_tip = commit.clone();
        self.commits.push(commit);
        self.branch_exists = true;
        self.count_done(index);
    }

    fn count_done(&mut self, index: usize) {
        let (files, bytes) = match &self.writes[index] {
            Write::Cloud { part, .. } => (
                part.writes.len() + usize::from(part.includes_manifest),
                part.bytes,
            ),
            Write::DataCenter { path, .. } => {
                let bytes = if *path == self.plan.changes.manifest_path {
                    self.plan.changes.manifest_bytes.len() as u64
                } else {
                    self.plan
                        .local
                        .files
                        .get(path)
                        .map_or(0, |b| b.len() as u64)
                };
                (1, bytes)
            }
        };
        let progress = &mut self.retrying.progress;
        progress.files_done += files;
        progress.bytes_done += bytes;
        progress.commits_done = self.commits.len();
    }

    fn message_of(&self, index: usize) -> String {
        match &self.writes[index] {
            Write::Cloud { message, .. } => message.clone(),
            Write::DataCenter { .. } => commit_message(&self.plan, self.request().message.trim()),
        }
    }

    fn tip_attempt(&self) -> Attempt {
        PushPlanner::attempt(self.remote.tip(&self.request().branch).request)
    }

    fn handle_write(
        &mut self,
        index: usize,
        mut attempt: Attempt,
        answer: Result<ApiResponse, ApiError>,
    ) -> SendStage {
        let path = match &self.writes[index] {
            Write::DataCenter { path, .. } => path.as_str(),
            Write::Cloud { .. } => "",
        };
        let writer = self.remote.writer(&self.permit);
        let read = answer.and_then(|response| writer.read_commit(&response, path));
        match read {
            Ok(Some(commit)) => {
                // Data Center answers the new commit: it must sit on the commit we based it on.
                let on_our_tip = commit.parents.first().is_none_or(|p| *p == self.chain_tip);
                if !on_our_tip {
                    return self.moved();
                }
                self.landed(index, commit.id);
                self.next_write(index)
            }
            Ok(None) => SendStage::NewTip {
                index,
                attempt: self.tip_attempt(),
            },
            Err(ApiError::Conflict { .. }) => SendStage::Verify {
                index,
                write: attempt,
                attempt: self.tip_attempt(),
                after: Unsure::Conflict,
            },
            Err(error @ ApiError::BadRequest { .. }) if !self.branch_exists => SendStage::Verify {
                index,
                write: attempt,
                attempt: self.tip_attempt(),
                after: Unsure::Refused(error),
            },
            Err(error) => match Failure::of(&error) {
                Failure::Refused if self.retrying.schedule(&mut attempt, &error) => {
                    SendStage::Write { index, attempt }
                }
                Failure::Unknown if attempt.tries <= self.request().parameters.scm_retry_count => {
                    SendStage::Verify {
                        index,
                        write: attempt,
                        attempt: self.tip_attempt(),
                        after: Unsure::Lost,
                    }
                }
                _ => self.fail(SyncError::Api(error)),
            },
        }
    }

    /// A 409 on write `index` that was not our own commit: on Cloud the branch moved; on Data Center the
    /// file existed (update it), or its content is unchanged (skip it), or the manifest moved.
    fn settle_conflict(&mut self, index: usize) -> SendStage {
        let Write::DataCenter { path, exists } = self.writes[index].clone() else {
            return self.moved();
        };
        if !exists {
            // The file exists after all (left by an earlier, interrupted push): update it.
            self.writes[index] = Write::DataCenter { path, exists: true };
            return self.write_stage(index);
        }
        if path == self.plan.changes.manifest_path {
            return self.moved();
        }
        // Same content as on the branch: nothing to commit for this file.
        self.unchanged += 1;
        self.count_done(index);
        self.next_write(index)
    }

    fn handle_tip(
        &mut self,
        answer: Result<ApiResponse, ApiError>,
    ) -> Result<Option<CommitSummary>, ApiError> {
        let call = self.remote.tip(&self.request().branch);
        match answer.and_then(|response| call.parse(&response)) {
            Ok(tip) => Ok(Some(tip)),
            Err(ApiError::NotFound { .. }) if !self.branch_exists => Ok(None),
            Err(error) => Err(error),
        }
    }
}

impl Job for PushSender {
    type Output = Result<PushOutcome, SyncError>;

    fn next(&mut self) -> JobStep<Self::Output> {
        if let Some(wait) = self.retrying.take_wait() {
            return wait;
        }
        let (request, phase) = match &self.stage {
            SendStage::CheckFree(attempt) => (attempt.request.clone(), Phase::ReadingBranch),
            SendStage::Write { attempt, .. } => (attempt.request.clone(), Phase::Committing),
            SendStage::NewTip { attempt, .. } => (attempt.request.clone(), Phase::Committing),
            SendStage::Verify { attempt, .. } => (attempt.request.clone(), Phase::Verifying),
            SendStage::CreateBranch(attempt) | SendStage::Tag(attempt) => {
                (attempt.request.clone(), Phase::Tagging)
            }
            SendStage::Settling { attempt, .. } => (attempt.request.clone(), Phase::Verifying),
            SendStage::Done => {
                return self.retrying.done(&mut self.result);
            }
        };
        self.retrying.send(vec![request], phase)
    }

    /// The writes still to send (on Cloud each with the read of the new tip), and the version tag; on
    /// Data Center first the read of a new branch's name.
    fn requests_ahead(&self) -> Option<usize> {
        let (next, check) = match &self.stage {
            SendStage::CheckFree(_) => (0, 1),
            SendStage::Write { index, .. }
            | SendStage::NewTip { index, .. }
            | SendStage::Verify { index, .. } => (*index, 0),
            SendStage::CreateBranch(_) | SendStage::Tag(_) => (self.writes.len(), 0),
            SendStage::Settling { .. } | SendStage::Done => return None,
        };
        let per_write = match self.remote.flavour() {
            Flavour::Cloud => 2,
            Flavour::DataCenter => 1,
        };
        let tag = self.plan.request.version.is_some() && self.tag.is_none();
        Some((self.writes.len() - next) * per_write + usize::from(tag) + check)
    }

    fn handle(&mut self, answers: Vec<Result<ApiResponse, ApiError>>) {
        let answer = single_answer(answers);
        let stage = std::mem::replace(&mut self.stage, SendStage::Done);
        self.stage = match stage {
            SendStage::CheckFree(mut attempt) => match self.handle_tip(answer) {
                Ok(None) => self.write_stage(0),
                Ok(Some(_)) => {
                    let branch = self.request().branch.clone();
                    self.fail(SyncError::BranchExists { branch })
                }
                Err(error) if self.retrying.schedule(&mut attempt, &error) => {
                    SendStage::CheckFree(attempt)
                }
                Err(error) => self.fail(SyncError::Api(error)),
            },
            SendStage::Write { index, attempt } => self.handle_write(index, attempt, answer),
            SendStage::NewTip { index, mut attempt } => match self.handle_tip(answer) {
                Ok(Some(tip)) if tip.parents.first() == Some(&self.chain_tip) => {
                    self.landed(index, tip.id);
                    self.next_write(index)
                }
                Ok(_) => self.moved(),
                Err(error) if self.retrying.schedule(&mut attempt, &error) => {
                    SendStage::NewTip { index, attempt }
                }
                Err(error) => self.fail(SyncError::Api(error)),
            },
            SendStage::Verify {
                index,
                mut write,
                mut attempt,
                after,
            } => match self.handle_tip(answer) {
                Ok(tip) => {
                    let tip_id = tip.as_ref().map(|t| t.id.clone());
                    let ours = tip.as_ref().is_some_and(|t| {
                        t.parents.first() == Some(&self.chain_tip)
                            && same_message(&t.message, &self.message_of(index))
                    });
                    if ours {
                        // The commit landed although its answer was lost: carry on, never commit twice.
                        let id = tip_id.unwrap_or_default();
                        self.landed(index, id);
                        self.next_write(index)
                    } else if !self.branch_exists && tip_id.is_some() {
                        // The branch this push was to create exists (someone else's).
                        let branch = self.request().branch.clone();
                        self.fail(SyncError::BranchExists { branch })
                    } else if let Unsure::Conflict = after {
                        self.settle_conflict(index)
                    } else if let Unsure::Refused(error) = after {
                        self.fail(SyncError::Api(error))
                    } else if tip_id.is_none() || tip_id.as_deref() == Some(self.chain_tip.as_str())
                    {
                        // It did not land: send it again after a back-off.
                        if self.retrying.schedule(&mut write, &ApiError::Timeout) {
                            SendStage::Write {
                                index,
                                attempt: write,
                            }
                        } else {
                            self.fail(SyncError::Api(ApiError::Timeout))
                        }
                    } else {
                        self.moved()
                    }
                }
                Err(error) if self.retrying.schedule(&mut attempt, &error) => SendStage::Verify {
                    index,
                    write,
                    attempt,
                    after,
                },
                Err(error) => self.fail(SyncError::Api(error)),
            },
            SendStage::CreateBranch(mut attempt) => {
                let call = self
                    .remote
                    .writer(&self.permit)
                    .create_branch(&self.chain_tip);
                match answer.and_then(|response| call.parse(&response)) {
                    Ok(()) => {
                        self.branch_exists = true;
                        self.after_writes()
                    }
                    Err(error) if self.retrying.schedule(&mut attempt, &error) => {
                        SendStage::CreateBranch(attempt)
                    }
                    Err(ApiError::Conflict { .. } | ApiError::BadRequest { .. }) => {
                        let branch = self.request().branch.clone();
                        self.fail(SyncError::BranchExists { branch })
                    }
                    Err(error) => self.fail(SyncError::Api(error)),
                }
            }
            SendStage::Tag(mut attempt) => {
                let version = self.request().version.clone().unwrap_or_default();
                let call =
                    self.remote
                        .writer(&self.permit)
                        .create_tag(&version, &self.chain_tip, "");
                match answer.and_then(|response| call.parse(&response)) {
                    Ok(()) => {
                        self.tag = Some(version);
                        self.finish()
                    }
                    Err(error)
                        if Failure::of(&error) == Failure::Refused
                            && self.retrying.schedule(&mut attempt, &error) =>
                    {
                        SendStage::Tag(attempt)
                    }
                    Err(error) => {
                        self.tag_error = Some(error);
                        self.finish()
                    }
                }
            }
            SendStage::Settling { in_flight, .. } => self.settle(in_flight, answer),
            SendStage::Done => SendStage::Done,
        };
    }

    fn progress(&self) -> Progress {
        self.retrying.progress
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifacts::demo::demo_projects;
    use crate::bitbucket::{Method, RequestBody};
    use crate::roles::Denial;
    use crate::ConnectionForm;

    /// A Cloud repository's API, as a Quality Lead's connection makes it.
    fn cloud_api() -> Api {
        let form = ConnectionForm {
            name: "Checkout".to_owned(),
            token: "ATATT-demo-lee-cloud".to_owned(),
            pat: false,
            repository_url: "https://bitbucket.org/acme/checkout-tests".to_owned(),
            username: "lee@example.com".to_owned(),
            api_base_url: String::new(),
        };
        Api::new(&form.to_connection(&[]).expect("a valid connection"))
    }

    /// A Cloud branch `main` that answers the requests of a push: its tip, commits (`POST /src`, each
    /// on the tip), and 404 for anything else (no artifact folder yet).
    struct Branch {
        /// Its commits, oldest first: hash, parent and message.
        commits: Vec<(String, Option<String>, String)>,
    }

    impl Branch {
        fn new() -> Self {
            Branch {
                commits: vec![("c0".to_owned(), None, "Start".to_owned())],
            }
        }

        fn tip(&self) -> &str {
            &self.commits.last().expect("a commit").0
        }

        /// Commits as someone else would.
        fn commit(&mut self, message: &str) {
            let parent = self.tip().to_owned();
            let hash = format!("c{}", self.commits.len());
            self.commits.push((hash, Some(parent), message.to_owned()));
        }

        fn is_commit(request: &ApiRequest) -> bool {
            request.method == Method::Post && request.url.ends_with("/src")
        }

        fn answer(&mut self, request: &ApiRequest) -> Result<ApiResponse, ApiError> {
            if Self::is_commit(request) {
                let Some(RequestBody::Multipart(parts)) = &request.body else {
                    panic!("a multipart commit");
                };
                let field = |name: &str| {
                    let part = parts
                        .iter()
                        .find(|p| p.name == name && p.filename.is_none());
                    part.map(|p| String::from_utf8_lossy(&p.content).into_owned())
                };
                if field("parents").as_deref() != Some(self.tip()) {
                    return Ok(ApiResponse::new(409, "{}"));
                }
                self.commit(&field("message").unwrap_or_default());
                return Ok(ApiResponse::new(201, ""));
            }
            if request.url.contains("/refs/branches/main") {
                let (hash, parent, message) = self.commits.last().expect("a commit");
                let parents: Vec<_> = parent
                    .iter()
                    .map(|p| serde_json::json!({ "hash": p }))
                    .collect();
                let target =
                    serde_json::json!({ "hash": hash, "message": message, "parents": parents });
                let body = serde_json::json!({ "name": "main", "target": target });
                return Ok(ApiResponse::new(200, body.to_string()));
            }
            Ok(ApiResponse::new(404, "{}"))
        }
    }

    /// Runs `job`, answering its requests with `answer`, to its end.
    fn drive<J: Job>(
        job: &mut J,
        mut answer: impl FnMut(&ApiRequest) -> Result<ApiResponse, ApiError>,
    ) -> J::Output {
        loop {
            match job.next() {
                JobStep::Send(requests) => job.handle(requests.iter().map(&mut answer).collect()),
                JobStep::Wait(_) => {}
                JobStep::Unpack(_) => panic!("a push unpacks nothing"),
                JobStep::Done(output) => return output,
            }
        }
    }

    /// A Quality Lead's plan of a push of the demo project to `main` (a branch without our manifest), in
    /// commits of at most `files_per_commit` files.
    fn planned(branch: &mut Branch, files_per_commit: u32) -> PushPlan {
        let request = PushRequest {
            roles: vec![Role::QualityLead],
            main_branch: Some("main".to_owned()),
            branch: "main".to_owned(),
            new_branch_from: None,
            message: "Publish".to_owned(),
            version: None,
            approved_only: false,
            parameters: ScmParameters {
                scm_files_per_commit: files_per_commit,
                ..ScmParameters::default()
            },
            base: None,
            seed: 7,
        };
        let local = LocalFiles::of(&demo_projects().remove(0));
        let mut planner = PushPlanner::new(cloud_api(), request, local).expect("allowed");
        drive(&mut planner, |request| branch.answer(request)).expect("a plan")
    }

    fn pressed(roles: &[Role]) -> Confirmation {
        Confirmation {
            roles: roles.to_vec(),
            overwrite: false,
        }
    }

    #[test]
    fn the_check_gives_the_permit_for_the_plans_branch() {
        let plan = planned(&mut Branch::new(), 2_500);
        let permit = pressed(&[Role::QualityLead])
            .check(&plan)
            .expect("a lead may push");
        assert_eq!(permit.branch(), "main");
    }

    #[test]
    fn the_check_gives_no_permit_to_a_quality_engineer_pushing_to_the_main_branch() {
        let mut plan = planned(&mut Branch::new(), 2_500);
        // As if the plan had read the main branch from the repository, in any case.
        plan.main_branch_read = true;
        for main in ["main", "Main", "refs/heads/MAIN"] {
            plan.request.main_branch = Some(main.to_owned());
            let refused = pressed(&[Role::QualityEngineer]).check(&plan);
            assert!(
                matches!(
                    &refused,
                    Err(SyncError::Denied(Denial::EngineersCannotPushToMain { .. }))
                ),
                "{main}: {refused:?}"
            );
        }
        let sender = PushSender::new(cloud_api(), plan, &pressed(&[Role::QualityEngineer]));
        assert!(matches!(sender, Err(SyncError::Denied(_))));
    }

    #[test]
    fn the_check_gives_no_permit_when_the_roles_changed_between_preview_and_push() {
        // Planned by a Quality Lead, whose rights do not depend on the main branch (it was not read),
        // then pressed by the same user demoted to Quality Engineer.
        let plan = planned(&mut Branch::new(), 2_500);
        assert!(!plan.main_branch_read);
        let refused = pressed(&[Role::QualityEngineer]).check(&plan);
        assert!(
            matches!(refused, Err(SyncError::RolesChanged)),
            "{refused:?}"
        );
    }

    /// Sends `plan`, applying the writes Bitbucket gets to `branch`; before the answer to write number
    /// `cancel_at` (counted from 1) comes back, the user cancels, after `meanwhile` ran on the branch.
    fn cancelled(
        branch: &mut Branch,
        plan: PushPlan,
        cancel_at: usize,
        meanwhile: impl FnOnce(&mut Branch),
    ) -> Result<PushOutcome, SyncError> {
        let mut sender =
            PushSender::new(cloud_api(), plan, &pressed(&[Role::QualityLead])).expect("allowed");
        let mut writes = 0;
        let mut meanwhile = Some(meanwhile);
        loop {
            match sender.next() {
                JobStep::Send(requests) => {
                    let request = &requests[0];
                    writes += usize::from(Branch::is_commit(request));
                    let answer = branch.answer(request);
                    if writes == cancel_at {
                        // The request reached Bitbucket; its answer never reaches the job.
                        meanwhile.take().into_iter().for_each(|run| run(branch));
                        sender.finish_cancelled();
                        return drive(&mut sender, |request| branch.answer(request));
                    }
                    sender.handle(vec![answer]);
                }
                JobStep::Done(output) => return output,
                JobStep::Wait(_) | JobStep::Unpack(_) => panic!("no waits, no archives"),
            }
        }
    }

    #[test]
    fn a_push_cancelled_after_its_last_commit_landed_is_published() {
        let mut branch = Branch::new();
        let plan = planned(&mut branch, 3);
        let total = plan.changes.split(3, u64::MAX, &|_| false).len();
        assert!(total > 2, "a chain: {total} commits");
        let outcome = cancelled(&mut branch, plan, total, |_| {}).expect("published");
        assert_eq!(outcome.commits.len(), total);
        assert_eq!(outcome.base.commit, branch.tip());
        assert_eq!(
            outcome.commits.last().map(String::as_str),
            Some(branch.tip())
        );
    }

    #[test]
    fn a_push_cancelled_within_its_chain_says_which_part_landed() {
        let mut branch = Branch::new();
        let plan = planned(&mut branch, 3);
        let total = plan.changes.split(3, u64::MAX, &|_| false).len();
        let refused = cancelled(&mut branch, plan, 2, |_| {});
        assert_eq!(
            refused,
            Err(SyncError::Cancelled(PushCancelled::Part {
                branch: "main".to_owned(),
                landed: 2,
                total,
            }))
        );
        let message = refused.unwrap_err().to_string();
        assert!(
            message.starts_with("The push was cancelled after 2 of "),
            "{message}"
        );
    }

    #[test]
    fn a_push_cancelled_before_anything_landed_published_nothing() {
        let mut branch = Branch::new();
        let plan = planned(&mut branch, 3);
        let mut sender =
            PushSender::new(cloud_api(), plan, &pressed(&[Role::QualityLead])).expect("allowed");
        // Cancelled before the first write was sent: the tip is read, and it is where the push began.
        sender.finish_cancelled();
        let mut asked = Vec::new();
        let ended = drive(&mut sender, |request| {
            asked.push(request.method);
            branch.answer(request)
        });
        assert_eq!(asked, [Method::Get]);
        assert_eq!(
            ended,
            Err(SyncError::Cancelled(PushCancelled::Nothing {
                branch: "main".to_owned()
            }))
        );
        assert_eq!(branch.tip(), "c0");
    }

    #[test]
    fn a_push_cancelled_while_someone_else_pushed_says_the_branch_moved() {
        // The second commit landed, then a teammate's on it: only the first is known to be this push's.
        let mut branch = Branch::new();
        let plan = planned(&mut branch, 3);
        let ended = cancelled(&mut branch, plan, 2, |branch| {
            branch.commit("A teammate's push")
        });
        assert_eq!(
            ended,
            Err(SyncError::Cancelled(PushCancelled::BranchMoved {
                branch: "main".to_owned(),
                landed: 1,
            }))
        );
    }

    #[test]
    fn messages_compare_whatever_their_line_endings() {
        assert!(same_message(
            "Fix\r\n\r\nArtifacts-Manifest: 0123",
            "Fix\n\nArtifacts-Manifest: 0123\n"
        ));
        assert!(!same_message(
            "Fix\n\nArtifacts-Manifest: 0123",
            "Fix\n\nArtifacts-Manifest: 4567"
        ));
    }
}
