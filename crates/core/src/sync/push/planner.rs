//! The push planner: its stages, the requests they send, and the plan it ends with.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use super::request::{check_names, check_request, main_branch_matters, Names, PushRequest};
use crate::artifacts::{
    ArtifactId, ArtifactKind, FileSource, LayoutOptions, Manifest, MANIFEST_FILE,
};
use crate::bitbucket::cloud::FileChange;
use crate::bitbucket::{git_http, Api, ApiError, ApiResponse, Call, CommitSummary, Pager};
use crate::git::{Advertisement, Object, TreeSnapshot};
use crate::sync::attempt::{Attempt, Retrying};
use crate::sync::change_set::{ChangeSet, Comparison, RemoteState};
use crate::sync::error::SyncError;
use crate::sync::job::{single_answer, Job, JobStep, Phase, Progress};
use crate::sync::local::{empty_commit, LocalFiles, LocalSide};
use crate::sync::manifest_read::ManifestRead;
use crate::sync::remote::{Listing, Remote};
use crate::sync::sides::check_sides;

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

impl PushPlan {
    /// Repository paths known to exist at `tip`: the manifest's files and the manifest, or the files
    /// listed.
    pub(crate) fn remote_paths(&self) -> BTreeSet<&str> {
        match &self.remote {
            RemoteState::Managed(manifest) => {
                let files = manifest.files.iter().map(|e| e.path.as_ref());
                files.chain([self.changes.manifest_path.as_str()]).collect()
            }
            RemoteState::Unmanaged(paths) => paths.iter().map(String::as_str).collect(),
        }
    }
}

#[derive(Debug)]
pub(super) enum PlanStage {
    /// Reading the repository's main branch, then the stage given.
    MainBranch(Attempt<Option<String>>, Box<PlanStage>),
    /// Reading the tip of `branch`: the branch pushed to, or the source of a new one.
    Tip {
        branch: String,
        attempt: Attempt<CommitSummary>,
    },
    Tag(Attempt<()>),
    Manifest(ManifestRead),
    /// Data Center over git: fetching the tip's trees (no history, no file content), which tell the
    /// files under the artifact root and their blob ids at once.
    Trees(Attempt<TreeSnapshot>),
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
/// [`crate::sync::Strategy`] (benchmarks only) it reads only the tip(s) and plans every local file and the
/// manifest as if the branch had none, for the per-file `BaselineSender`.
#[derive(Debug)]
pub struct PushPlanner {
    pub(super) remote: Remote,
    pub(super) request: PushRequest,
    pub(super) local: LocalSide,
    pub(super) options: LayoutOptions,
    pub(super) stage: PlanStage,
    pub(super) retrying: Retrying,
    pub(super) tip: Option<CommitSummary>,
    pub(super) creates_branch: bool,
    /// The request came with a base.
    pub(super) synced: bool,
    /// The main branch in the request was read from the repository.
    pub(super) main_branch_read: bool,
    pub(super) manifest_damaged: bool,
    /// Listed files found to hold the local content already.
    pub(super) identical: BTreeSet<String>,
    /// Data Center over git: the repository's address and its advertisement (the tips and tags).
    pub(super) git: Option<(String, Advertisement)>,
    /// The tip's trees, once fetched.
    pub(super) trees: Option<Rc<TreeSnapshot>>,
    /// The branch's manifest was asked for (it is not asked for twice).
    pub(super) manifest_asked: bool,
    pub(super) result: Option<Result<PushPlan, SyncError>>,
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

    pub(super) fn with_local(
        api: Api,
        request: PushRequest,
        local: LocalSide,
    ) -> Result<Self, SyncError> {
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
        let branch = request.new_branch_from.as_ref().unwrap_or(&request.branch);
        let first = PlanStage::Tip {
            branch: branch.clone(),
            attempt: Attempt::new(remote.tip(branch)),
        };
        let first = match reads_main {
            true => PlanStage::MainBranch(Attempt::new(remote.main_branch()), Box::new(first)),
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
    /// told the route ([`crate::sync::PushRoute::of`]): the tips and the version are read from it rather
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

    /// The first stage after the roles are checked: over git, the tip is the advertisement's.
    pub(super) fn start(&mut self, stage: PlanStage) -> PlanStage {
        let Some((_, advertisement)) = &self.git else {
            return stage;
        };
        let PlanStage::Tip { branch, .. } = &stage else {
            return stage;
        };
        match advertisement.refs().get(&format!("refs/heads/{branch}")) {
            Some(id) => {
                self.tip = Some(CommitSummary {
                    id: id.to_string(),
                    ..empty_commit()
                });
                self.after_tips()
            }
            None => self.fail(SyncError::BranchNotFound {
                branch: branch.clone(),
            }),
        }
    }

    /// After the tips: check the version, then read the remote state.
    pub(super) fn after_tips(&mut self) -> PlanStage {
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
            None => PlanStage::Tag(Attempt::new(self.remote.tag(version))),
        }
    }

    /// The call that fetches the tip's trees (over git only).
    pub(super) fn trees_call(&self) -> Option<Call<TreeSnapshot>> {
        let (url, _) = self.git.as_ref()?;
        let tip = self.tip.as_ref()?.id.parse().ok()?;
        Some(git_http::fetch_trees(self.remote.api(), url, tip))
    }

    /// After the tip's trees: the files under the artifact root, those holding the local content
    /// already (same blob id) left out of the plan, or the manifest read when there is one.
    pub(super) fn after_trees(&mut self, snapshot: Rc<TreeSnapshot>) -> PlanStage {
        let files = snapshot.files_under(self.options().root());
        self.trees = Some(snapshot);
        let manifest_path = self.manifest_path();
        if files.contains_key(&manifest_path) && !self.manifest_damaged && !self.manifest_asked {
            return self.read_manifest();
        }
        self.local.written();
        if let Some(local) = self.local.files() {
            let same = files.iter().filter(|(path, id)| {
                let bytes = local.get(path);
                bytes.is_some_and(|file| Object::blob(file.bytes().into_owned()).id() == **id)
            });
            let same: Vec<String> = same.map(|(path, _)| path.clone()).collect();
            self.identical.extend(same);
        }
        self.finish(RemoteState::Unmanaged(files.into_keys().collect()));
        PlanStage::Done
    }

    pub(super) fn read_manifest(&mut self) -> PlanStage {
        self.manifest_asked = true;
        let tip = self.tip.clone().unwrap_or_else(empty_commit);
        let base: Vec<&Manifest> = self
            .request
            .base
            .iter()
            .map(|base| &base.manifest)
            .collect();
        PlanStage::Manifest(ManifestRead::new(
            &self.remote,
            &tip.id,
            &self.options,
            &base,
        ))
    }

    pub(super) fn read_remote(&mut self) -> PlanStage {
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

    pub(super) fn options(&self) -> &LayoutOptions {
        &self.options
    }

    pub(super) fn manifest_path(&self) -> String {
        self.options().full_path(MANIFEST_FILE)
    }

    pub(super) fn finish(&mut self, remote: RemoteState) {
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
        let mut changes =
            ChangeSet::compute(&local, (&remote, origin.as_deref()), comparison, &include);
        changes.leave_out_identical(&self.identical);
        self.result = Some(Ok(PushPlan {
            request: self.request.clone(),
            tip: self.tip.clone().unwrap_or_else(empty_commit),
            creates_branch: self.creates_branch,
            remote,
            manifest_damaged: self.manifest_damaged,
            never_synced: never_synced && managed,
            main_branch_read: self.main_branch_read,
            changes,
            local,
            requests: self.retrying.progress.requests,
            trees: self.trees.clone(),
        }));
    }

    pub(super) fn fail(&mut self, error: SyncError) -> PlanStage {
        self.result = Some(Err(error));
        PlanStage::Done
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

impl Job for PushPlanner {
    type Output = Result<PushPlan, SyncError>;

    fn next(&mut self) -> JobStep<Self::Output> {
        if let Some(wait) = self.retrying.take_wait() {
            return wait;
        }
        match &self.stage {
            PlanStage::MainBranch(a, _) => {
                let request = a.call.request.clone();
                self.retrying.send(vec![request], Phase::ReadingBranch)
            }
            PlanStage::Tip { attempt, .. } => {
                let request = attempt.call.request.clone();
                self.retrying.send(vec![request], Phase::ReadingBranch)
            }
            PlanStage::Tag(a) => {
                let request = a.call.request.clone();
                self.retrying.send(vec![request], Phase::CheckingVersion)
            }
            PlanStage::Manifest(read) => {
                let requests = read.requests();
                self.retrying.send(requests, Phase::ReadingRepository)
            }
            PlanStage::Trees(a) => {
                let request = a.call.request.clone();
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
            PlanStage::Manifest(read) => {
                let outcome = read.handle(&self.remote, &mut self.retrying, answers);
                self.after_manifest_read(outcome)
            }
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

    /// Writes the deferred local files while the first read (the branch's tip) is in flight (a push
    /// whose base is the tip reads nothing else), and checks them and the base for the comparison.
    fn while_waiting(&mut self) {
        self.local.written();
        check_sides(self.local.files(), self.request.base.as_ref());
    }
}
