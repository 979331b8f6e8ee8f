//! State of the push dialog: the form, the preview of the change, the running push and its result.

use std::rc::Rc;

use std::collections::BTreeMap;

use versioning_core::artifacts::ArtifactId;
use versioning_core::sync::{Progress, PushOutcome, PushPlan};
use yew::prelude::*;

use crate::services::push_route::Route;

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
    pub error: Option<String>,
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
    /// A step failed, with the message for the user.
    Failed(String),
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
            PushAction::Failed(message) => {
                next.stage = PushStage::Form;
                next.error = Some(message);
            }
            PushAction::Cancelled | PushAction::Edit => {
                next.stage = PushStage::Form;
                next.error = None;
            }
        }
        Rc::new(next)
    }
}
