//! The push dialog: branch (or a new one), commit message, optional version, a preview of the change, and
//! the push itself with progress and Cancel.

use std::collections::BTreeMap;
use std::rc::Rc;

use versioning_core::artifacts::{ArtifactId, ArtifactKind};
use versioning_core::bitbucket::{Api, BranchRestrictionSummary};
use versioning_core::counts::counted;
use versioning_core::roles::{decide_any, same_branch, Activity, Decision, Denial};
use versioning_core::sync::{
    commit_web_url, Action, BranchChange, Confirmation, ConflictKind, Job, Progress, PushOutcome,
    PushPlan, PushPlanner, PushRequest, PushRoute, SideChange, Status,
};
use versioning_core::ValidConnection;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::components::code_text::code_text;
use crate::components::file_diff::FileDiff;
use crate::components::pull_request_form::{
    new_branch_offer, prefilled, pull_request_warning, PullRequestForm,
};
use crate::components::status::{announcement, error_banner, result_region};
use crate::components::sync_dialog::{
    check_setter, current_project, now_ms, repository_of, select_setter, text_setter,
    use_sync_connection, SyncDialogProps,
};
use crate::services::connection_store::{now_iso, ConnectionRecord};
use crate::services::jobs::run_job;
use crate::services::portal_events::{FailedActivity, PortalEvent};
use crate::services::project_store::{SharedStore, StoreError};
use crate::services::projects::{load_existing, HistoryEntry, StoredProject};
use crate::services::push_route::{push_route, Sending};
use crate::services::strategy::with_strategy;
use crate::services::unload_guard::UnloadGuard;
use crate::state::events::{use_error_event, use_events};
use crate::state::job::use_job_control;
use crate::state::projects::use_projects;
use crate::state::push::{PushAction, PushStage, PushState};
use crate::state::review::use_pushed_plan;
use crate::state::session::use_session;

/// The form's values.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct PushForm {
    branch: String,
    new_branch: bool,
    from: String,
    message: String,
    version: String,
    approved_only: bool,
}

/// Reports a job's progress to the dialog.
fn report<J: Job>(dispatcher: UseReducerDispatcher<PushState>) -> impl Fn(&J) {
    move |job: &J| dispatcher.dispatch(PushAction::Progress(job.progress(), now_ms()))
}

fn kind_label(kind: ArtifactKind) -> &'static str {
    kind.label()
}

fn action_label(action: &Action) -> String {
    match action {
        Action::Add => "added".into(),
        Action::Modify => "modified".into(),
        Action::Rename { from } => format!("renamed from {from}"),
        Action::Overwrite => "replaced".into(),
        Action::Delete => "deleted".into(),
    }
}

/// What a push preview says of an artifact the branch changed since this copy's base.
fn branch_label(status: Status, never_synced: bool) -> &'static str {
    match status {
        Status::Remote(SideChange::Added) if never_synced => "only on the branch",
        Status::Remote(SideChange::Added) => "added on the branch",
        Status::Remote(SideChange::Changed) => "changed on the branch",
        Status::Remote(SideChange::Deleted) => "deleted on the branch",
        Status::Conflict(ConflictKind::BothAdded) if never_synced => "differs from the branch",
        Status::Conflict(ConflictKind::BothAdded) => "added here and on the branch",
        Status::Conflict(ConflictKind::BothChanged) => "changed here and on the branch",
        Status::Conflict(ConflictKind::ChangedLocallyDeletedRemotely) => {
            "changed here, deleted on the branch"
        }
        Status::Conflict(ConflictKind::DeletedLocallyChangedRemotely) => {
            "deleted here, changed on the branch"
        }
        Status::Unchanged | Status::Local(_) | Status::Both(_) => "unchanged on the branch",
    }
}

/// The rows of a list of artifacts the branch changed: each named as this copy names it (or by its
/// file when this copy does not have it), with what happened.
fn branch_rows(
    rows: &[BranchChange],
    names: &BTreeMap<ArtifactId, String>,
    never_synced: bool,
) -> Html {
    html! {
        <ul class="file-list">
            { for rows.iter().take(500).map(|row| {
                let file = row.path.rsplit('/').next().unwrap_or(&row.path);
                let name = names.get(&row.artifact).map_or(file, String::as_str);
                html! {
                    <li>
                        <strong>{ name }</strong>{ format!(" ({}) — {}", kind_label(row.kind), branch_label(row.status, never_synced)) }
                    </li>
                }
            }) }
        </ul>
    }
}

/// What the branch changed since this copy's base (kept), and the conflicts with the choice to
/// overwrite them (`refusal`: why the user's role may not).
fn branch_view(
    plan: &PushPlan,
    state: &PushState,
    refusal: Option<String>,
    on_overwrite: Callback<bool>,
) -> Html {
    let (kept, conflicts) = (&plan.changes.branch_changes, &plan.changes.conflicts);
    let never_synced = plan.never_synced;
    let branch = &plan.request.branch;
    let artifacts = |n: usize| counted(n, "artifact file", "artifact files");
    let differ = if conflicts.len() == 1 {
        "differs"
    } else {
        "differ"
    };
    html! {
        <>
            if never_synced && !conflicts.is_empty() {
                <p class="banner warning" role="alert">{ code_text(&format!(
                    "This copy has never synced with the branch `{branch}`, and {} there {differ} from yours. Pull the branch first to combine both, or overwrite the branch's versions below.",
                    artifacts(conflicts.len())
                )) }</p>
            } else if !conflicts.is_empty() {
                <p class="banner warning" role="alert">{ code_text(&format!(
                    "{} changed both here and on the branch `{branch}` since your last sync. Pull first to settle them, or overwrite the branch's versions below.",
                    artifacts(conflicts.len())
                )) }</p>
            }
            if !conflicts.is_empty() {
                <section class="branch-conflicts" aria-label="Conflicts with the branch">
                    { branch_rows(conflicts, &state.names, never_synced) }
                    <div class="field checkbox">
                        <input id="push-overwrite" type="checkbox" checked={state.overwrite} disabled={refusal.is_some()}
                               onchange={Callback::from(move |e: Event| on_overwrite.emit(e.target_unchecked_into::<web_sys::HtmlInputElement>().checked()))} />
                        <label for="push-overwrite">{ format!("Overwrite the branch's versions of these {} (what the branch holds for them is lost)", artifacts(conflicts.len())) }</label>
                    </div>
                    if let Some(reason) = refusal {
                        <p class="helper">{ code_text(&reason) }</p>
                    }
                </section>
            }
            if !kept.is_empty() {
                <section class="branch-changes" aria-label="Changed on the branch">
                    <p role="status">{ format!(
                        "{} on the branch since {}: kept as the branch has them (pull to get them here).",
                        artifacts(kept.len()) + " changed",
                        if never_synced { "this copy's start" } else { "your last sync" },
                    ) }</p>
                    { branch_rows(kept, &state.names, never_synced) }
                </section>
            }
        </>
    }
}

fn preview(
    plan: &Rc<PushPlan>,
    connection: Option<Rc<ValidConnection>>,
    data_center: bool,
    branch: Html,
) -> Html {
    let changes = &plan.changes;
    if changes.is_empty() {
        return html! {
            <>
                <p class="banner info" role="status">{ code_text(&format!(
                    "Nothing to push: the branch `{}` already holds this copy's changes.{}",
                    plan.request.branch,
                    if plan.creates_branch { " The new branch is created without a commit." } else { "" }
                )) }</p>
                { branch }
            </>
        };
    }
    let mut by_kind: BTreeMap<&str, BTreeMap<String, usize>> = BTreeMap::new();
    for change in &changes.changes {
        let verb = match change.action {
            Action::Rename { .. } => "renamed".to_owned(),
            ref other => action_label(other),
        };
        *by_kind
            .entry(kind_label(change.kind))
            .or_default()
            .entry(verb)
            .or_default() += 1;
    }
    let removed = changes.removed_paths().len();
    html! {
        <div class="preview">
            <p role="status">{ code_text(&format!(
                "{} to write ({} KB){}{} to `{}`{}.",
                counted(changes.total_files(), "file", "files"),
                changes.total_bytes().div_ceil(1024),
                match (removed, data_center) {
                    (0, _) => String::new(),
                    (n, false) => format!(", {n} to delete"),
                    (n, true) => format!(", {n} to drop from the manifest (Data Center cannot delete files: they stay in git, and pulls ignore them)"),
                },
                if changes.held_back > 0 { format!(", {} held back (not Approved)", counted(changes.held_back, "changed artifact", "changed artifacts")) } else { String::new() },
                plan.request.branch,
                if plan.creates_branch { format!(", a new branch from `{}`", plan.request.new_branch_from.clone().unwrap_or_default()) } else { String::new() },
            )) }</p>
            if plan.manifest_damaged {
                <p class="banner warning">{ "The branch's manifest could not be read; its files are treated as written by another tool, and none is deleted." }</p>
            }
            { branch }
            <table class="changes-table">
                <caption>{ "Changes by kind" }</caption>
                <thead><tr><th scope="col">{ "Kind" }</th><th scope="col">{ "Changes" }</th></tr></thead>
                <tbody>
                    { for by_kind.iter().map(|(kind, verbs)| html! {
                        <tr><th scope="row">{ *kind }</th><td>{ verbs.iter().map(|(v, n)| format!("{n} {v}")).collect::<Vec<_>>().join(", ") }</td></tr>
                    }) }
                </tbody>
            </table>
            <details>
                <summary>{ "Files" }</summary>
                <ul class="file-list">
                    { for changes.changes.iter().take(500).enumerate().map(|(index, c)| html! {
                        <li>
                            <code>{ &c.path }</code>{ " — " }{ action_label(&c.action) }
                            if let Some(connection) = &connection {
                                <FileDiff connection={connection.clone()} plan={plan.clone()} {index} />
                            }
                        </li>
                    }) }
                </ul>
            </details>
        </div>
    }
}

fn progress_view(state: &PushState) -> Html {
    let Progress {
        phase,
        files_done,
        files_total,
        bytes_done,
        bytes_total,
        commits_done,
        commits_total,
        ..
    } = state.progress;
    let elapsed = ((state.now_ms - state.started_ms) / 1000.0).max(0.0);
    let fraction = state.progress.fraction();
    let remaining = if fraction > 0.0 && fraction < 1.0 {
        format!(
            ", about {:.0} s left",
            elapsed * (1.0 - fraction) / fraction
        )
    } else {
        String::new()
    };
    html! {
        <div class="progress">
            <progress max="1" value={fraction.to_string()} aria-label="Push progress"></progress>
            <p>{ format!(
                "{}: {files_done} of {}, {} of {} KB, {commits_done} of {}; {elapsed:.1} s{remaining}",
                phase.label(), counted(files_total, "file", "files"), bytes_done / 1024, bytes_total / 1024, counted(commits_total, "commit", "commits")
            ) }</p>
        </div>
    }
}

/// The first line of a push's outcome.
fn outcome_headline(outcome: &PushOutcome) -> String {
    if outcome.nothing_to_push {
        format!(
            "Nothing to push: `{}` already holds these artifacts. No commit was made.",
            outcome.branch
        )
    } else {
        format!(
            "Pushed to `{}`: {} written{}{} in {}.",
            outcome.branch,
            counted(outcome.written, "file", "files"),
            if outcome.deleted > 0 {
                format!(", {} deleted", outcome.deleted)
            } else {
                String::new()
            },
            if outcome.kept_in_git > 0 {
                format!(
                    ", {} dropped from the manifest (kept in git)",
                    outcome.kept_in_git
                )
            } else {
                String::new()
            },
            counted(outcome.commits.len(), "commit", "commits")
        )
    }
}

/// What screen readers are told of the push as it goes: the phase of a running job (its counts would be
/// too many announcements) and that the preview is ready; the outcome is in the dialog's result region,
/// errors are alerts of their own.
fn push_announcement(state: &PushState) -> String {
    match &state.stage {
        PushStage::Planning | PushStage::Pushing(_) => format!("{}…", state.progress.phase.label()),
        PushStage::Preview(_) => "The preview is ready.".to_owned(),
        PushStage::Done(_) | PushStage::Form => String::new(),
    }
}

fn outcome_view(outcome: &PushOutcome, record: &Option<ConnectionRecord>) -> Html {
    let location = record
        .as_ref()
        .and_then(|r| versioning_core::parse_repository_url(&r.repository_url).ok());
    html! {
        <div class="outcome">
            <p class="banner success">{ code_text(&outcome_headline(outcome)) }</p>
            if outcome.branch_created {
                <p>{ code_text(&format!("The branch `{}` was created.", outcome.branch)) }</p>
            }
            if let Some(tag) = &outcome.tag {
                <p>{ code_text(&format!("Version `{tag}` was tagged on the pushed commit.")) }</p>
            }
            if let Some(error) = &outcome.tag_error {
                <p class="banner error">{ code_text(&format!("The version could not be tagged: {error}")) }</p>
            }
            if outcome.held_back > 0 {
                <p>{ format!("{} held back because they are not Approved.", match outcome.held_back { 1 => "1 changed artifact was".to_owned(), n => format!("{n} changed artifacts were") }) }</p>
            }
            <ul class="commit-list">
                { for outcome.commits.iter().map(|hash| {
                    let short: String = hash.chars().take(12).collect();
                    match &location {
                        Some(location) => html! { <li><a href={commit_web_url(location, hash)} target="_blank" rel="noopener noreferrer">{ format!("Commit {short}") }</a></li> },
                        None => html! { <li><code>{ short }</code></li> },
                    }
                }) }
            </ul>
        </div>
    }
}

/// Saves a finished push into the project's record (base, baseline, history); answers the record as
/// now stored. The push is recorded over the page's copy of the project (`loaded`) while the store
/// still holds that revision, else over the store's record (another tab saved the project meanwhile).
async fn record_outcome(
    store: &SharedStore,
    project_id: &str,
    loaded: Option<Rc<StoredProject>>,
    repository: &str,
    user: &str,
    outcome: &PushOutcome,
) -> Result<Rc<StoredProject>, StoreError> {
    let mut stored = match loaded {
        Some(copy) if store.revision(project_id).await? == Some(copy.revision) => {
            StoredProject::clone(&copy)
        }
        _ => load_existing(&**store, project_id).await?,
    };
    let entry = HistoryEntry {
        action: "push".into(),
        user: user.to_owned(),
        at: now_iso(),
        repository: repository.to_owned(),
        branch: outcome.branch.clone(),
        commits: outcome.commits.clone(),
        version: outcome.tag.clone(),
        written: outcome.written,
        removed: outcome.deleted + outcome.kept_in_git,
        pull_request: None,
    };
    stored.record_push(repository, outcome, entry);
    store.save(&stored).await?;
    // The store now holds the next revision.
    stored.revision += 1;
    Ok(Rc::new(stored))
}

/// The push dialog of a project.
#[component]
pub fn PushDialog(props: &SyncDialogProps) -> Html {
    let projects = use_projects();
    let session = use_session();
    let events = use_events();
    let project_id = props.project_id.to_string();
    let sync = use_sync_connection(&project_id);
    let record = sync.record.clone();
    let main_branch = sync.main_branch();
    let form = use_state(|| PushForm {
        branch: main_branch.clone().unwrap_or_default(),
        from: main_branch.clone().unwrap_or_default(),
        ..PushForm::default()
    });
    let state = use_reducer(PushState::default);
    use_error_event(&project_id, FailedActivity::Push, state.error.clone());
    let pushed_plan = use_pushed_plan(&state.stage);
    let job = use_job_control();
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
        let (form, state, store, connection) = (
            form.clone(),
            state.clone(),
            projects.store.clone(),
            connection.clone(),
        );
        let (project_id, role, main_branch, job, loaded) = (
            project_id.clone(),
            session.role,
            main_branch.clone(),
            job.clone(),
            props.loaded.clone(),
        );
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            if state.is_busy() {
                return;
            }
            let connection = match &connection {
                Ok(connection) => connection.clone(),
                Err(message) => return state.dispatch(PushAction::Failed(message.clone())),
            };
            let (form, dispatcher, store, project_id, loaded) = (
                (*form).clone(),
                state.dispatcher(),
                store.clone(),
                project_id.clone(),
                loaded.clone(),
            );
            let cancellation = job.start();
            let main_branch = main_branch.clone();
            dispatcher.dispatch(PushAction::Planning(now_ms()));
            spawn_local(async move {
                let stored = match current_project(loaded, &*store, &project_id).await {
                    Ok(stored) => stored,
                    Err(error) => {
                        return dispatcher.dispatch(PushAction::Failed(error.to_string()))
                    }
                };
                let repository = repository_of(&connection);
                let branch = form.branch.trim().to_owned();
                let version = Some(form.version.trim().to_owned()).filter(|v| !v.is_empty());
                let new_branch_from = form.new_branch.then(|| form.from.trim().to_owned());
                // A new branch is compared with the base of the branch it is made from.
                let base_branch = new_branch_from.as_deref().unwrap_or(&branch);
                let request = PushRequest {
                    roles: vec![role],
                    main_branch,
                    base: stored.base(&repository, base_branch),
                    new_branch_from,
                    branch,
                    message: form.message.clone(),
                    version,
                    approved_only: form.approved_only,
                    parameters: with_strategy(stored.scm),
                    seed: now_ms() as u64,
                };
                let timeout = stored.scm.scm_request_timeout_seconds * 1000;
                let local = {
                    let stored = stored.clone();
                    move || stored.local_files()
                };
                let planner =
                    match PushPlanner::deferring_local(Api::new(&connection), request, local) {
                        Ok(planner) => planner,
                        Err(error) => {
                            return dispatcher.dispatch(PushAction::Failed(error.to_string()))
                        }
                    };
                // Data Center: the route first; over git, the branch is read from git.
                let route = push_route(&connection, timeout, &cancellation).await;
                let mut planner = match route.as_ref().and_then(|r| r.advertisement.as_ref()) {
                    Some(advertisement) => planner.over_git(advertisement),
                    None => planner,
                };
                dispatcher.dispatch(PushAction::Routed(route));
                let progress = report(dispatcher.clone());
                let flavour = connection.location.flavour;
                match run_job(&mut planner, flavour, timeout, &cancellation, &progress).await {
                    None => dispatcher.dispatch(PushAction::Cancelled),
                    Some(Ok(plan)) => {
                        let names = plan
                            .changes
                            .branch_changes
                            .iter()
                            .chain(&plan.changes.conflicts)
                            .filter_map(|c| {
                                let name = stored.project.name_of(&c.artifact)?;
                                Some((c.artifact.clone(), name.to_owned()))
                            })
                            .collect();
                        dispatcher.dispatch(PushAction::Planned(Rc::new(plan), Rc::new(names)))
                    }
                    Some(Err(error)) => dispatcher.dispatch(PushAction::Failed(error.to_string())),
                }
            });
        })
    };
    // The project changed (its base and history) and the host page hears of the push.
    let on_pushed = {
        let (changed, events, project_id) = (props.on_changed.clone(), events, project_id.clone());
        Callback::from(
            move |(outcome, stored): (Rc<PushOutcome>, Rc<StoredProject>)| {
                changed.emit(Some(stored));
                events.emit(PortalEvent::PushDone {
                    project: project_id.clone(),
                    branch: outcome.branch.clone(),
                    commits: outcome.commits.clone(),
                });
            },
        )
    };
    let on_push = {
        let (state, store, connection) =
            (state.clone(), projects.store.clone(), connection.clone());
        // The roles now, not those of the preview: a portal may have changed them since.
        let role = session.role;
        let (project_id, user, job) = (project_id.clone(), session.user_name.clone(), job.clone());
        let loaded = props.loaded.clone();
        Callback::from(move |_: MouseEvent| {
            let (PushStage::Preview(plan), Ok(connection)) = (&state.stage, &connection) else {
                return;
            };
            let loaded = loaded.clone();
            let (overwrite, route) = (state.overwrite, state.route.clone());
            let (plan, connection, dispatcher) =
                (plan.clone(), connection.clone(), state.dispatcher());
            let (store, project_id, user, on_pushed) = (
                store.clone(),
                project_id.clone(),
                user.clone(),
                on_pushed.clone(),
            );
            let (job, cancellation) = (job.clone(), job.start());
            dispatcher.dispatch(PushAction::Sending(now_ms()));
            spawn_local(async move {
                // Leaving the page now would stop the push half way: the browser asks first.
                let _writing = UnloadGuard::hold();
                let timeout = plan.request.parameters.scm_request_timeout_seconds * 1000;
                let confirmation = Confirmation {
                    roles: vec![role],
                    overwrite,
                };
                let mut sender = match Sending::new(&connection, plan, &confirmation, route) {
                    Ok(sender) => sender,
                    Err(error) => {
                        return dispatcher.dispatch(PushAction::Failed(error.to_string()))
                    }
                };
                let progress = report(dispatcher.clone());
                let flavour = connection.location.flavour;
                let mut ended =
                    run_job(&mut sender, flavour, timeout, &cancellation, &progress).await;
                if ended.is_none() {
                    // Cancelled: the branch is read to learn what the request in flight did, so that a
                    // push whose last commit landed is reported (and recorded) as published.
                    sender.finish_cancelled();
                    ended = run_job(&mut sender, flavour, timeout, &job.start(), &progress).await;
                }
                match ended {
                    None => dispatcher.dispatch(PushAction::Failed(
                        "The push was cancelled before what landed in Bitbucket could be read. Preview the push again: it shows what is still to write.".into(),
                    )),
                    Some(Err(error)) => dispatcher.dispatch(PushAction::Failed(error.to_string())),
                    Some(Ok(outcome)) => {
                        let repository = repository_of(&connection);
                        let recorded =
                            record_outcome(&store, &project_id, loaded, &repository, &user, &outcome);
                        match recorded.await {
                            Ok(stored) => {
                                let outcome = Rc::new(outcome);
                                dispatcher.dispatch(PushAction::Pushed(outcome.clone()));
                                on_pushed.emit((outcome, stored));
                            }
                            Err(message) => dispatcher.dispatch(PushAction::Failed(format!(
                                "The push landed in Bitbucket, but this browser could not record it ({message}). The next push compares with the branch again."
                            ))),
                        }
                    }
                }
            });
        })
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
                if let Err(message) = &connection {
                    { error_banner(message) }
                }
                if let Some(message) = &state.error {
                    { error_banner(message) }
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
