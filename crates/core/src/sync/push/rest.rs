//! Sending a planned push through the REST API ([`PushSender`]): Cloud commits of parts, Data Center
//! edits of one file each, then the version tag.

use std::collections::BTreeSet;
use std::rc::Rc;

use super::confirm::Confirmation;
use super::message::{commit_message, same_message};
use super::outcome::{PushCancelled, PushOutcome};
use super::planner::PushPlan;
use super::request::PushRequest;
use super::tag::TagAnswer;
use crate::bitbucket::{Api, ApiError, ApiResponse, CommitSummary};
use crate::roles::WritePermit;
use crate::sync::attempt::{Attempt, Retrying};
use crate::sync::change_set::RemoteState;
use crate::sync::error::SyncError;
use crate::sync::job::{single_answer, Job, JobStep, Phase, Progress};
use crate::sync::local::SyncBase;
use crate::sync::remote::{Remote, Write, WriteContent};

/// Why a write's outcome is checked against the branch tip.
#[derive(Debug, Clone)]
pub(super) enum Unsure {
    /// No answer (timeout, dropped connection, 5xx): resend if it did not land.
    Lost,
    /// 409: the browser may have resent a request whose first copy landed.
    Conflict,
    /// A refusal of a resent branch-creating write (the branch exists: maybe ours).
    Refused(ApiError),
}

#[derive(Debug)]
pub(super) enum SendStage {
    /// Reading the branch a push creates, which must not exist yet, before its first write
    /// ([`Remote::may_write_onto_an_existing_branch`]).
    CheckFree(Attempt<CommitSummary>),
    /// Sending write number `index`.
    Write {
        index: usize,
        attempt: Attempt<Option<CommitSummary>>,
    },
    /// After a Cloud commit's 201: reading the new tip.
    NewTip {
        index: usize,
        attempt: Attempt<CommitSummary>,
    },
    /// After a write without an answer, or answered 409: reading the tip to learn whether it landed
    /// (a browser resends a request whose connection dropped, and the resent one meets our own commit).
    Verify {
        index: usize,
        write: Box<Attempt<Option<CommitSummary>>>,
        attempt: Attempt<CommitSummary>,
        after: Unsure,
    },
    /// Creating the branch (a push of no change to a new branch).
    CreateBranch(Attempt<()>),
    /// Tagging the pushed commit.
    Tag(Attempt<()>),
    /// After a cancel: reading the branch tip to learn what the write left in flight did.
    Settling {
        in_flight: InFlight,
        attempt: Attempt<CommitSummary>,
    },
    /// After a cancel with only the tag left: reading whether the tag was made.
    SettlingTag(Attempt<()>),
    Done,
}

/// What a cancelled push had in flight, or next to send, before its tag.
#[derive(Debug, Clone, Copy)]
pub(super) enum InFlight {
    /// Write number `index`.
    Write(usize),
    /// The creation of the branch (a push of no change to a new branch).
    Branch,
}

/// Writes a planned push.
#[derive(Debug)]
pub struct PushSender {
    pub(super) remote: Remote,
    /// The permit the role check gave for the plan's branch: every write goes through it.
    pub(super) permit: WritePermit,
    /// The plan, shared with whoever showed it (it holds every local file).
    pub(super) plan: Rc<PushPlan>,
    pub(super) writes: Vec<Write>,
    /// The message of a Data Center edit (the same for every file of the push).
    pub(super) edit_message: String,
    pub(super) stage: SendStage,
    pub(super) retrying: Retrying,
    /// The commit the next write is based on.
    pub(super) chain_tip: String,
    /// The branch exists on the server (false until the first write of a new branch lands).
    pub(super) branch_exists: bool,
    pub(super) commits: Vec<String>,
    pub(super) unchanged: usize,
    pub(super) tag: Option<String>,
    pub(super) tag_error: Option<ApiError>,
    pub(super) result: Option<Result<PushOutcome, SyncError>>,
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
        let parts = || {
            let parameters = &plan.request.parameters;
            let listed: BTreeSet<&str> = match &plan.remote {
                RemoteState::Managed(manifest) => {
                    manifest.files.iter().map(|e| e.path.as_ref()).collect()
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
                .map(|(i, part)| {
                    let message = match count {
                        1 => commit_message(&plan, plan.request.message.trim()),
                        n => commit_message(
                            &plan,
                            &format!("{} (part {} of {n})", plan.request.message.trim(), i + 1),
                        ),
                    };
                    (part, message)
                })
                .collect()
        };
        // Asked only of a remote that writes one file at a time.
        let held = std::cell::OnceCell::new();
        let writes = remote.writes(&plan.changes, parts, |path| {
            held.get_or_init(|| plan.remote_paths()).contains(path)
        });
        let mut retrying = Retrying::new(&plan.request.parameters, plan.request.seed ^ 0x5eed);
        retrying.progress.files_total = plan.changes.total_files();
        retrying.progress.bytes_total = plan.changes.total_bytes();
        retrying.progress.commits_total = writes.len();
        let mut sender = PushSender {
            edit_message: commit_message(&plan, plan.request.message.trim()),
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
                SendStage::CreateBranch(Attempt::new(call))
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
            SendStage::Tag(_) => {
                let version = self.request().version.clone().unwrap_or_default();
                self.stage = SendStage::SettlingTag(Attempt::new(self.remote.tag(&version)));
                return;
            }
            SendStage::Settling { .. } | SendStage::SettlingTag(_) | SendStage::Done => return,
        };
        let attempt = self.tip_attempt();
        self.stage = SendStage::Settling { in_flight, attempt };
    }

    /// The end of a push cancelled with only its tag left, from the answer to the read of the tag
    /// ([`PushSender::finish_cancelled`]).
    pub(super) fn settle_tag(
        &mut self,
        attempt: &Attempt<()>,
        answer: Result<ApiResponse, ApiError>,
    ) -> SendStage {
        let version = self.request().version.clone().unwrap_or_default();
        match attempt.read(answer) {
            Ok(()) => self.tag = Some(version),
            Err(ApiError::NotFound { .. }) => self.tag_error = Some(ApiError::Cancelled),
            Err(error) => self.tag_error = Some(error),
        }
        self.finish()
    }

    /// The end of a cancelled push, from the answer to the read of the branch tip
    /// ([`PushSender::finish_cancelled`]).
    pub(super) fn settle(
        &mut self,
        in_flight: InFlight,
        attempt: &Attempt<CommitSummary>,
        answer: Result<ApiResponse, ApiError>,
    ) -> SendStage {
        let tip = match self.handle_tip(attempt, answer) {
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
    pub(super) fn cancelled(
        &mut self,
        what: impl FnOnce(String, usize) -> PushCancelled,
    ) -> SendStage {
        let branch = self.request().branch.clone();
        let landed = self.commits.len();
        self.fail(SyncError::Cancelled(what(branch, landed)))
    }

    pub(super) fn request(&self) -> &PushRequest {
        &self.plan.request
    }

    /// The request of write `index`.
    pub(super) fn write_stage(&self, index: usize) -> SendStage {
        let source_branch = (!self.branch_exists)
            .then(|| self.request().new_branch_from.clone())
            .flatten();
        let call = self.remote.writer(&self.permit).write(
            &self.writes[index],
            &self.content(),
            &self.chain_tip,
            source_branch,
        );
        SendStage::Write {
            index,
            attempt: Attempt::new(call),
        }
    }

    /// What comes after write `index` landed.
    pub(super) fn next_write(&mut self, index: usize) -> SendStage {
        if index + 1 < self.writes.len() {
            self.write_stage(index + 1)
        } else {
            self.after_writes()
        }
    }

    pub(super) fn after_writes(&mut self) -> SendStage {
        match self.request().version.clone() {
            Some(version) => {
                let message = self.request().message.trim().to_owned();
                let call = self.remote.writer(&self.permit).create_tag(
                    &version,
                    &self.chain_tip,
                    &message,
                );
                SendStage::Tag(Attempt::new(call))
            }
            None => self.finish(),
        }
    }

    pub(super) fn finish(&mut self) -> SendStage {
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

    pub(super) fn fail(&mut self, error: SyncError) -> SendStage {
        self.result = Some(Err(error));
        SendStage::Done
    }

    pub(super) fn moved(&mut self) -> SendStage {
        let branch = self.request().branch.clone();
        self.fail(SyncError::BranchMoved { branch })
    }

    /// Counts write `index` as done, with the commit it made.
    pub(super) fn landed(&mut self, index: usize, commit: String) {
        self.chain_tip = commit.clone();
        self.commits.push(commit);
        self.branch_exists = true;
        self.count_done(index);
    }

    pub(super) fn count_done(&mut self, index: usize) {
        let (files, bytes) = self.writes[index].size(&self.content());
        let progress = &mut self.retrying.progress;
        progress.files_done += files;
        progress.bytes_done += bytes;
        progress.commits_done = self.commits.len();
    }

    fn message_of(&self, index: usize) -> String {
        self.writes[index].message(&self.content())
    }

    /// What the writes hold: the plan's files and manifest, and the message of a Data Center edit.
    fn content(&self) -> WriteContent<'_> {
        let changes = &self.plan.changes;
        WriteContent {
            files: &self.plan.local,
            changes,
            message: &self.edit_message,
        }
    }

    pub(super) fn tip_attempt(&self) -> Attempt<CommitSummary> {
        Attempt::new(self.remote.tip(&self.request().branch))
    }
}

impl Job for PushSender {
    type Output = Result<PushOutcome, SyncError>;

    fn next(&mut self) -> JobStep<Self::Output> {
        if let Some(wait) = self.retrying.take_wait() {
            return wait;
        }
        let (request, phase) = match &self.stage {
            SendStage::CheckFree(attempt) => (attempt.call.request.clone(), Phase::ReadingBranch),
            SendStage::Write { attempt, .. } => (attempt.call.request.clone(), Phase::Committing),
            SendStage::NewTip { attempt, .. } => (attempt.call.request.clone(), Phase::Committing),
            SendStage::Verify { attempt, .. } => (attempt.call.request.clone(), Phase::Verifying),
            SendStage::CreateBranch(attempt) | SendStage::Tag(attempt) => {
                (attempt.call.request.clone(), Phase::Tagging)
            }
            SendStage::Settling { attempt, .. } => (attempt.call.request.clone(), Phase::Verifying),
            SendStage::SettlingTag(attempt) => (attempt.call.request.clone(), Phase::Verifying),
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
            SendStage::Settling { .. } | SendStage::SettlingTag(_) | SendStage::Done => {
                return None
            }
        };
        let per_write = self.remote.requests_per_write();
        let tag = self.plan.request.version.is_some() && self.tag.is_none();
        Some((self.writes.len() - next) * per_write + usize::from(tag) + check)
    }

    fn handle(&mut self, answers: Vec<Result<ApiResponse, ApiError>>) {
        let answer = single_answer(answers);
        let stage = std::mem::replace(&mut self.stage, SendStage::Done);
        self.stage = match stage {
            SendStage::CheckFree(mut attempt) => match self.handle_tip(&attempt, answer) {
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
            SendStage::NewTip { index, mut attempt } => match self.handle_tip(&attempt, answer) {
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
            } => match self.handle_tip(&attempt, answer) {
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
                                attempt: *write,
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
            SendStage::CreateBranch(mut attempt) => match attempt.read(answer) {
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
            },
            SendStage::Tag(attempt) => match TagAnswer::read(&mut self.retrying, attempt, answer) {
                TagAnswer::Made => {
                    self.tag = self.request().version.clone();
                    self.finish()
                }
                TagAnswer::Failed(error) => {
                    self.tag_error = Some(error);
                    self.finish()
                }
                TagAnswer::Again(attempt) => SendStage::Tag(attempt),
            },
            SendStage::Settling { in_flight, attempt } => self.settle(in_flight, &attempt, answer),
            SendStage::SettlingTag(attempt) => self.settle_tag(&attempt, answer),
            SendStage::Done => SendStage::Done,
        };
    }

    fn progress(&self) -> Progress {
        self.retrying.progress
    }
}
