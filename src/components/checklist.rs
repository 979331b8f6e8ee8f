//! The connection test's checklist: one line per step, with what was found or what went wrong.

use versioning_core::bitbucket::{StepReport, StepStatus};
use yew::prelude::*;

use crate::components::code_text::code_text;

/// Props of [`Checklist`].
#[derive(Properties, PartialEq)]
pub struct ChecklistProps {
    /// The steps and their states.
    pub steps: Vec<StepReport>,
}

fn line(report: &StepReport) -> Html {
    let (class, icon, state, detail) = match &report.status {
        StepStatus::Pending => ("pending", "○", "Not started", None),
        StepStatus::Running => ("running", "◌", "Checking…", None),
        StepStatus::Passed(detail) => ("passed", "✓", "Passed", Some(detail.clone())),
        StepStatus::PassedWithWarning(detail) => (
            "passed warning",
            "!",
            "Passed with a warning",
            Some(detail.clone()),
        ),
        StepStatus::Failed(error) => ("failed", "✕", "Failed", Some(error.to_string())),
        StepStatus::Skipped(reason) => ("skipped", "–", "Skipped", Some(reason.clone())),
        StepStatus::NotVisible(reason) => ("not-visible", "i", "Not visible", Some(reason.clone())),
    };
    html! {
        <li class={classes!("check", class)} data-step={format!("{:?}", report.step)}>
            <span class="check-icon" aria-hidden="true">{ icon }</span>
            <div>
                <p class="check-title">{ report.step.label() }<span class="visually-hidden">{ format!(": {state}") }</span></p>
                if let Some(detail) = detail {
                    <p class="check-detail">{ code_text(&detail) }</p>
                }
            </div>
        </li>
    }
}

/// The checklist, announced politely as it advances.
#[component]
pub fn Checklist(props: &ChecklistProps) -> Html {
    html! {
        <section class="checklist" aria-labelledby="checklist-title">
            <h3 id="checklist-title">{ "Connection test" }</h3>
            <ol role="list" aria-live="polite">{ for props.steps.iter().map(line) }</ol>
        </section>
    }
}
