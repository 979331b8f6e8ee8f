//! The steps of a test case, each editable in place, with add, remove and reorder.

use versioning_core::artifacts::{ArtifactId, Step, StepField, TestCase};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::state::explorer::Edit;

/// The label of a step's field (the fields are shown in [`StepField::ALL`]'s order).
fn label(field: StepField) -> &'static str {
    match field {
        StepField::Keyword => "Keyword",
        StepField::Element => "Element",
        StepField::Input => "Input",
        StepField::Expected => "Expected result",
        StepField::Comment => "Comment",
    }
}

/// Props of [`StepsEditor`].
#[derive(Properties, PartialEq)]
pub struct StepsEditorProps {
    /// The test case whose steps are shown.
    pub case: TestCase,
    /// An edit of the steps.
    pub on_edit: Callback<Edit>,
}

fn step_view(
    case: &ArtifactId,
    index: usize,
    step: &Step,
    count: usize,
    on_edit: &Callback<Edit>,
) -> Html {
    let number = index + 1;
    let fields = StepField::ALL.map(|field| {
        let id = format!("step-{number}-{}", field.key());
        let current = step.clone();
        let value = current.get(field).to_owned();
        let onchange = {
            let case = case.clone();
            on_edit.reform(move |event: Event| {
                let value = event.target_unchecked_into::<HtmlInputElement>().value();
                let step = current.with(field, &value);
                Edit::UpdateStep {
                    case: case.clone(),
                    index,
                    step,
                }
            })
        };
        html! {
            <div class="step-field">
                <label for={id.clone()}>{ label(field) }</label>
                <input {id} type="text" autocomplete="off" {value} {onchange} />
            </div>
        }
    });
    let moved = |to: usize| {
        let case = case.clone();
        on_edit.reform(move |_: MouseEvent| Edit::MoveStep {
            case: case.clone(),
            from: index,
            to,
        })
    };
    let remove = {
        let case = case.clone();
        on_edit.reform(move |_: MouseEvent| Edit::RemoveStep {
            case: case.clone(),
            index,
        })
    };
    html! {
        <li class="step">
            <fieldset>
                <legend>{ format!("Step {number}") }</legend>
                <div class="step-fields">{ for fields }</div>
                <div class="actions">
                    <button type="button" class="button subtle" disabled={index == 0}
                            aria-label={format!("Move up, step {number}")}
                            onclick={moved(index.saturating_sub(1))}>{ "Move up" }</button>
                    <button type="button" class="button subtle" disabled={number == count}
                            aria-label={format!("Move down, step {number}")}
                            onclick={moved(number)}>{ "Move down" }</button>
                    <button type="button" class="button subtle" aria-label={format!("Remove, step {number}")}
                            onclick={remove}>{ "Remove" }</button>
                </div>
            </fieldset>
        </li>
    }
}

/// The steps as a numbered list of fieldsets. A field is saved when the user leaves it or presses Enter.
#[component]
pub fn StepsEditor(props: &StepsEditorProps) -> Html {
    let case = &props.case;
    let count = case.steps.len();
    let steps = case
        .steps
        .iter()
        .enumerate()
        .map(|(index, step)| step_view(&case.id, index, step, count, &props.on_edit));
    let add = {
        let id = case.id.clone();
        props
            .on_edit
            .reform(move |_: MouseEvent| Edit::AddStep(id.clone()))
    };
    html! {
        <section class="steps" aria-labelledby="steps-title">
            <h3 id="steps-title">{ format!("Steps ({count})") }</h3>
            if count == 0 {
                <p class="note">{ "This test case has no steps yet." }</p>
            }
            <ol class="step-list" role="list">{ for steps }</ol>
            <button type="button" class="button primary" onclick={add}>{ "Add step" }</button>
        </section>
    }
}
