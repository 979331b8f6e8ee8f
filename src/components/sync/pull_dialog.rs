//! The pull dialog: a branch, a version or a commit; a three-way preview where each conflict is settled
//! (Keep mine, Take theirs, or for test cases Merge steps); Apply, which changes the project in one save
//! or not at all. **Restore** instead makes the project exactly that version.

use std::fmt;
use std::rc::Rc;

use versioning_core::artifacts::{Step, TestCase};
use versioning_core::counts::counted;
use versioning_core::sync::{ChangesCheck, ConflictKind, PullPreview, Resolution, Status};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::components::code_text::code_text;
use crate::components::status::{announcement, error_banner, result_region};
use crate::components::sync::dialog::{check_setter, select_setter, text_setter, SyncDialogProps};
use crate::components::sync::version_list::VersionList;
use crate::services::portal_events::FailedActivity;
use crate::state::events::use_error_event;
use crate::state::pull::{PullAction, PullForm, PullStage, PullState, PullWhat};
use crate::state::sync_job::use_sync_job;

fn steps_list(title: &str, steps: &[Step]) -> Html {
    html! {
        <div class="steps-side">
            <h4>{ title }</h4>
            <ol>{ for steps.iter().map(|s| html! { <li>{ format!("{} {} {} → {}", s.keyword(), s.element(), s.input(), s.expected()) }</li> }) }</ol>
        </div>
    }
}

fn step_view(mine: &TestCase, theirs: &TestCase) -> Html {
    html! {
        <details class="step-view">
            <summary>{ "Steps on both sides" }</summary>
            <div class="two-columns">
                { steps_list("Mine", &mine.steps) }
                { steps_list("Theirs", &theirs.steps) }
            </div>
        </details>
    }
}

/// What the preview says happened to an artifact. Without a base (a first pull into this copy), a
/// difference cannot be told to be either side's: it differs, and the user chooses.
fn status_label(status: Status, has_base: bool) -> &'static str {
    match status {
        Status::Conflict(ConflictKind::BothAdded) if !has_base => "differs from the repository",
        other => other.label(),
    }
}

fn preview_view(preview: &PullPreview, state: &PullState, dispatch: &Callback<PullAction>) -> Html {
    let conflicts: Vec<_> = preview.conflicts().collect();
    let has_base = preview.base.is_some();
    let incoming = preview
        .artifacts
        .iter()
        .filter(|a| matches!(a.status(), Status::Remote(_)))
        .count();
    let local_only = preview
        .artifacts
        .iter()
        .filter(|a| matches!(a.status(), Status::Local(_)))
        .count();
    let commit: String = preview.commit.chars().take(12).collect();
    let (rows, summary) = match state.restore_changes.as_deref() {
        Some((changes, same)) => (
            changes.as_slice(),
            format!(
                "Commit {commit}: restoring it changes {} of this project; {same} stay the same.",
                counted(changes.len(), "artifact file", "artifact files")
            ),
        ),
        None => (
            preview.artifacts.as_slice(),
            format!(
                "Commit {commit}: {}, {}, {} kept, {} unchanged.",
                counted(incoming, "incoming change", "incoming changes"),
                counted(conflicts.len(), "conflict", "conflicts"),
                counted(local_only, "local change", "local changes"),
                preview.unchanged
            ),
        ),
    };
    html! {
        <div class="preview">
            <p role="status">{ summary }</p>
            if let ChangesCheck::NotChecked(reason) = preview.changes_check {
                <p class="banner info">{ code_text(&reason.to_string()) }</p>
            }
            if let Some(bulk) = preview.bulk_read.filter(|bulk| bulk.refused.is_some()) {
                <p class="banner info">{ bulk.to_string() }</p>
            }
            if !preview.unlisted.is_empty() {
                <div class="banner info">
                    <p>{ format!("{} in git not in the manifest (ignored):", counted(preview.unlisted.len(), "file", "files")) }</p>
                    { file_list(preview.unlisted.iter().map(|u| (u.path.as_str(), &u.reason as &dyn fmt::Display))) }
                </div>
            }
            if !preview.problems.is_empty() {
                <div class="banner warning" role="alert">
                    <p>{ format!("{} of the repository cannot be used:", counted(preview.problems.len(), "file", "files")) }</p>
                    { file_list(preview.problems.iter().map(|p| (p.path.as_str(), &p.kind as &dyn fmt::Display))) }
                    <div class="field checkbox">
                        <input id="pull-include-invalid" type="checkbox" checked={state.include_invalid}
                            onchange={dispatch.reform(|e: Event| PullAction::IncludeInvalid(e.target_unchecked_into::<HtmlInputElement>().checked()))} />
                        <label for="pull-include-invalid">{ "Apply the valid artifacts anyway" }</label>
                    </div>
                </div>
            }
            <table class="changes-table">
                <caption>{ "Changes" }</caption>
                <thead><tr><th scope="col">{ "Artifact" }</th><th scope="col">{ "Kind" }</th><th scope="col">{ "What happened" }</th></tr></thead>
                <tbody>
                    { for rows.iter().take(500).map(|a| html! {
                        <tr><td>{ &a.name }</td><td>{ a.kind().label() }</td><td>{ status_label(a.status(), has_base) }</td></tr>
                    }) }
                </tbody>
            </table>
            { for conflicts.iter().map(|conflict| {
                let key = conflict.key.clone();
                let merge = preview.merges.get(&key);
                let chosen = state.resolutions.get(&key).copied();
                let group = format!("resolve-{}-{:?}", key.0, key.1);
                let option = |resolution: Resolution, label: &str| {
                    let key = key.clone();
                    let id = format!("{group}-{resolution:?}");
                    html! {
                        <span class="choice">
                            <input type="radio" id={id.clone()} name={group.clone()} checked={chosen == Some(resolution)}
                                onchange={dispatch.reform(move |_| PullAction::Resolve(key.clone(), resolution))} />
                            <label for={id}>{ label }</label>
                        </span>
                    }
                };
                html! {
                    <fieldset class="conflict">
                        <legend>{ format!("{}: {} ({})", if has_base { "Conflict" } else { "Differs" }, conflict.name, conflict.kind().label()) }</legend>
                        { option(Resolution::KeepMine, "Keep mine") }
                        { option(Resolution::TakeTheirs, "Take theirs") }
                        if merge.is_some_and(|m| m.merged.is_some()) {
                            { option(Resolution::MergeSteps, "Merge steps") }
                        }
                        if let Some(merge) = merge {
                            if merge.merged.is_none() {
                                <p class="helper">{ "Both sides changed the same steps or fields: choose one side." }</p>
                            }
                            { step_view(&merge.mine, &merge.theirs) }
                        }
                    </fieldset>
                }
            }) }
        </div>
    }
}

/// Repository files, each with what the pull makes of it: the first [`LISTED_FILES`], then how many
/// more there are.
fn file_list<'a>(files: impl ExactSizeIterator<Item = (&'a str, &'a dyn fmt::Display)>) -> Html {
    let more = files.len().saturating_sub(LISTED_FILES);
    html! {
        <ul class="file-list">
            { for files.take(LISTED_FILES).map(|(path, what)| html! { <li><code>{ path }</code>{ code_text(&format!(": {what}")) }</li> }) }
            if more > 0 {
                <li>{ format!("and {more} more") }</li>
            }
        </ul>
    }
}

/// How many files a list of the preview shows.
const LISTED_FILES: usize = 200;

/// The pull dialog of a project.
#[component]
pub fn PullDialog(props: &SyncDialogProps) -> Html {
    let project_id = props.project_id.to_string();
    let job = use_sync_job(&project_id, props.loaded.clone(), props.on_changed.clone());
    let sync = job.sync.clone();
    let connection = sync.connection.clone();
    let main_branch = sync.main_branch().unwrap_or_default();
    let form = use_state(|| PullForm {
        what: PullWhat::Branch,
        name: main_branch,
        restore: false,
    });
    let state = use_reducer(PullState::default);
    use_error_event(
        &project_id,
        FailedActivity::Pull,
        state.error.as_ref().map(ToString::to_string),
    );
    let dispatch = Callback::from(state.dispatcher());

    let on_preview = {
        let (job, form, state) = (job.clone(), form.clone(), state.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            job.preview_pull(&form, &state);
        })
    };
    let on_apply = {
        let (job, state, restore) = (job.clone(), state.clone(), form.restore);
        Callback::from(move |_: MouseEvent| job.apply_pull(&state, restore))
    };
    let on_cancel = {
        let job = job.clone();
        Callback::from(move |_: MouseEvent| job.cancel())
    };
    let branches = sync.branches();
    let versions_view = html! {
        <VersionList connection={connection.clone().ok().map(Rc::new)} branch={sync.main_branch().unwrap_or_default()}
            on_choose={{
                let form = form.clone();
                Callback::from(move |hash: String| {
                    let mut next = (*form).clone();
                    next.name = hash;
                    form.set(next);
                })
            }} />
    };
    let editable = matches!(state.stage, PullStage::Form);
    let label = form.what.name_label();
    let body = match &state.stage {
        PullStage::Preview(preview) => preview_view(preview, &state, &dispatch),
        PullStage::Planning => html! {
            <p class="progress">{ format!(
                "{}: {}, {} of {} read…",
                state.progress.phase.label(), counted(state.progress.requests, "request", "requests"), state.progress.files_done, counted(state.progress.files_total, "file", "files")
            ) }</p>
        },
        PullStage::Done(..) | PullStage::Form => html! {},
    };
    let result = match &state.stage {
        PullStage::Done(_, message) => {
            html! { <p class="banner success">{ code_text(message) }</p> }
        }
        _ => html! {},
    };
    // Screen readers hear the phase of the reading (not each count) and that the preview is ready; the
    // outcome is in the result region, errors are alerts of their own.
    let announced = match &state.stage {
        PullStage::Planning => format!("{}…", state.progress.phase.label()),
        PullStage::Preview(_) => "The preview is ready.".to_owned(),
        PullStage::Done(..) | PullStage::Form => String::new(),
    };
    let unresolved = match &state.stage {
        PullStage::Preview(preview) => preview
            .conflicts()
            .filter(|c| !state.resolutions.contains_key(&c.key))
            .count(),
        _ => 0,
    };
    html! {
        <div class="backdrop">
            <div class="dialog wide" role="dialog" aria-modal="true" aria-labelledby="pull-title">
                <h2 id="pull-title">{ "Pull from Bitbucket" }</h2>
                { announcement(&announced) }
                if let Err(problem) = &connection {
                    { error_banner(&problem.to_string()) }
                }
                if let Some(error) = &state.error {
                    { error_banner(&error.to_string()) }
                }
                <form class="form" novalidate=true method="post" onsubmit={on_preview}>
                    <fieldset disabled={!editable}>
                        <div class="field">
                            <label for="pull-what">{ "Pull from" }</label>
                            <select id="pull-what" onchange={select_setter(&form, |f, v| f.what = PullWhat::from_value(&v))}>
                                { for PullWhat::ALL.into_iter().map(|what| html! {
                                    <option value={what.value()} selected={form.what == what}>{ what.option_label() }</option>
                                }) }
                            </select>
                        </div>
                        <div class="field">
                            <label for="pull-name">{ label }<span class="required">{ " *" }</span></label>
                            <input id="pull-name" type="text" autocomplete="off" list={(form.what == PullWhat::Branch).then_some("pull-branches")}
                                   value={form.name.clone()} oninput={text_setter(&form, |f, v| f.name = v)} />
                            <datalist id="pull-branches">{ for branches.iter().map(|b| html! { <option value={b.clone()} /> }) }</datalist>
                        </div>
                        if form.what == PullWhat::Commit {
                            { versions_view }
                        }
                        <div class="field checkbox">
                            <input id="pull-restore" type="checkbox" checked={form.restore} onchange={check_setter(&form, |f, v| f.restore = v)} />
                            <label for="pull-restore">{ "Restore: make the project exactly this version (local changes are discarded; another project's version becomes a new project)" }</label>
                        </div>
                    </fieldset>
                    { body }
                    { result_region(result) }
                    <div class="actions">
                        if editable {
                            <button type="submit" class="button primary" disabled={connection.is_err()}>{ "Preview" }</button>
                        }
                        if let PullStage::Preview(_) = &state.stage {
                            <button type="button" class="button primary" disabled={unresolved > 0} onclick={on_apply}>{ if form.restore { "Restore" } else { "Apply" } }</button>
                            <button type="button" class="button subtle" onclick={dispatch.reform(|_: MouseEvent| PullAction::Edit)}>{ "Change" }</button>
                        }
                        if state.is_busy() {
                            <button type="button" class="button subtle" onclick={on_cancel}>{ "Cancel" }</button>
                        }
                        <button type="button" class="button link" disabled={state.is_busy()} onclick={props.on_close.reform(|_: MouseEvent| ())}>{ "Close" }</button>
                    </div>
                    if unresolved > 0 {
                        <p class="helper" role="status">{ format!("Settle {} to apply.", counted(unresolved, "conflict", "conflicts")) }</p>
                    }
                </form>
            </div>
        </div>
    }
}
