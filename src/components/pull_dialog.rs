//! The pull dialog: a branch, a version or a commit; a three-way preview where each conflict is settled
//! (Keep mine, Take theirs, or for test cases Merge steps); Apply, which changes the project in one save
//! or not at all. **Restore** instead makes the project exactly that version.

use std::fmt;
use std::rc::Rc;

use versioning_core::artifacts::{ArtifactId, ArtifactKind, Step, TestCase};
use versioning_core::bitbucket::Api;
use versioning_core::bitbucket::CommitSummary;
use versioning_core::counts::counted;
use versioning_core::sync::{
    BranchVersions, ChangesCheck, ConflictKind, PullPlanner, PullPreview, PullRequest, PullSource,
    Resolution, Status,
};
use versioning_core::ValidConnection;
use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::components::code_text::code_text;
use crate::components::status::{announcement, error_banner, result_region};
use crate::components::sync_dialog::{
    check_setter, current_project, now_ms, repository_of, select_setter, text_setter,
    use_sync_connection, SyncDialogProps,
};
use crate::services::connection_store::now_iso;
use crate::services::jobs::run_job;
use crate::services::portal_events::{FailedActivity, PortalEvent};
use crate::services::project_store::{SharedStore, StoreError};
use crate::services::projects::{HistoryEntry, StoredProject};
use crate::services::strategy::with_strategy;
use crate::services::transport::REQUEST_TIMEOUT_MS;
use crate::services::unload_guard::UnloadGuard;
use crate::state::events::{use_error_event, use_events};
use crate::state::job::use_job_control;
use crate::state::projects::use_projects;
use crate::state::pull::{PullAction, PullStage, PullState};
use crate::state::session::use_session;

/// What to pull, as the form holds it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct PullForm {
    /// "branch", "version" or "commit".
    what: String,
    name: String,
    restore: bool,
}

impl PullForm {
    fn source(&self) -> PullSource {
        let name = self.name.trim().to_owned();
        match self.what.as_str() {
            "version" => PullSource::Tag(name),
            "commit" => PullSource::Commit(name),
            _ => PullSource::Branch(name),
        }
    }
}

fn steps_list(title: &str, steps: &[Step]) -> Html {
    html! {
        <div class="steps-side">
            <h4>{ title }</h4>
            <ol>{ for steps.iter().map(|s| html! { <li>{ format!("{} {} {} → {}", s.keyword, s.element, s.input, s.expected) }</li> }) }</ol>
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

/// Props of [`VersionList`].
#[derive(Properties, Clone)]
struct VersionListProps {
    connection: Option<Rc<ValidConnection>>,
    branch: String,
    on_choose: Callback<String>,
}

impl PartialEq for VersionListProps {
    fn eq(&self, other: &Self) -> bool {
        self.branch == other.branch && self.connection.is_some() == other.connection.is_some()
    }
}

/// The commits of a branch that touched the artifacts, read from Bitbucket on demand; each can be chosen.
#[component]
fn VersionList(props: &VersionListProps) -> Html {
    let branch = use_state(|| props.branch.clone());
    let listed = use_state(|| None::<Result<Vec<CommitSummary>, String>>);
    let job = use_job_control();
    let on_list = {
        let (branch, listed, connection, job) = (
            branch.clone(),
            listed.clone(),
            props.connection.clone(),
            job.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let Some(connection) = connection.clone() else {
                return;
            };
            let (branch, listed, cancellation) = ((*branch).clone(), listed.clone(), job.start());
            spawn_local(async move {
                let mut versions = BranchVersions::new(Api::new(&connection), branch.trim());
                let flavour = connection.location.flavour;
                let result = run_job(
                    &mut versions,
                    flavour,
                    REQUEST_TIMEOUT_MS,
                    &cancellation,
                    &|_| (),
                )
                .await;
                if let Some(result) = result {
                    listed.set(Some(result.map_err(|e| e.to_string())));
                }
            });
        })
    };
    let on_branch = {
        let branch = branch.clone();
        Callback::from(move |event: InputEvent| {
            branch.set(event.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    html! {
        <div class="versions">
            <div class="field inline">
                <label for="versions-branch">{ "Commits of branch" }</label>
                <input id="versions-branch" type="text" autocomplete="off" value={(*branch).clone()} oninput={on_branch} />
                <button type="button" class="button subtle" onclick={on_list}>{ "List commits" }</button>
            </div>
            { match &*listed {
                None => html! {},
                Some(Err(message)) => html! { <p class="error-text">{ code_text(message) }</p> },
                Some(Ok(commits)) if commits.is_empty() => html! { <p>{ "No commit of this branch touched the test artifacts." }</p> },
                Some(Ok(commits)) => html! {
                    <ul class="commit-list">
                        { for commits.iter().take(30).map(|c| {
                            let id = c.id.clone();
                            let on_choose = props.on_choose.reform(move |_: MouseEvent| id.clone());
                            html! {
                                <li>
                                    <code>{ c.id.chars().take(12).collect::<String>() }</code>{ " " }
                                    { format!("{} — {} {}", c.message.lines().next().unwrap_or_default(), c.author.clone().unwrap_or_default(), c.date.clone().unwrap_or_default()) }
                                    { " " }<button type="button" class="button link" onclick={on_choose}>{ "Choose" }</button>
                                </li>
                            }
                        }) }
                    </ul>
                },
            } }
        </div>
    }
}

/// Why a pull could not be applied; nothing local changed.
#[derive(Debug, thiserror::Error)]
enum ApplyError {
    /// The preview cannot be applied as it stands (an unresolved conflict, a project changed since).
    #[error(transparent)]
    Preview(#[from] versioning_core::sync::SyncError),
    /// The browser's store refused.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A version restored as a new project whose id exists in this browser.
    #[error("This version is the project `{0}`, which exists in this browser: open it and restore there.")]
    AnotherProject(String),
}

/// What an applied pull gives: its counts, the sentence for the user, and this page's project as now
/// stored (`None` when the pull made another project).
type Applied = (
    versioning_core::sync::PullCounts,
    String,
    Option<Rc<StoredProject>>,
);

/// Applies a preview to the stored project it was made against (`state.loaded`, not read again: a save
/// over a record another tab changed since is refused) in one save.
async fn apply(
    store: &SharedStore,
    project_id: &str,
    repository: &str,
    user: &str,
    preview: &PullPreview,
    state: &PullState,
    restore: bool,
) -> Result<Applied, ApplyError> {
    let applied = match state.loaded.as_deref() {
        Some(stored) => {
            preview.apply_over(&state.resolutions, state.include_invalid, &stored.project)?
        }
        None => preview.apply(&state.resolutions, state.include_invalid)?,
    };
    let target_id = applied.project.id.to_string();
    let previous = match (restore, state.loaded.as_deref()) {
        (false, Some(stored)) => Some(stored),
        (true, Some(stored)) if target_id == project_id => Some(stored),
        (true, _) => None,
        (false, None) => return Err(StoreError::Missing(project_id.to_owned()).into()),
    };
    let entry = HistoryEntry {
        action: if restore { "restore" } else { "pull" }.into(),
        user: user.to_owned(),
        at: now_iso(),
        repository: repository.to_owned(),
        branch: applied.base.branch.clone(),
        commits: vec![applied.base.commit.clone()],
        version: match &preview.source {
            PullSource::Tag(name) => Some(name.clone()),
            _ => None,
        },
        written: applied.counts.added + applied.counts.changed + applied.counts.renamed,
        removed: applied.counts.deleted,
        pull_request: None,
    };
    let counts = applied.counts;
    let new_project = previous.is_none();
    let mut record = StoredProject::pulled(previous, repository, applied, entry);
    let stored = match new_project {
        // A version of another project becomes a new one, never replacing one of that id: the store decides
        // inside its write, so a project made meanwhile in another tab is not overwritten either.
        true => {
            store.create(&record).await.map_err(|error| match error {
                StoreError::AlreadyExists(id) => ApplyError::AnotherProject(id),
                other => other.into(),
            })?;
            None
        }
        false => {
            store.save(&record).await?;
            // The store now holds the next revision.
            record.revision += 1;
            Some(Rc::new(record))
        }
    };
    let c = &counts;
    let message = if restore && target_id != project_id {
        format!("The version was restored as the project `{target_id}`: find it on Home.")
    } else {
        format!(
            "Applied: {} added, {} changed, {} deleted, {} renamed, {} merged; {} kept mine, {} took theirs{}.",
            c.added, c.changed, c.deleted, c.renamed, c.merged, c.kept_mine, c.took_theirs,
            if c.skipped > 0 { format!("; {} skipped as unreadable", counted(c.skipped, "file", "files")) } else { String::new() }
        )
    };
    Ok((counts, message, stored))
}

/// The pull dialog of a project.
#[component]
pub fn PullDialog(props: &SyncDialogProps) -> Html {
    let projects = use_projects();
    let session = use_session();
    let events = use_events();
    let project_id = props.project_id.to_string();
    let sync = use_sync_connection(&project_id);
    let connection = sync.connection.clone();
    let main_branch = sync.main_branch().unwrap_or_default();
    let form = use_state(|| PullForm {
        what: "branch".into(),
        name: main_branch,
        restore: false,
    });
    let state = use_reducer(PullState::default);
    use_error_event(&project_id, FailedActivity::Pull, state.error.clone());
    let job = use_job_control();
    let dispatch = Callback::from(state.dispatcher());

    let on_preview = {
        let (form, state, store, connection, job) = (
            form.clone(),
            state.clone(),
            projects.store.clone(),
            connection.clone(),
            job.clone(),
        );
        let (project_id, loaded) = (project_id.clone(), props.loaded.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            if state.is_busy() {
                return;
            }
            let connection = match &connection {
                Ok(connection) => connection.clone(),
                Err(message) => return state.dispatch(PullAction::Failed(message.clone())),
            };
            let source = form.source();
            if let Err(error) = source.check() {
                return state.dispatch(PullAction::Failed(error.to_string()));
            }
            let (dispatcher, store, project_id, restore, loaded) = (
                state.dispatcher(),
                store.clone(),
                project_id.clone(),
                form.restore,
                loaded.clone(),
            );
            let cancellation = job.start();
            dispatcher.dispatch(PullAction::Planning);
            spawn_local(async move {
                let stored = match current_project(loaded, &*store, &project_id).await {
                    Ok(stored) => stored,
                    Err(error) => {
                        return dispatcher.dispatch(PullAction::Failed(error.to_string()))
                    }
                };
                let repository = repository_of(&connection);
                let base = match &source {
                    PullSource::Branch(name) => stored.base(&repository, name),
                    _ => None,
                };
                let request = PullRequest {
                    source,
                    base,
                    parameters: with_strategy(stored.scm),
                    seed: now_ms() as u64,
                };
                let api = Api::new(&connection);
                let timeout = stored.scm.scm_request_timeout_seconds * 1000;
                let mut planner = match restore {
                    true => PullPlanner::new(api, request, None),
                    false => {
                        let stored = stored.clone();
                        PullPlanner::deferring_local(api, request, move || stored.local_files())
                    }
                };
                let progress = {
                    let dispatcher = dispatcher.clone();
                    move |job: &PullPlanner| {
                        use versioning_core::sync::Job;
                        dispatcher.dispatch(PullAction::Progress(job.progress()))
                    }
                };
                match run_job(
                    &mut planner,
                    connection.location.flavour,
                    timeout,
                    &cancellation,
                    &progress,
                )
                .await
                {
                    None => dispatcher.dispatch(PullAction::Edit),
                    Some(Ok(preview)) => {
                        // A restore of this very project lists only what it changes here.
                        let same_project =
                            preview.remote_manifest.files.iter().any(|e| {
                                e.kind == ArtifactKind::Project && e.id == stored.project.id
                            });
                        let compared = (restore && same_project).then(|| {
                            let local = stored.local_files();
                            let name =
                                |id: &ArtifactId| stored.project.name_of(id).map(str::to_owned);
                            Rc::new(preview.restore_changes(&local.manifest, &name))
                        });
                        dispatcher.dispatch(PullAction::Previewed(
                            Rc::new(preview),
                            stored,
                            compared,
                        ))
                    }
                    Some(Err(error)) => dispatcher.dispatch(PullAction::Failed(error.to_string())),
                }
            });
        })
    };
    // The project changed and the host page hears of the pull.
    let on_pulled = {
        let (changed, events, project_id) = (props.on_changed.clone(), events, project_id.clone());
        Callback::from(
            move |(summary, stored): (String, Option<Rc<StoredProject>>)| {
                changed.emit(stored);
                events.emit(PortalEvent::PullApplied {
                    project: project_id.clone(),
                    summary,
                });
            },
        )
    };
    let on_apply = {
        let (state, store, connection, form) = (
            state.clone(),
            projects.store.clone(),
            connection.clone(),
            form.clone(),
        );
        let (project_id, user) = (project_id.clone(), session.user_name.clone());
        Callback::from(move |_: MouseEvent| {
            let (PullStage::Preview(preview), Ok(connection)) = (&state.stage, &connection) else {
                return;
            };
            let (preview, snapshot, dispatcher) =
                (preview.clone(), (*state).clone(), state.dispatcher());
            let (store, project_id, user, on_pulled, restore) = (
                store.clone(),
                project_id.clone(),
                user.clone(),
                on_pulled.clone(),
                form.restore,
            );
            let repository = repository_of(connection);
            spawn_local(async move {
                // Leaving the page while the project is saved would lose the pull: the browser asks first.
                let _writing = UnloadGuard::hold();
                match apply(
                    &store,
                    &project_id,
                    &repository,
                    &user,
                    &preview,
                    &snapshot,
                    restore,
                )
                .await
                {
                    Ok((counts, message, stored)) => {
                        dispatcher.dispatch(PullAction::Applied(counts, message.clone()));
                        on_pulled.emit((message, stored));
                    }
                    Err(message) => dispatcher.dispatch(PullAction::Failed(format!(
                        "Nothing was changed. {message}"
                    ))),
                }
            });
        })
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
    let label = match form.what.as_str() {
        "version" => "Version name",
        "commit" => "Commit hash",
        _ => "Branch",
    };
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
                if let Err(message) = &connection {
                    { error_banner(message) }
                }
                if let Some(message) = &state.error {
                    { error_banner(message) }
                }
                <form class="form" novalidate=true method="post" onsubmit={on_preview}>
                    <fieldset disabled={!editable}>
                        <div class="field">
                            <label for="pull-what">{ "Pull from" }</label>
                            <select id="pull-what" onchange={select_setter(&form, |f, v| f.what = v)}>
                                <option value="branch" selected={form.what == "branch"}>{ "A branch" }</option>
                                <option value="version" selected={form.what == "version"}>{ "A version (tag)" }</option>
                                <option value="commit" selected={form.what == "commit"}>{ "A commit" }</option>
                            </select>
                        </div>
                        <div class="field">
                            <label for="pull-name">{ label }<span class="required">{ " *" }</span></label>
                            <input id="pull-name" type="text" autocomplete="off" list={(form.what == "branch").then_some("pull-branches")}
                                   value={form.name.clone()} oninput={text_setter(&form, |f, v| f.name = v)} />
                            <datalist id="pull-branches">{ for branches.iter().map(|b| html! { <option value={b.clone()} /> }) }</datalist>
                        </div>
                        if form.what == "commit" {
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
