//! State of pull requests: the form that opens one after a push, and the states the History read of its
//! open ones.

use std::collections::BTreeMap;
use std::rc::Rc;

use versioning_core::bitbucket::pull_requests::PullRequest;
use versioning_core::bitbucket::ApiError;
use versioning_core::sync::PushPlan;
use yew::prelude::*;

use crate::services::pull_requests::OpenError;
use crate::state::push::PushStage;

/// Where the pull request form stands.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum ReviewStage {
    /// Filling in title, description, destination and reviewers.
    #[default]
    Form,
    /// The request is on its way.
    Opening,
    /// Opened (and recorded in the History).
    Opened(Rc<PullRequest>),
}

/// The pull request form's state.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReviewState {
    /// The stage.
    pub stage: ReviewStage,
    /// Why the last try failed, if it did.
    pub error: Option<OpenError>,
}

/// What happens in the pull request form.
#[derive(Debug, Clone)]
pub enum ReviewAction {
    /// The request was sent.
    Opening,
    /// Bitbucket opened it.
    Opened(Rc<PullRequest>),
    /// It was not opened (or not recorded), and why.
    Failed(OpenError),
}

impl Reducible for ReviewState {
    type Action = ReviewAction;

    fn reduce(self: Rc<Self>, action: ReviewAction) -> Rc<Self> {
        Rc::new(match action {
            ReviewAction::Opening => ReviewState {
                stage: ReviewStage::Opening,
                error: None,
            },
            ReviewAction::Opened(pull_request) => ReviewState {
                stage: ReviewStage::Opened(pull_request),
                error: None,
            },
            // Opened but not recorded: the pull request stays shown with the failure to record it.
            ReviewAction::Failed(error) => ReviewState {
                stage: match (&self.stage, &error) {
                    (ReviewStage::Opened(opened), OpenError::NotRecorded { .. }) => {
                        ReviewStage::Opened(opened.clone())
                    }
                    _ => ReviewStage::Form,
                },
                error: Some(error),
            },
        })
    }
}

/// The states the History read of its pull requests, by id: each read once while the History shows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PullRequestStates {
    /// Each pull request read, or why it could not be.
    pub read: BTreeMap<u64, Result<PullRequest, ApiError>>,
}

/// What the History learnt of its pull requests.
#[derive(Debug, Clone)]
pub enum StatesAction {
    /// These were read.
    Read(Vec<(u64, Result<PullRequest, ApiError>)>),
}

impl Reducible for PullRequestStates {
    type Action = StatesAction;

    fn reduce(self: Rc<Self>, action: StatesAction) -> Rc<Self> {
        let StatesAction::Read(answers) = action;
        let mut next = (*self).clone();
        next.read.extend(answers);
        Rc::new(next)
    }
}

/// The plan of the push dialog's last push: what a pull request opened after it describes.
#[hook]
pub fn use_pushed_plan(stage: &PushStage) -> Option<Rc<PushPlan>> {
    let last = use_mut_ref(|| None::<Rc<PushPlan>>);
    if let PushStage::Pushing(plan) = stage {
        *last.borrow_mut() = Some(plan.clone());
    }
    let plan = last.borrow().clone();
    plan
}
