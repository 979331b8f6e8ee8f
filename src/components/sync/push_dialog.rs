//! The push dialog: branch (or a new one), commit message, optional version, a preview of the change, and
//! the push itself with progress and Cancel.

use std::rc::Rc;

use versioning_core::bitbucket::BranchRestrictionSummary;
use versioning_core::roles::{decide_any, same_branch, Activity, Decision, Denial};
use versioning_core::sync::PushRoute;
use yew::prelude::*;

use crate::components::code_text::code_text;
use crate::components::pull_request_form::{
    new_branch_offer, prefilled, pull_request_warning, PullRequestForm,
};
use crate::components::status::{announcement, error_banner, result_region};
use crate::components::sync::dialog::{check_setter, select_setter, text_setter, SyncDialogProps};
use crate::components::sync::push_preview::{
    branch_view, outcome_view, preview, progress_view, push_announcement,
};
use crate::services::portal_events::FailedActivity;
use crate::state::events::use_error_event;
use crate::state::push::{PushAction, PushForm, PushStage, PushState};
use crate::state::review::use_pushed_plan;
use crate::state::session::use_session;
use crate::state::sync_job::use_sync_job;

/// The push dialog of a project.
#[component]
pub fn PushDialog(props: &SyncDialogProps) -> Html {
    let session = use_session();
    let project_id = props.project_id.to_string();
    let job = use_sync_job(&project_id, props.loaded.clone(), props.on_changed.clone());
    let sync = job.sync.clone();
    let record = sync.record.clone();
    let main_branch = sync.main_branch();
    let form = use_state(|| PushForm {
        branch: main_branch.clone().unwrap_or_default(),
        from: main_branch.clone().unwrap_or_default(),
        ..PushForm::default()
    });
    let state = use_reducer(PushState::default);
    use_error_event(
        &project_id,
        FailedActivity::Push,
        state.error.as_ref().map(ToString::to_string),
    );
    let pushed_plan = use_pushed_plan(&state.stage);
    // A first word on the policy, with the main branch the connection test found; the preview reads
    // the repository's own when the user's rights depend on it, so an unknown one refuses nothing here.
    let decision = main_branch.clone().map(|main| {
        decide_any(
            &[session.role],
            &Activity::Push {
                branch: form.branch.clone(),
                main_branch: Some(main),
            },
        )
    });
    // The product's policy first; then what the connection test found the token cannot do (a read-only
    // token, a Data Center project or repository token), said before anything is sent.
    let refusal = decision.as_ref().and_then(Decision::denial).map(ToString::to_string).or_else(|| {
        sync.outcome
            .as_ref()
            .filter(|o| !o.push_available)
            .map(|o| {
                format!(
                    "Push is not available with this connection: {} Change the token on the Bitbucket page.",
                    o.push_unavailable_reason.clone().unwrap_or_default()
                )
            })
    });
    let connection = sync.connection.clone();
    let data_center = connection
        .as_ref()
        .map(|c| c.location.flavour == versioning_core::Flavour::DataCenter)
        .unwrap_or(false);

    let on_preview = {
        let (job, form, state) = (job.clone(), form.clone(), state.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            job.preview_push(&form, &state);
        })
    };
    let on_push = {
        let (job, state) = (job.clone(), state.clone());
        Callback::from(move |_: MouseEvent| job.push(&state))
    };
    let on_cancel = {
        let job = job.clone();
        Callback::from(move |_: MouseEvent| job.cancel())
    };
    let branches = sync.branches();
    let restricted: Vec<&BranchRestrictionSummary> = sync
        .outcome
        .as_ref()
        .map(|o| {
            o.restrictions
                .iter()
                .filter(|r| r.kind.blocks_commits())
                .collect()
        })
        .unwrap_or_default();
    let branch_note = |name: &str| {
        let mut notes = Vec::new();
        if main_branch.as_deref().is_some_and(|m| same_branch(m, name)) {
            notes.push("main branch");
        }
        if restricted.iter().any(|r| r.selects(name)) {
            notes.push("restricted");
        }
        notes.join(", ")
    };
    let busy = state.is_busy();
    let editable = matches!(state.stage, PushStage::Form);
    // Credentials that push over git only cannot take the REST route (a relay that passes only /rest).
    let git_only = sync
        .outcome
        .as_ref()
        .and_then(|o| o.push_over_git_only.as_deref());
    let route_refusal = state
        .route
        .as_ref()
        .and_then(|route| route.way.refusal(git_only));
    let body = match &state.stage {
        PushStage::Preview(plan) => {
            let overwrite_refusal = decide_any(&[session.role], &Activity::OverwriteBranchChanges)
                .denial()
                .map(ToString::to_string);
            let on_overwrite = Callback::from(state.dispatcher()).reform(PushAction::Overwrite);
            let branch = branch_view(plan, &state, overwrite_refusal, on_overwrite);
            let over_git = state.route.as_ref().map(|route| route.way) == Some(PushRoute::Git);
            html! {
                <>
                    { preview(plan, connection.clone().ok().map(Rc::new), data_center && !over_git, branch) }
                    if let Some(route) = &state.route {
                        <p id="push-route" class="helper">{ route.way.to_string() }</p>
                    }
                    if let Some(refusal) = &route_refusal {
                        <p class="banner error" role="alert">{ code_text(refusal) }</p>
                    }
                </>
            }
        }
        PushStage::Pushing(_) | PushStage::Planning => progress_view(&state),
        PushStage::Done(_) | PushStage::Form => html! {},
    };
    let result = match &state.stage {
        PushStage::Done(outcome) => outcome_view(outcome, &record),
        _ => html! {},
    };
    // After a push to another branch than the main one: a pull request into it.
    let review = match (&state.stage, &pushed_plan) {
        (PushStage::Done(outcome), Some(plan))
            if !main_branch
                .as_deref()
                .is_some_and(|m| same_branch(m, &outcome.branch)) =>
        {
            let (title, description) = prefilled(plan, props.loaded.as_deref());
            html! {
                <PullRequestForm project_id={project_id.clone()} source={outcome.branch.clone()}
                    destination={main_branch.clone().unwrap_or_default()} {title} {description}
                    on_recorded={props.on_changed.reform(Some)} />
            }
        }
        _ => html! {},
    };
    // A Quality Engineer refused on the main branch may push a new branch from it for a pull request.
    let new_branch = match decision.as_ref().and_then(Decision::denial) {
        Some(Denial::EngineersCannotPushToMain { main }) => {
            let form = form.clone();
            let on_new_branch = Callback::from(move |_: MouseEvent| {
                form.set(PushForm {
                    new_branch: true,
                    branch: String::new(),
                    ..(*form).clone()
                })
            });
            new_branch_offer(
                main,
                pull_request_warning(sync.outcome.as_ref()),
                on_new_branch,
            )
        }
        _ => html! {},
    };
    html! {
        <div class="backdrop">
            <div class="dialog wide" role="dialog" aria-modal="true" aria-labelledby="push-title">
                <h2 id="push-title">{ "Push to Bitbucket" }</h2>
                { announcement(&push_announcement(&state)) }
                if let Err(problem) = &connection {
                    { error_banner(&problem.to_string()) }
                }
                if let Some(error) = &state.error {
                    { error_banner(&error.to_string()) }
                }
                <form class="form" novalidate=true onsubmit={on_preview}>
                    <fieldset disabled={!editable}>
                        <div class="field">
                            <label for="push-branch">{ if form.new_branch { "New branch name" } else { "Branch" } }<span class="required">{ " *" }</span></label>
                            <input id="push-branch" type="text" list="push-branches" autocomplete="off" value={form.branch.clone()}
                                   oninput={text_setter(&form, |f, v| f.branch = v)} aria-describedby="push-branch-helper" />
                            <datalist id="push-branches">
                                { for branches.iter().map(|b| html! { <option value={b.clone()}>{ branch_note(b) }</option> }) }
                            </datalist>
                            <div id="push-branch-helper" class="helper">{
                                match branch_note(&form.branch) {
                                    note if note.is_empty() => format!("{} branch(es) known; type to search.", branches.len()),
                                    note => format!("This is the {note}."),
                                }
                            }</div>
                        </div>
                        <div class="field checkbox">
                            <input id="push-new-branch" type="checkbox" checked={form.new_branch} onchange={check_setter(&form, |f, v| f.new_branch = v)} />
                            <label for="push-new-branch">{ "New branch" }</label>
                        </div>
                        if form.new_branch {
                            <div class="field">
                                <label for="push-from">{ "Create it from" }</label>
                                <select id="push-from" onchange={select_setter(&form, |f, v| f.from = v)}>
                                    { for branches.iter().map(|b| html! { <option value={b.clone()} selected={*b == form.from}>{ b }</option> }) }
                                </select>
                            </div>
                        }
                        <div class="field">
                            <label for="push-message">{ "Commit message" }<span class="required">{ " *" }</span></label>
                            <input id="push-message" type="text" autocomplete="off" value={form.message.clone()} oninput={text_setter(&form, |f, v| f.message = v)} />
                        </div>
                        <div class="field">
                            <label for="push-version">{ "Version name (optional)" }</label>
                            <input id="push-version" type="text" autocomplete="off" value={form.version.clone()} oninput={text_setter(&form, |f, v| f.version = v)} aria-describedby="push-version-helper" />
                            <div id="push-version-helper" class="helper">{ "Tags the pushed commit, e.g. v1.4; it must not exist yet." }</div>
                        </div>
                        <div class="field checkbox">
                            <input id="push-approved" type="checkbox" checked={form.approved_only} onchange={check_setter(&form, |f, v| f.approved_only = v)} />
                            <label for="push-approved">{ "Push only artifacts in review state Approved" }</label>
                        </div>
                    </fieldset>
                    if let Some(reason) = &refusal {
                        <p class="banner info" role="status">{ code_text(reason) }</p>
                    }
                    { new_branch }
                    { body }
                    { result_region(result) }
                    <div class="actions">
                        if editable {
                            <button type="submit" class="button primary" disabled={refusal.is_some() || connection.is_err()}>{ "Preview" }</button>
                        }
                        if let PushStage::Preview(plan) = &state.stage {
                            if !plan.changes.is_empty() || plan.creates_branch || plan.request.version.is_some() {
                                <button type="button" class="button primary" onclick={on_push}
                                        disabled={(!plan.changes.conflicts.is_empty() && !state.overwrite) || route_refusal.is_some()}>{ "Push" }</button>
                            }
                            <button type="button" class="button subtle" onclick={Callback::from(state.dispatcher()).reform(|_: MouseEvent| PushAction::Edit)}>{ "Change" }</button>
                        }
                        if busy {
                            <button type="button" class="button subtle" onclick={on_cancel}>{ "Cancel" }</button>
                        }
                        <button type="button" class="button link" disabled={busy} onclick={props.on_close.reform(|_: MouseEvent| ())}>{ "Close" }</button>
                    </div>
                </form>
                { review }
            </div>
        </div>
    }
}
