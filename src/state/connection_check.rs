//! The state of a connection test as the page shows it.

use std::rc::Rc;

use versioning_core::bitbucket::{StepReport, TestOutcome};
use yew::prelude::*;

/// Where the latest connection test stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum CheckState {
    /// No test in this view yet.
    #[default]
    Idle,
    /// Waiting for Bitbucket; the checklist so far.
    Running(Vec<StepReport>),
    /// Every step passed.
    Passed(Vec<StepReport>, Box<TestOutcome>),
    /// A step failed; the checklist says which and why.
    Failed(Vec<StepReport>),
}

/// What happens to a connection test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckAction {
    /// The checklist advanced.
    Progress(Vec<StepReport>),
    /// The test ended, with its outcome when it passed.
    Finished(Vec<StepReport>, Option<Box<TestOutcome>>),
    /// Forget the last test (the form was reset or left).
    Clear,
}

impl CheckState {
    /// Whether a test is running.
    pub fn is_running(&self) -> bool {
        matches!(self, CheckState::Running(_))
    }

    /// The checklist to show, if any.
    pub fn steps(&self) -> Option<&[StepReport]> {
        match self {
            CheckState::Idle => None,
            CheckState::Running(steps)
            | CheckState::Passed(steps, _)
            | CheckState::Failed(steps) => Some(steps),
        }
    }
}

impl Reducible for CheckState {
    type Action = CheckAction;

    fn reduce(self: Rc<Self>, action: CheckAction) -> Rc<Self> {
        Rc::new(match action {
            CheckAction::Progress(steps) => CheckState::Running(steps),
            CheckAction::Finished(steps, Some(outcome)) => CheckState::Passed(steps, outcome),
            CheckAction::Finished(steps, None) => CheckState::Failed(steps),
            CheckAction::Clear => CheckState::Idle,
        })
    }
}
