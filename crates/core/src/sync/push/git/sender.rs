//! The push over git ([`GitPush`]): its stages, the advertisement checked against the plan, the push and
//! its report.

use std::collections::BTreeMap;
use std::rc::Rc;

use super::error::GitPushError;
use super::route::GitIdentity;
use crate::artifacts::FileSource;
use crate::bitbucket::{git_http, Api, ApiError, ApiResponse, Call};
use crate::git::{
    write_pack, Advertisement, Change, FileMode, Listings, Object, ObjectId, PushRefused,
    RefUpdate, Report, Signature, TreePlan, TreeSnapshot,
};
use crate::roles::WritePermit;
use crate::sync::attempt::{Attempt, Retrying};
use crate::sync::error::SyncError;
use crate::sync::job::{single_answer, Job, JobStep, Phase, Progress};
use crate::sync::local::SyncBase;
use crate::sync::push::confirm::Confirmation;
use crate::sync::push::outcome::{PushCancelled, PushOutcome};
use crate::sync::push::planner::PushPlan;
use crate::sync::remote::{GitMoves, Remote};
use crate::sync::retry::Failure;

/// What the push sent: the ref updates and the commit.
#[derive(Debug, Clone)]
pub(super) struct Sent {
    pub(super) updates: Vec<RefUpdate>,
    /// Where the branch (and the tag) go.
    pub(super) new: ObjectId,
    /// The commit made, if any (a new branch or a tag alone makes none).
    pub(super) commit: Option<ObjectId>,
}

/// Why the advertisement is read.
#[derive(Debug)]
pub(super) enum After {
    /// Before anything is written: the branch must be where the plan found it.
    Start,
    /// The push got no answer: it is sent again unless it landed.
    Lost(Attempt<Report>),
    /// Data Center refused it: whether the branch or the tag moved meanwhile.
    Refused(PushRefused),
    /// The user cancelled: whether the push landed.
    Cancelled,
}

#[derive(Debug)]
pub(super) enum Stage {
    Advertise {
        attempt: Attempt<Advertisement>,
        after: After,
    },
    /// Fetching the parent's trees (no history, no file content).
    Trees(Attempt<TreeSnapshot>),
    List {
        pages: Vec<(String, u64)>,
        tries: u32,
    },
    Modes {
        parts: Vec<Vec<String>>,
        tries: u32,
    },
    Push {
        attempt: Attempt<Report>,
    },
    Done,
}

/// What the advertisement says of a push's refs.
enum Landing {
    /// Every ref is where the push moves it.
    Landed,
    /// Every ref is where the push found it.
    Untouched,
    /// Someone else moved the branch, or made the tag.
    Moved,
}

/// Sends a planned Data Center push over git (see the module's description).
#[derive(Debug)]
pub struct GitPush {
    pub(super) remote: Remote,
    /// The permit the role check gave for the plan's branch: the push goes through it.
    pub(super) permit: WritePermit,
    pub(super) plan: Rc<PushPlan>,
    pub(super) url: String,
    /// The read of the advertisement, before the push and after it.
    pub(super) advertise: Call<Advertisement>,
    pub(super) author: Signature,
    /// The commit the change is based on (`None`: an empty repository).
    pub(super) tip: Option<ObjectId>,
    pub(super) stage: Stage,
    pub(super) retrying: Retrying,
    pub(super) advertisement: Advertisement,
    pub(super) trees: Option<TreePlan>,
    pub(super) listings: Listings,
    pub(super) modes: BTreeMap<String, FileMode>,
    pub(super) sent: Option<Sent>,
    pub(super) result: Option<Result<PushOutcome, SyncError>>,
}

impl GitPush {
    /// A push of `plan` over git on `api` by `identity`, as `confirmation` says at Push: the role
    /// policy is checked again, as for the REST push, before anything is sent.
    pub fn new(
        api: Api,
        plan: impl Into<Rc<PushPlan>>,
        confirmation: &Confirmation,
        identity: &GitIdentity,
    ) -> Result<GitPush, SyncError> {
        let plan = plan.into();
        let permit = confirmation.check(&plan)?;
        let url = git_http::repository_url(&api).ok_or(GitPushError::NoAddress)?;
        let advertise = git_http::advertisement(&api).ok_or(GitPushError::NoAddress)?;
        let author = Signature::new(
            &identity.name,
            &identity.email,
            identity.seconds,
            identity.offset_minutes,
        )
        .map_err(GitPushError::from)?;
        let tip = match plan.tip.id.as_str() {
            "" => None,
            id => Some(id.parse().map_err(GitPushError::from)?),
        };
        let changes = &plan.changes;
        let trees = match changes.is_empty() {
            true => None,
            false => {
                let files = &plan.local;
                let writes = changes.writes().map(|change| {
                    let bytes = files
                        .get(&change.path)
                        .map(|b| b.bytes().into_owned())
                        .unwrap_or_default();
                    (change.path.clone(), Change::Write(bytes))
                });
                let manifest = changes
                    .manifest_writes()
                    .map(|(path, bytes)| (path.to_owned(), Change::Write(bytes.to_vec())));
                let removed = changes.removed_paths().into_iter();
                let removed = removed.chain(changes.manifest_removed.iter().cloned());
                let deletions = removed.map(|path| (path, Change::Delete));
                // Deletions first, so that a path both removed and written is written.
                let all = deletions.chain(writes).chain(manifest).collect();
                Some(TreePlan::new(all).map_err(GitPushError::from)?)
            }
        };
        let mut retrying = Retrying::new(&plan.request.parameters, plan.request.seed ^ 0x917);
        retrying.progress.files_total = changes.total_files();
        retrying.progress.bytes_total = changes.total_bytes();
        retrying.progress.commits_total = usize::from(!changes.is_empty());
        Ok(GitPush {
            remote: Remote::new(api),
            permit,
            plan,
            url,
            stage: Stage::Advertise {
                attempt: Attempt::new(advertise.clone()),
                after: After::Start,
            },
            advertise,
            author,
            tip,
            retrying,
            advertisement: Advertisement::default(),
            trees,
            listings: Listings::new(),
            modes: BTreeMap::new(),
            sent: None,
            result: None,
        })
    }

    /// Starts from `answer`, the advertisement read when the push was previewed (the route's probe,
    /// see [`crate::sync::PushRoute::of`]), instead of asking for it again. A branch that moved
    /// since is still
    /// refused: the ref update is a compare-and-swap, and after a refusal the advertisement is read
    /// again to tell why.
    pub fn with_advertisement(mut self, answer: ApiResponse) -> GitPush {
        self.stage = match std::mem::replace(&mut self.stage, Stage::Done) {
            Stage::Advertise {
                attempt,
                after: After::Start,
            } => self.handle_advertisement(attempt, After::Start, Ok(answer)),
            stage => stage,
        };
        self
    }

    /// Ends a push the user cancelled, once its driver stopped: a push that may be in flight is
    /// settled by reading the advertisement (landed: the push ends with its outcome; not:
    /// [`PushCancelled::Nothing`]); one cancelled before it was sent wrote nothing.
    pub fn finish_cancelled(&mut self) {
        self.retrying.take_wait::<()>();
        self.stage = match std::mem::replace(&mut self.stage, Stage::Done) {
            Stage::Push { .. }
            | Stage::Advertise {
                after: After::Lost(_) | After::Refused(_) | After::Cancelled,
                ..
            } => Stage::Advertise {
                attempt: self.advertise(),
                after: After::Cancelled,
            },
            Stage::Done => Stage::Done,
            Stage::Advertise { .. }
            | Stage::Trees(_)
            | Stage::List { .. }
            | Stage::Modes { .. } => self.cancelled(PushCancelled::Nothing {
                branch: self.branch().to_owned(),
            }),
        };
    }

    pub(super) fn branch(&self) -> &str {
        &self.plan.request.branch
    }

    fn branch_ref(&self) -> String {
        format!("refs/heads/{}", self.branch())
    }

    fn tag_ref(&self) -> Option<String> {
        let version = self.plan.request.version.as_ref()?;
        Some(format!("refs/tags/{version}"))
    }

    /// Where the branch is before the push: nowhere when the push creates it.
    fn expected_old(&self) -> ObjectId {
        match self.plan.creates_branch {
            true => ObjectId::ZERO,
            false => self.tip.unwrap_or(ObjectId::ZERO),
        }
    }

    fn advertise(&self) -> Attempt<Advertisement> {
        Attempt::new(self.advertise.clone())
    }

    pub(super) fn fail(&mut self, error: impl Into<SyncError>) -> Stage {
        self.result = Some(Err(error.into()));
        Stage::Done
    }

    pub(super) fn cancelled(&mut self, what: PushCancelled) -> Stage {
        self.fail(SyncError::Cancelled(what))
    }

    /// The error of a branch or a tag someone else moved or made.
    pub(super) fn moved(&mut self) -> Stage {
        let branch = self.branch().to_owned();
        let at = self.advertisement.refs().get(&self.branch_ref()).copied();
        let error = match (self.plan.creates_branch, at) {
            (true, Some(_)) => SyncError::BranchExists { branch },
            (false, found) if found != self.tip => SyncError::BranchMoved { branch },
            _ => SyncError::VersionExists {
                name: self.plan.request.version.clone().unwrap_or_default(),
            },
        };
        self.fail(error)
    }

    /// Where the refs a push moves (or would move) to `new` stand in the last advertisement
    /// (untouched first: before the push, the branch may already be at `new`).
    fn landing(&self, new: ObjectId, moves_branch: bool) -> Landing {
        let refs = self.advertisement.refs();
        let at = |name: &str| refs.get(name).copied().unwrap_or(ObjectId::ZERO);
        let mut states = Vec::new();
        if moves_branch {
            states.push((at(&self.branch_ref()), self.expected_old()));
        }
        if let Some(tag) = self.tag_ref() {
            states.push((at(&tag), ObjectId::ZERO));
        }
        if states.iter().all(|(now, old)| now == old) {
            Landing::Untouched
        } else if states.iter().all(|(now, _)| *now == new) {
            Landing::Landed
        } else {
            Landing::Moved
        }
    }

    fn handle_advertisement(
        &mut self,
        mut attempt: Attempt<Advertisement>,
        after: After,
        answer: Answer,
    ) -> Stage {
        let advertisement = match attempt.read(answer) {
            Ok(advertisement) => advertisement,
            Err(error) if self.retrying.schedule(&mut attempt, &error) => {
                return Stage::Advertise { attempt, after }
            }
            Err(error) => return self.fail(SyncError::Api(error)),
        };
        self.advertisement = advertisement;
        let Some(sent) = self.sent.clone() else {
            // Before the push: the branch where the plan found it, the version free.
            let new = self.tip.unwrap_or(ObjectId::ZERO);
            return match self.landing(new, true) {
                Landing::Untouched => self.read_parent(),
                Landing::Landed | Landing::Moved => self.moved(),
            };
        };
        let moves_branch = sent.updates.iter().any(|u| u.name == self.branch_ref());
        match (self.landing(sent.new, moves_branch), after) {
            (Landing::Landed, _) => self.finish(),
            (Landing::Untouched, After::Lost(mut push)) => {
                match self.retrying.schedule(&mut push, &ApiError::Timeout) {
                    true => Stage::Push { attempt: push },
                    false => self.fail(SyncError::Api(ApiError::Timeout)),
                }
            }
            (Landing::Untouched, After::Refused(refused)) => {
                let branch = self.branch().to_owned();
                self.fail(GitPushError::Refused { branch, refused })
            }
            (Landing::Untouched, After::Cancelled | After::Start) => {
                let branch = self.branch().to_owned();
                self.cancelled(PushCancelled::Nothing { branch })
            }
            (Landing::Moved, After::Cancelled) => {
                let branch = self.branch().to_owned();
                self.cancelled(PushCancelled::BranchMoved { branch, landed: 0 })
            }
            (Landing::Moved, _) => self.moved(),
        }
    }
}

impl GitPush {
    /// The push of `objects` (the commit first), or of the refs alone.
    pub(super) fn push(&mut self, objects: Option<Vec<Object>>) -> Stage {
        let commit = objects.as_ref().and_then(|o| o.first()).map(Object::id);
        let tip = self.tip.unwrap_or(ObjectId::ZERO);
        let old = match (commit, self.plan.creates_branch) {
            (Some(_), _) | (None, true) => Some(self.expected_old()),
            (None, false) => None,
        };
        let new = commit.unwrap_or(tip);
        let version = self.plan.request.version.clone();
        if old.is_none() && version.is_none() {
            return self.finish();
        }
        let pack = match write_pack(objects.iter().flatten()) {
            Ok(pack) => pack,
            Err(error) => return self.fail(GitPushError::from(error)),
        };
        let moves = GitMoves {
            old,
            new,
            tag: version.as_deref(),
        };
        let writer = self.remote.writer(&self.permit);
        match writer.git_push(&self.url, &self.advertisement, moves, &pack) {
            Ok((call, updates)) => {
                self.sent = Some(Sent {
                    updates,
                    new,
                    commit,
                });
                Stage::Push {
                    attempt: Attempt::new(call),
                }
            }
            Err(error) => self.fail(GitPushError::from(error)),
        }
    }

    fn handle_push(&mut self, mut attempt: Attempt<Report>, answer: Answer) -> Stage {
        let Some(sent) = self.sent.clone() else {
            return Stage::Done;
        };
        match attempt.read(answer) {
            Ok(report) => match report.outcome(&sent.updates) {
                Ok(()) => self.finish(),
                // Refused: whether someone else moved the branch decides what the user is told.
                Err(refused) => Stage::Advertise {
                    attempt: self.advertise(),
                    after: After::Refused(refused),
                },
            },
            Err(error) => match Failure::of(&error) {
                Failure::Refused if self.retrying.schedule(&mut attempt, &error) => {
                    Stage::Push { attempt }
                }
                Failure::Unknown
                    if attempt.tries <= self.plan.request.parameters.scm_retry_count =>
                {
                    Stage::Advertise {
                        attempt: self.advertise(),
                        after: After::Lost(attempt),
                    }
                }
                _ => self.fail(SyncError::Api(error)),
            },
        }
    }

    pub(super) fn finish(&mut self) -> Stage {
        let changes = &self.plan.changes;
        let sent = self.sent.as_ref();
        let new = sent.map(|s| s.new).or(self.tip).unwrap_or(ObjectId::ZERO);
        let commits: Vec<String> = sent
            .and_then(|s| s.commit)
            .map(|c| c.to_string())
            .into_iter()
            .collect();
        let progress = &mut self.retrying.progress;
        progress.files_done = progress.files_total;
        progress.bytes_done = progress.bytes_total;
        progress.commits_done = commits.len();
        progress.phase = Phase::Done;
        let tag = sent.and(self.plan.request.version.clone());
        self.result = Some(Ok(PushOutcome {
            branch: self.branch().to_owned(),
            base: SyncBase {
                branch: self.branch().to_owned(),
                commit: new.to_string(),
                manifest: changes.manifest.clone(),
            },
            nothing_to_push: changes.is_empty(),
            branch_created: self.plan.creates_branch,
            tag,
            tag_error: None,
            written: if commits.is_empty() {
                0
            } else {
                changes.total_files()
            },
            deleted: if commits.is_empty() {
                0
            } else {
                changes.removed_paths().len()
            },
            kept_in_git: 0,
            unchanged: 0,
            held_back: changes.held_back,
            requests: self.plan.requests + self.retrying.progress.requests,
            commits,
        }));
        Stage::Done
    }
}

pub(super) type Answer = Result<ApiResponse, ApiError>;

impl Job for GitPush {
    type Output = Result<PushOutcome, SyncError>;

    fn next(&mut self) -> JobStep<Self::Output> {
        if let Some(wait) = self.retrying.take_wait() {
            return wait;
        }
        let (requests, phase) = match &self.stage {
            Stage::Advertise { attempt, after } => {
                let phase = match after {
                    After::Start => Phase::ReadingBranch,
                    _ => Phase::Verifying,
                };
                (vec![attempt.call.request.clone()], phase)
            }
            Stage::Trees(attempt) => (vec![attempt.call.request.clone()], Phase::ReadingRepository),
            Stage::List { pages, .. } => {
                let requests = pages
                    .iter()
                    .map(|(folder, start)| self.listing_call(folder, *start).request)
                    .collect();
                (requests, Phase::ReadingRepository)
            }
            Stage::Modes { parts, .. } => {
                let requests = parts
                    .iter()
                    .map(|paths| self.archive_call(paths).request)
                    .collect();
                (requests, Phase::ReadingRepository)
            }
            Stage::Push { attempt } => (vec![attempt.call.request.clone()], Phase::Committing),
            Stage::Done => return self.retrying.done(&mut self.result),
        };
        self.retrying.send(requests, phase)
    }

    fn handle(&mut self, answers: Vec<Result<ApiResponse, ApiError>>) {
        self.stage = match std::mem::replace(&mut self.stage, Stage::Done) {
            Stage::Advertise { attempt, after } => {
                self.handle_advertisement(attempt, after, single_answer(answers))
            }
            Stage::Push { attempt } => self.handle_push(attempt, single_answer(answers)),
            Stage::Trees(attempt) => self.handle_trees(&attempt, single_answer(answers)),
            Stage::List { pages, tries } => {
                let answers = padded(answers, pages.len());
                self.handle_listings(pages, tries, answers)
            }
            Stage::Modes { parts, tries } => {
                let answers = padded(answers, parts.len());
                self.handle_modes(parts, tries, answers)
            }
            Stage::Done => Stage::Done,
        };
    }

    fn progress(&self) -> Progress {
        self.retrying.progress
    }

    fn concurrency(&self) -> usize {
        self.plan.request.parameters.concurrency()
    }
}

/// `answers` with `Cancelled` for each request that got none.
fn padded(mut answers: Vec<Answer>, count: usize) -> Vec<Answer> {
    answers.resize_with(count.max(answers.len()), || Err(ApiError::Cancelled));
    answers
}
