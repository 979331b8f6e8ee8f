//! The per-file baselines benchmarks compare the product's push with (see [`Strategy`]): one request and
//! one commit per file, as naive clients do, run through the same planner, driver and retries.
//!
//! [`PushPlanner`](super::PushPlanner) plans a baseline push as if the branch held nothing: every local
//! file and the manifest. [`BaselineSender`] then writes each file on its own: Bitbucket Cloud
//! `POST /src` with that one file (no `parents`: Cloud commits it on the branch's tip), Data Center
//! `PUT browse/{path}` with `sourceCommitId` set to the tip the planner read, the source branch's for a new
//! branch (Data Center accepts it for new and existing files alike, and answers 409 "content unchanged" to
//! a file that holds that content already: counted unchanged, no commit). When the push creates the branch, its first write goes alone
//! (Cloud with `parents`, Data Center with `sourceBranch`); every other write goes in one batch that the
//! driver runs with [`Job::concurrency`] requests in flight: 1 for [`Strategy::PerFileSequential`],
//! `scm_export_worker_count` for [`Strategy::PerFileParallel`]. Failed writes (429, 5xx, no answer, and
//! a 409 of the branch moving under a concurrent write) are sent again after a back-off, without first
//! checking whether they landed, as such clients do; only rounds in which no write landed use up the
//! retries. The branch tip is read once at the end.
//!
//! [`PushJob`] chooses between [`PushSender`] and [`BaselineSender`] by the plan's strategy, so the
//! benchmarks' build of the app sends every push the same way. All of it exists only with the
//! `benchmark-strategies` feature.
//!
//! [`Strategy`]: super::Strategy
//! [`Strategy::PerFileSequential`]: super::Strategy::PerFileSequential
//! [`Strategy::PerFileParallel`]: super::Strategy::PerFileParallel

use std::collections::BTreeMap;
use std::rc::Rc;

use super::confirm::Confirmation;
use super::message::{commit_message, same_message};
use super::outcome::{PushCancelled, PushOutcome};
use super::planner::PushPlan;
use super::rest::PushSender;
use super::tag::TagAnswer;
use crate::bitbucket::{Api, ApiError, ApiResponse, Call, CommitSummary};
use crate::roles::WritePermit;
use crate::sync::attempt::{Attempt, Retrying};
use crate::sync::error::SyncError;
use crate::sync::job::{single_answer, Job, JobStep, Phase, Progress};
use crate::sync::local::SyncBase;
use crate::sync::remote::Remote;
use crate::sync::retry::Failure;

/// The Data Center exception of an edit whose content equals the file's.
const UNMODIFIED_EXCEPTION: &str = "FileContentUnmodifiedException";

#[derive(Debug)]
pub(super) enum Stage {
    /// Writes in flight: indices into [`BaselineSender::paths`], the index the writes after this batch
    /// start from, and the retries the batch took. While the branch does not exist, the batch is the one
    /// write that creates it.
    Writes {
        pending: Vec<usize>,
        next: usize,
        tries: u32,
    },
    /// The write creating the branch was refused (the branch exists): reading its tip to learn whether
    /// it is this push's own write, resent after a lost answer.
    Verify {
        index: usize,
        attempt: Attempt<CommitSummary>,
        refusal: ApiError,
    },
    /// Creating the branch: every write found its content there already (Data Center).
    CreateBranch(Attempt<()>),
    /// Reading the branch tip once every write is done.
    Tip(Attempt<CommitSummary>),
    /// Tagging the final commit.
    Tag(Attempt<()>),
    Done,
}

/// What the answer to one write says.
enum Written {
    /// A commit landed (Data Center's answer names it; Cloud's does not).
    Landed(Option<CommitSummary>),
    /// Data Center found the content unchanged: no commit.
    Unchanged,
    /// No commit landed (429, 5xx, no answer): send it again after a back-off.
    Retry(ApiError),
    /// A concurrent write moved the branch between the server's read and its update (409): nothing
    /// landed, send it again after a back-off.
    Moved,
    /// The write creating the branch was refused: the branch exists.
    Refused(ApiError),
    /// A final refusal.
    Failed(ApiError),
}

/// Writes a baseline push (planned with a per-file [`Strategy`](crate::sync::Strategy)): one request and one
/// commit per file.
#[derive(Debug)]
pub struct BaselineSender {
    remote: Remote,
    /// The permit the role check gave for the plan's branch: every write goes through it.
    permit: WritePermit,
    /// The plan, shared with whoever showed it (it holds every local file).
    plan: Rc<PushPlan>,
    /// Every path to write, in path order, the manifest last.
    paths: Vec<String>,
    /// The commit message of every write.
    message: String,
    stage: Stage,
    retrying: Retrying,
    /// The branch exists on the server (false until the first write of a new branch lands).
    branch_exists: bool,
    /// The commits made, as answered.
    landed: Vec<Option<CommitSummary>>,
    unchanged: usize,
    /// The branch tip read at the end.
    tip: String,
    tag: Option<String>,
    tag_error: Option<ApiError>,
    result: Option<Result<PushOutcome, SyncError>>,
}

impl BaselineSender {
    /// A sender of `plan` on `api`. The policy is checked again before any request, as `confirmation`
    /// says. It writes the plan's files and manifest, each on its own; deletions are not sent (a
    /// baseline plan has none). A version is tagged on the branch's final tip.
    pub fn new(
        api: Api,
        plan: impl Into<Rc<PushPlan>>,
        confirmation: &Confirmation,
    ) -> Result<Self, SyncError> {
        let plan = plan.into();
        let permit = confirmation.check(&plan)?;
        let remote = Remote::new(api);
        let changes = &plan.changes;
        let paths: Vec<String> = changes.written_paths().collect();
        let mut retrying = Retrying::new(&plan.request.parameters, plan.request.seed ^ 0xba5e);
        retrying.progress.files_total = changes.total_files();
        retrying.progress.bytes_total = changes.total_bytes();
        retrying.progress.commits_total = paths.len();
        let mut sender = BaselineSender {
            message: commit_message(&plan, plan.request.message.trim()),
            branch_exists: !plan.creates_branch,
            remote,
            permit,
            paths,
            stage: Stage::Done,
            retrying,
            landed: Vec::new(),
            unchanged: 0,
            tip: String::new(),
            tag: None,
            tag_error: None,
            result: None,
            plan,
        };
        sender.stage = sender.writes_from(0);
        Ok(sender)
    }

    /// Ends a push the user cancelled, with what its answers told (a per-file baseline reads nothing
    /// more): nothing, or the commits that landed, not published. A push that had ended keeps its result.
    pub fn finish_cancelled(&mut self) {
        self.stage = Stage::Done;
        let branch = self.plan.request.branch.clone();
        let cancelled = match self.landed.len() {
            0 => PushCancelled::Nothing { branch },
            landed => PushCancelled::Part {
                branch,
                landed,
                total: self.paths.len(),
            },
        };
        self.result
            .get_or_insert(Err(SyncError::Cancelled(cancelled)));
    }

    /// The writes from `index` on: the one creating the branch alone, else all of them in one batch.
    fn writes_from(&self, index: usize) -> Stage {
        if index >= self.paths.len() {
            return self.after_writes();
        }
        if self.branch_exists {
            Stage::Writes {
                pending: (index..self.paths.len()).collect(),
                next: self.paths.len(),
                tries: 0,
            }
        } else {
            Stage::Writes {
                pending: vec![index],
                next: index + 1,
                tries: 0,
            }
        }
    }

    pub(super) fn after_writes(&self) -> Stage {
        if self.branch_exists {
            Stage::Tip(self.tip_attempt())
        } else {
            let call = self
                .remote
                .writer(&self.permit)
                .create_branch(&self.plan.tip.id);
            Stage::CreateBranch(Attempt::new(call))
        }
    }

    pub(super) fn tip_attempt(&self) -> Attempt<CommitSummary> {
        Attempt::new(self.remote.tip(&self.plan.request.branch))
    }

    pub(super) fn content(&self, path: &str) -> Vec<u8> {
        self.plan.changes.content(&self.plan.local, path).to_vec()
    }

    /// The call of write `index`, which reads the commit Data Center names (Cloud's answer names none);
    /// it creates the branch while the branch does not exist.
    fn write_call(&self, index: usize) -> Call<Option<CommitSummary>> {
        let path = &self.paths[index];
        let request = &self.plan.request;
        let creating = !self.branch_exists;
        let tip = Some(self.plan.tip.id.clone()).filter(|id| !id.is_empty());
        let source = request.new_branch_from.clone().filter(|_| creating);
        self.remote.writer(&self.permit).write_file(
            (path, self.content(path)),
            &self.message,
            tip,
            creating.then_some(source),
        )
    }

    /// Reads the answer to write number `index`.
    fn read_write(&self, index: usize, answer: Result<ApiResponse, ApiError>) -> Written {
        let response = match answer {
            Ok(response) => response,
            Err(error) => return retry_or_fail(error),
        };
        match self.write_call(index).parse(&response) {
            Ok(commit) => Written::Landed(commit),
            Err(error @ ApiError::Conflict { .. }) if unmodified(&response, &error) => {
                Written::Unchanged
            }
            Err(error @ (ApiError::Conflict { .. } | ApiError::BadRequest { .. }))
                if !self.branch_exists =>
            {
                Written::Refused(error)
            }
            Err(ApiError::Conflict { .. }) => Written::Moved,
            Err(error) => retry_or_fail(error),
        }
    }

    fn handle_writes(
        &mut self,
        pending: Vec<usize>,
        next: usize,
        mut tries: u32,
        answers: Vec<Result<ApiResponse, ApiError>>,
    ) -> Stage {
        let mut still = Vec::new();
        let mut retry = None;
        let mut moved = false;
        let mut progressed = false;
        for (index, answer) in pending.into_iter().zip(answers) {
            match self.read_write(index, answer) {
                Written::Landed(commit) => {
                    self.branch_exists = true;
                    self.landed.push(commit);
                    self.count_done(index);
                    progressed = true;
                }
                Written::Unchanged => {
                    self.unchanged += 1;
                    self.count_done(index);
                    progressed = true;
                }
                Written::Retry(error) => {
                    retry = Some(error);
                    still.push(index);
                }
                Written::Moved => {
                    moved = true;
                    // Schedules the back-off of a request that may be sent again.
                    retry.get_or_insert(ApiError::Timeout);
                    still.push(index);
                }
                Written::Refused(refusal) => {
                    return Stage::Verify {
                        index,
                        attempt: self.tip_attempt(),
                        refusal,
                    };
                }
                Written::Failed(error) => return self.fail(SyncError::Api(error)),
            }
        }
        if progressed {
            // Concurrent writes to one branch collide (409) while others land: only rounds in which
            // nothing landed use up the retries.
            tries = 0;
        }
        match retry {
            None => self.writes_from(next),
            Some(error) if self.retrying.schedule_batch(&mut tries, &error) => Stage::Writes {
                pending: still,
                next,
                tries,
            },
            Some(_) if moved => self.moved(),
            Some(error) => self.fail(SyncError::Api(error)),
        }
    }

    pub(super) fn count_done(&mut self, index: usize) {
        let bytes = self.content(&self.paths[index]).len() as u64;
        let progress = &mut self.retrying.progress;
        progress.files_done += 1;
        progress.bytes_done += bytes;
        progress.commits_done = self.landed.len();
    }

    pub(super) fn fail(&mut self, error: SyncError) -> Stage {
        self.result = Some(Err(error));
        Stage::Done
    }

    pub(super) fn moved(&mut self) -> Stage {
        let branch = self.plan.request.branch.clone();
        self.fail(SyncError::BranchMoved { branch })
    }

    fn handle_verify(
        &mut self,
        index: usize,
        mut attempt: Attempt<CommitSummary>,
        refusal: ApiError,
        answer: Result<ApiResponse, ApiError>,
    ) -> Stage {
        match attempt.read(answer) {
            Ok(tip) => {
                let ours = tip.parents.first() == Some(&self.plan.tip.id)
                    && same_message(&tip.message, &self.message);
                if ours {
                    // This push's own write, resent after its answer was lost.
                    self.branch_exists = true;
                    self.landed.push(Some(tip));
                    self.count_done(index);
                    self.writes_from(index + 1)
                } else {
                    let branch = self.plan.request.branch.clone();
                    self.fail(SyncError::BranchExists { branch })
                }
            }
            Err(ApiError::NotFound { .. }) => self.fail(SyncError::Api(refusal)),
            Err(error) if self.retrying.schedule(&mut attempt, &error) => Stage::Verify {
                index,
                attempt,
                refusal,
            },
            Err(error) => self.fail(SyncError::Api(error)),
        }
    }

    pub(super) fn handle_single(
        &mut self,
        stage: Stage,
        answer: Result<ApiResponse, ApiError>,
    ) -> Stage {
        let branch = self.plan.request.branch.clone();
        match stage {
            Stage::Verify {
                index,
                attempt,
                refusal,
            } => self.handle_verify(index, attempt, refusal, answer),
            Stage::CreateBranch(mut attempt) => match attempt.read(answer) {
                Ok(()) => {
                    self.branch_exists = true;
                    self.after_writes()
                }
                Err(error) if self.retrying.schedule(&mut attempt, &error) => {
                    Stage::CreateBranch(attempt)
                }
                Err(ApiError::Conflict { .. } | ApiError::BadRequest { .. }) => {
                    self.fail(SyncError::BranchExists { branch })
                }
                Err(error) => self.fail(SyncError::Api(error)),
            },
            Stage::Tip(mut attempt) => match attempt.read(answer) {
                Ok(tip) => {
                    self.tip = tip.id;
                    match self.plan.request.version.clone() {
                        Some(version) => {
                            let message = self.plan.request.message.trim().to_owned();
                            let call = self
                                .remote
                                .writer(&self.permit)
                                .create_tag(&version, &self.tip, &message);
                            Stage::Tag(Attempt::new(call))
                        }
                        None => self.finish(),
                    }
                }
                Err(error) if self.retrying.schedule(&mut attempt, &error) => Stage::Tip(attempt),
                Err(error) => self.fail(SyncError::Api(error)),
            },
            Stage::Tag(attempt) => match TagAnswer::read(&mut self.retrying, attempt, answer) {
                TagAnswer::Made => {
                    self.tag = self.plan.request.version.clone();
                    self.finish()
                }
                TagAnswer::Failed(error) => {
                    self.tag_error = Some(error);
                    self.finish()
                }
                TagAnswer::Again(attempt) => Stage::Tag(attempt),
            },
            other => other,
        }
    }

    pub(super) fn finish(&mut self) -> Stage {
        let changes = &self.plan.changes;
        let branch = self.plan.request.branch.clone();
        let commits = if self.remote.commits_one_file_at_a_time() {
            oldest_first(self.landed.iter().flatten())
        } else if self.landed.is_empty() {
            Vec::new()
        } else {
            // Cloud's answers name no commit: only the last one is known, the tip read at the end.
            vec![self.tip.clone()]
        };
        self.result = Some(Ok(PushOutcome {
            branch: branch.clone(),
            commits,
            base: SyncBase {
                branch,
                commit: self.tip.clone(),
                manifest: changes.manifest.clone(),
            },
            nothing_to_push: self.landed.is_empty(),
            branch_created: self.plan.creates_branch,
            tag: self.tag.clone(),
            tag_error: self.tag_error.clone(),
            written: self.paths.len() - self.unchanged,
            deleted: 0,
            kept_in_git: changes.removed_paths().len(),
            unchanged: self.unchanged,
            held_back: changes.held_back,
            requests: self.plan.requests + self.retrying.progress.requests,
        }));
        self.retrying.progress.phase = Phase::Done;
        Stage::Done
    }
}

impl Job for BaselineSender {
    type Output = Result<PushOutcome, SyncError>;

    fn next(&mut self) -> JobStep<Self::Output> {
        if let Some(wait) = self.retrying.take_wait() {
            return wait;
        }
        let (requests, phase) = match &self.stage {
            Stage::Writes { pending, .. } => (
                pending
                    .iter()
                    .map(|&i| self.write_call(i).request)
                    .collect(),
                Phase::Committing,
            ),
            Stage::Verify { attempt, .. } => (vec![attempt.call.request.clone()], Phase::Verifying),
            Stage::CreateBranch(attempt) | Stage::Tag(attempt) => {
                (vec![attempt.call.request.clone()], Phase::Tagging)
            }
            Stage::Tip(attempt) => (vec![attempt.call.request.clone()], Phase::ReadingBranch),
            Stage::Done => {
                return self.retrying.done(&mut self.result);
            }
        };
        self.retrying.send(requests, phase)
    }

    fn handle(&mut self, answers: Vec<Result<ApiResponse, ApiError>>) {
        let stage = std::mem::replace(&mut self.stage, Stage::Done);
        self.stage = match stage {
            Stage::Writes {
                pending,
                next,
                tries,
            } => self.handle_writes(pending, next, tries, answers),
            Stage::Done => Stage::Done,
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
        self.plan.request.parameters.concurrency()
    }
}

/// A failed request without a definite answer is sent again; a definite refusal ends the push.
fn retry_or_fail(error: ApiError) -> Written {
    match Failure::of(&error) {
        Failure::Final => Written::Failed(error),
        Failure::Refused | Failure::Unknown => Written::Retry(error),
    }
}

/// Whether a Data Center 409 says the file holds that content already (no commit was made).
fn unmodified(response: &ApiResponse, error: &ApiError) -> bool {
    let body = String::from_utf8_lossy(&response.body);
    let message = match error {
        ApiError::Conflict {
            message: Some(message),
        } => message.to_ascii_lowercase(),
        _ => String::new(),
    };
    body.contains(UNMODIFIED_EXCEPTION) || message.contains("unchanged")
}

/// Data Center commits in the order they were made: each on its parent (a parallel batch's answers come
/// in request order, not in commit order). Commits whose parent is not among them start the chain.
fn oldest_first<'a>(commits: impl Iterator<Item = &'a CommitSummary>) -> Vec<String> {
    let commits: Vec<&CommitSummary> = commits.collect();
    let mut by_parent: BTreeMap<&str, Vec<&CommitSummary>> = BTreeMap::new();
    for commit in &commits {
        let parent = commit.parents.first().map_or("", String::as_str);
        by_parent.entry(parent).or_default().push(commit);
    }
    let ours = |id: &str| commits.iter().any(|c| c.id == id);
    let mut ordered = Vec::with_capacity(commits.len());
    let mut queue: Vec<&CommitSummary> = commits
        .iter()
        .copied()
        .filter(|c| !c.parents.first().is_some_and(|p| ours(p)))
        .collect();
    queue.reverse();
    while let Some(commit) = queue.pop() {
        ordered.push(commit.id.clone());
        if let Some(children) = by_parent.get(commit.id.as_str()) {
            queue.extend(children.iter().rev());
        }
    }
    ordered
}

/// A push's sender, as the plan's [`Strategy`] chooses: the product's [`PushSender`], or the per-file
/// [`BaselineSender`] of benchmarks. The benchmarks' build of the app sends every push through it.
///
/// [`Strategy`]: crate::sync::Strategy
#[derive(Debug)]
pub enum PushJob {
    /// The product's strategy.
    Planned(PushSender),
    /// The per-file strategies.
    Baseline(BaselineSender),
}

impl PushJob {
    /// The sender of `plan` on `api`, by `plan.request.parameters.strategy`. The policy is checked again
    /// before any request, as `confirmation` says. The plan is shared, not copied: a dialog may keep
    /// showing it.
    pub fn new(
        api: Api,
        plan: impl Into<Rc<PushPlan>>,
        confirmation: &Confirmation,
    ) -> Result<PushJob, SyncError> {
        let plan = plan.into();
        if plan.request.parameters.strategy.is_planned() {
            PushSender::new(api, plan, confirmation).map(PushJob::Planned)
        } else {
            BaselineSender::new(api, plan, confirmation).map(PushJob::Baseline)
        }
    }

    /// Ends a push the user cancelled: [`PushSender::finish_cancelled`] or
    /// [`BaselineSender::finish_cancelled`].
    pub fn finish_cancelled(&mut self) {
        match self {
            PushJob::Planned(job) => job.finish_cancelled(),
            PushJob::Baseline(job) => job.finish_cancelled(),
        }
    }
}

impl Job for PushJob {
    type Output = Result<PushOutcome, SyncError>;

    fn next(&mut self) -> JobStep<Self::Output> {
        match self {
            PushJob::Planned(job) => job.next(),
            PushJob::Baseline(job) => job.next(),
        }
    }

    fn handle(&mut self, answers: Vec<Result<ApiResponse, ApiError>>) {
        match self {
            PushJob::Planned(job) => job.handle(answers),
            PushJob::Baseline(job) => job.handle(answers),
        }
    }

    fn progress(&self) -> Progress {
        match self {
            PushJob::Planned(job) => job.progress(),
            PushJob::Baseline(job) => job.progress(),
        }
    }

    fn concurrency(&self) -> usize {
        match self {
            PushJob::Planned(job) => job.concurrency(),
            PushJob::Baseline(job) => job.concurrency(),
        }
    }
}
