//! State of the push dialog: the form, the preview of the change, the running push and its result.

use std::collections::BTreeMap;
use std::rc::Rc;

use versioning_core::artifacts::ArtifactId;
use versioning_core::roles::Role;
use versioning_core::sync::{Progress, PushOutcome, PushPlan, PushRequest};
use yew::prelude::*;

use crate::services::clock::now_ms;
use crate::services::project_record::StoredProject;
use crate::services::push_route::Route;
use crate::services::strategy::with_strategy;
use crate::services::sync::error::SyncJobError;

/// The push form's values.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PushForm {
    /// The branch to push to (the new branch's name when `new_branch`).
    pub branch: String,
    /// Create the branch.
    pub new_branch: bool,
    /// The branch a new branch is made from.
    pub from: String,
    /// The commit message.
    pub message: String,
    /// The version to tag the pushed commit with; empty for none.
    pub version: String,
    /// Push only the artifacts in review state Approved.
    pub approved_only: bool,
}

impl PushForm {
    /// The push the form asks for, by a user of `role`, of `stored` to `repository`.
    pub fn request(
        &self,
        role: Role,
        main_branch: Option<String>,
        stored: &StoredProject,
        repository: &str,
    ) -> PushRequest {
        let branch = self.branch.trim().to_owned();
        let version = Some(self.version.trim().to_owned()).filter(|v| !v.is_empty());
        let new_branch_from = self.new_branch.then(|| self.from.trim().to_owned());
        // A new branch is compared with the base of the branch it is made from.
        let base_branch = new_branch_from.as_deref().unwrap_or(&branch);
        PushRequest {
            roles: vec![role],
            main_branch,
            base: stored.base(repository, base_branch),
            new_branch_from,
            branch,
            message: self.message.clone(),
            version,
            approved_only: self.approved_only,
            parameters: with_strategy(stored.scm),
            seed: now_ms() as u64,
        }
    }
}

/// Where the dialog stands.
#[derive(Debug, Clone, Default)]
pub enum PushStage {
    /// Filling in branch, message and version.
    #[default]
    Form,
    /// Reading the branch and computing the change.
    Planning,
    /// Showing what the push will change.
    Preview(Rc<PushPlan>),
    /// Writing commits.
    Pushing(Rc<PushPlan>),
    /// Finished.
    Done(Rc<PushOutcome>),
}

/// The dialog's state.
#[derive(Debug, Clone, Default)]
pub struct PushState {
    /// The stage.
    pub stage: PushStage,
    /// The running job's progress.
    pub progress: Progress,
    /// When the running job started (ms since 1970).
    pub started_ms: f64,
    /// When progress was last reported (ms since 1970).
    pub now_ms: f64,
    /// Why the last step failed, if it did.
    pub error: Option<SyncJobError>,
    /// The local names of the artifacts the preview lists as changed on the branch or in conflict.
    pub names: Rc<BTreeMap<ArtifactId, String>>,
    /// The user chose to overwrite the preview's conflicts.
    pub overwrite: bool,
    /// Which way the previewed push goes (Data Center: over git or through the REST API, and why).
    pub route: Option<Route>,
}

/// What happens in the dialog.
#[derive(Debug, Clone)]
pub enum PushAction {
    /// Planning started at this time.
    Planning(f64),
    /// The plan is ready, with the local names of the artifacts it lists as changed on the branch.
    Planned(Rc<PushPlan>, Rc<BTreeMap<ArtifactId, String>>),
    /// The way the planned push goes was read.
    Routed(Option<Route>),
    /// The user chose (or no longer chooses) to overwrite the preview's conflicts.
    Overwrite(bool),
    /// Sending started at this time.
    Sending(f64),
    /// A job reported progress at this time.
    Progress(Progress, f64),
    /// The push ended.
    Pushed(Rc<PushOutcome>),
    /// A step failed.
    Failed(SyncJobError),
    /// The job was cancelled: back to the form, nothing kept.
    Cancelled,
    /// Back to the form to change something.
    Edit,
}

impl PushState {
    /// Whether a job runs.
    pub fn is_busy(&self) -> bool {
        matches!(self.stage, PushStage::Planning | PushStage::Pushing(_))
    }
}

impl Reducible for PushState {
    type Action = PushAction;

    fn reduce(self: Rc<Self>, action: PushAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            PushAction::Planning(now) => {
                next = PushState {
                    stage: PushStage::Planning,
                    started_ms: now,
                    now_ms: now,
                    ..PushState::default()
                };
            }
            PushAction::Planned(plan, names) => {
                next.stage = PushStage::Preview(plan);
                next.names = names;
                next.overwrite = false;
            }
            PushAction::Routed(route) => next.route = route,
            PushAction::Overwrite(overwrite) => next.overwrite = overwrite,
            PushAction::Sending(now) => {
                if let PushStage::Preview(plan) = &self.stage {
                    next.stage = PushStage::Pushing(plan.clone());
                    next.progress = Progress::default();
                    next.started_ms = now;
                    next.now_ms = now;
                    next.error = None;
                }
            }
            PushAction::Progress(progress, now) => {
                next.progress = progress;
                next.now_ms = now;
            }
            PushAction::Pushed(outcome) => next.stage = PushStage::Done(outcome),
            PushAction::Failed(error) => {
                next.stage = PushStage::Form;
                next.error = Some(error);
            }
            PushAction::Cancelled | PushAction::Edit => {
                next.stage = PushStage::Form;
                next.error = None;
            }
        }
        Rc::new(next)
    }
}
