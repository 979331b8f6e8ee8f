//! The Bitbucket connection of a project: the form, or the saved connection.

use versioning_core::bitbucket::StepStatus;
use versioning_core::roles::{decide, Activity, Decision};
use versioning_core::{ConnectionForm, ValidConnection};
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::breadcrumb::{project_path, Breadcrumb, Crumb};
use crate::components::checklist::Checklist;
use crate::components::code_text::code_text;
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::connection_form::ConnectionFormView;
use crate::components::connection_summary::ConnectionSummary;
use crate::components::not_found::missing_project;
use crate::components::page_heading::PageHeading;
use crate::components::scm_panel::ScmPanel;
use crate::components::status::error_banner;
use crate::pages::project::ProjectPageProps;
use crate::route::Route;
use crate::services::connection_check::run_connection_test;
use crate::services::connection_store::{
    listen_for_connection_changes, now_iso, ConnectionRecord, ConnectionStoreError, LastTest,
};
use crate::services::portal_events::{Events, FailedActivity, PortalEvent};
use crate::services::transport::Cancellation;
use crate::state::connection_check::{CheckAction, CheckState};
use crate::state::connection_form::{Action, FormState};
use crate::state::connection_page::{PageAction, PageState};
use crate::state::connections::{use_connections, use_new_connection, Connections};
use crate::state::events::{use_error_event, use_events};
use crate::state::job::use_job_control;
use crate::state::projects::use_project;
use crate::state::session::use_session;

/// Longer help on what to paste where.
fn help_card() -> Html {
    html! {
        <aside class="card help" aria-labelledby="help-title">
            <h2 id="help-title">{ "Help" }</h2>
            <details>
                <summary>{ "How do I get a token?" }</summary>
                <ol>
                    <li>{ "Bitbucket Cloud, your own account: sign in at id.atlassian.com, open Security → API tokens → " }
                        <strong>{ "Create API token with scopes" }</strong>{ ", choose the app Bitbucket, give it an expiry and the scopes " }
                        <code>{ "read:user:bitbucket" }</code>{ ", " }<code>{ "read:repository:bitbucket" }</code>{ ", " }
                        <code>{ "write:repository:bitbucket" }</code>{ ". Copy it at once: it is shown only once. Leave PAT unticked and use your account email as Username." }</li>
                    <li>{ "Bitbucket Cloud, a repository/project/workspace access token: Repository settings → Access tokens → Create, with the scopes Repositories: Read and Write. Tick PAT." }</li>
                    <li>{ "Bitbucket Data Center: your avatar → Manage account → HTTP access tokens → Create token, with Repository write permission. Leave PAT unticked and enter your username: Bitbucket then tells which user pushes. (A project or repository access token is the one to use with PAT ticked: it pushes over git through a relay that passes /scm, but cannot commit through the REST API.)" }</li>
                </ol>
            </details>
            <details>
                <summary>{ "Where is the repository URL?" }</summary>
                <p>{ "Open the repository in Bitbucket and choose Clone. Copy the HTTPS URL and remove the words " }<code>{ "git clone" }</code>
                   { ". Examples: " }<code>{ "https://bitbucket.org/acme/checkout-tests.git" }</code>{ ", " }
                   <code>{ "https://bitbucket.example.com/scm/qa/regression-suite.git" }</code>{ "." }</p>
            </details>
            <details>
                <summary>{ "Which username?" }</summary>
                <p>{ "With a Cloud API token: the email of your Atlassian account. Otherwise your Bitbucket username: Cloud shows it under Personal settings → Account settings, Data Center under Manage account." }</p>
            </details>
            <p class="note">{ "Your token stays in this browser tab's session: a reload keeps it, a new browser session asks for it again. It is never written to persistent storage." }</p>
        </aside>
    }
}

/// The page's state handles, cloned into each callback.
#[derive(Clone)]
struct Handles {
    project_id: String,
    store: Connections,
    page: UseReducerHandle<PageState>,
    form: UseReducerHandle<FormState>,
    check: UseReducerHandle<CheckState>,
    events: Events,
}

/// Runs the connection test and, when it passes, saves the connection with its result, over the saved
/// connection `over` when there is one.
fn test_and_save(
    handles: &Handles,
    form: ConnectionForm,
    connection: ValidConnection,
    over: Option<ConnectionRecord>,
    cancellation: Cancellation,
    save: bool,
) {
    let project_id = handles.project_id.clone();
    let store = handles.store.clone();
    let check = handles.check.dispatcher();
    let page = handles.page.dispatcher();
    let events = handles.events.clone();
    spawn_local(async move {
        let progress = {
            let check = check.clone();
            Callback::from(move |steps| check.dispatch(CheckAction::Progress(steps)))
        };
        let Some((steps, outcome)) =
            run_connection_test(&connection, &progress, &cancellation).await
        else {
            check.dispatch(CheckAction::Clear);
            return;
        };
        // Nothing is saved after a cancel (Reset cancels), nor for a role that may not configure.
        if let (Some(outcome), true, false) = (&outcome, save, cancellation.is_cancelled()) {
            let last_test = LastTest {
                tested_at: now_iso(),
                outcome: outcome.clone(),
            };
            let created_at = over.as_ref().map_or_else(now_iso, |o| o.created_at.clone());
            let record = ConnectionRecord {
                revision: over.map_or(0, |o| o.revision),
                ..ConnectionRecord::new(&form, &connection, created_at, last_test)
            };
            // Answered once the store holds the connection, or refused it.
            match store
                .save(&project_id, &record, connection.token.expose())
                .await
            {
                Ok(record) => {
                    events.emit(PortalEvent::ConnectionCreated {
                        project: project_id.clone(),
                        repository: record.repository_url.clone(),
                    });
                    page.dispatch(PageAction::Saved(Box::new(record)));
                }
                Err(error) => page.dispatch(PageAction::SaveFailed(error)),
            }
        }
        check.dispatch(CheckAction::Finished(steps, outcome.map(Box::new)));
    });
}

/// What failed in a failed connection test, and why.
fn failed_step(check: &CheckState) -> Option<(&'static str, String)> {
    let CheckState::Failed(steps) = check else {
        return None;
    };
    steps.iter().find_map(|report| match &report.status {
        StepStatus::Failed(error) => Some((report.step.failure(error), error.to_string())),
        _ => None,
    })
}

fn failure_banner(check: &CheckState) -> Html {
    match failed_step(check) {
        Some((step, message)) => html! {
            <div class="banner error" role="alert">
                <p><strong>{ format!("Connection test failed: {step}.") }</strong>{ " Nothing was saved." }</p>
                <p>{ code_text(&message) }</p>
            </div>
        },
        None => html! {},
    }
}

/// The Bitbucket page of a project.
#[component]
pub fn BitbucketPage(props: &ProjectPageProps) -> Html {
    let project_id = props.id.to_string();
    let store = use_connections();
    let session = use_session();
    let events = use_events();
    let page = {
        let (project_id, store) = (project_id.clone(), store.clone());
        use_reducer(move || {
            PageState::loaded(
                store.load(&project_id),
                store.session_token(&project_id).is_some(),
            )
        })
    };
    // A stored record that cannot be read is said to be damaged, never taken for "not connected".
    let damaged = {
        let (store, project_id) = (store.clone(), project_id.clone());
        use_state(move || store.load_checked(&project_id).err())
    };
    let blank = use_new_connection();
    let form = {
        let blank = blank.clone();
        use_reducer(move || FormState::new(blank, Vec::new()))
    };
    let check = use_reducer(CheckState::default);
    use_error_event(
        &project_id,
        FailedActivity::ConnectionTest,
        failed_step(&check)
            .map(|(step, message)| format!("Connection test failed: {step}. {message}")),
    );
    use_error_event(
        &project_id,
        FailedActivity::ConnectionSave,
        page.save_error.clone(),
    );
    // Another tab's save or removal of this connection is told before this page saves over it.
    {
        let dispatcher = page.dispatcher();
        use_effect_with(project_id.clone(), move |id| {
            let id = id.clone();
            let listener = listen_for_connection_changes(move |changed| {
                if changed.id == id {
                    dispatcher.dispatch(PageAction::ChangedElsewhere);
                }
            });
            move || drop(listener)
        });
    }
    // The running connection test, cancelled when a new one starts or the page goes away.
    let job = use_job_control();
    let on_cancel_test = {
        let job = job.clone();
        Callback::from(move |_| job.cancel())
    };
    let project = match use_project(&project_id) {
        Ok(project) => project,
        Err(missing) => return missing_project(&missing),
    };

    let handles = Handles {
        project_id: project_id.clone(),
        store: store.clone(),
        page: page.clone(),
        form: form.clone(),
        check: check.clone(),
        events,
    };
    let on_submit = {
        let (h, job) = (handles.clone(), job.clone());
        Callback::from(move |_| {
            let Some(connection) = h.form.connection() else {
                return;
            };
            if h.check.is_running() {
                return;
            }
            test_and_save(
                &h,
                h.form.form.clone(),
                connection,
                h.page.saved.clone(),
                job.start(),
                true,
            );
        })
    };
    let may_configure = decide(session.role, &Activity::Configure).is_allowed();
    let on_test_again = {
        let (h, job) = (handles.clone(), job.clone());
        Callback::from(move |_| {
            let Some(saved) = &h.page.saved else { return };
            let Some(token) = h.store.session_token(&h.project_id) else {
                return;
            };
            let form = saved.to_form(token);
            let Ok(connection) = form.to_connection(&[]) else {
                return;
            };
            if !h.check.is_running() {
                test_and_save(
                    &h,
                    form,
                    connection,
                    Some(saved.clone()),
                    job.start(),
                    may_configure,
                );
            }
        })
    };
    let on_edit = {
        let h = handles.clone();
        Callback::from(move |_| {
            if let Some(saved) = &h.page.saved {
                let token = h.store.session_token(&h.project_id).unwrap_or_default();
                h.form.dispatch(Action::Load(saved.to_form(token)));
            }
            h.check.dispatch(CheckAction::Clear);
            h.page.dispatch(PageAction::Edit);
        })
    };
    let on_confirm_reset = {
        let (h, job, damaged) = (handles, job.clone(), damaged.clone());
        let blank = blank.clone();
        Callback::from(move |_| {
            // A running test must not save the connection back after it was reset.
            job.cancel();
            h.page.dispatch(PageAction::Removing);
            let (h, damaged, blank) = (h.clone(), damaged.clone(), blank.clone());
            // Removed after the saves queued before it, and told once the store removed it.
            spawn_local(async move {
                match h.store.remove(&h.project_id).await {
                    Ok(()) => {
                        damaged.set(None);
                        h.form.dispatch(Action::Load(blank));
                        h.check.dispatch(CheckAction::Clear);
                        h.page.dispatch(PageAction::Cleared);
                        h.events.emit(PortalEvent::ConnectionReset {
                            project: h.project_id.clone(),
                        });
                    }
                    Err(error) => h.page.dispatch(PageAction::RemoveFailed {
                        error,
                        saved: h.store.load(&h.project_id).map(Box::new),
                        has_token: h.store.session_token(&h.project_id).is_some(),
                    }),
                }
            });
        })
    };
    let ask_reset = Callback::from(page.dispatcher()).reform(|_| PageAction::AskReset);
    let refusal = match decide(session.role, &Activity::Configure) {
        Decision::Allowed => None,
        Decision::Denied(reason) => Some(reason.to_string()),
    };
    let body = match (&page.saved, page.shows_form() && refusal.is_none()) {
        (None, _) if damaged.is_some() => html! {
            <section class="card" aria-labelledby="damaged-title">
                <h2 id="damaged-title">{ "Connection damaged" }</h2>
                { error_banner(&damaged.as_ref().map(ToString::to_string).unwrap_or_default()) }
                if refusal.is_none() {
                    <button type="button" class="button subtle" onclick={ask_reset.reform(|_: MouseEvent| ())}>{ "Reset" }</button>
                }
            </section>
        },
        (Some(record), false) => html! {
            <ConnectionSummary record={record.clone()} has_token={page.has_token} testing={check.is_running()}
                can_configure={refusal.is_none()}
                on_edit={on_edit} on_test={on_test_again} on_reset={ask_reset} />
        },
        (None, false) => html! {
            <section class="card" aria-labelledby="not-connected-title">
                <h2 id="not-connected-title">{ "Not connected" }</h2>
                <p>{ "This project has no Bitbucket connection yet." }</p>
            </section>
        },
        (saved, true) => html! {
            <ConnectionFormView
                state={form.clone()}
                submit_label={if saved.is_some() { "Save" } else { "Create" }}
                busy={check.is_running()}
                on_cancel_test={on_cancel_test}
                on_submit={on_submit}
                on_reset={ask_reset}
                on_cancel={saved.is_some().then(|| Callback::from(page.dispatcher()).reform(|_| PageAction::CancelEdit))}
            />
        },
    };
    html! {
        <>
            <Breadcrumb crumbs={project_path(&project.name, &project.id, [
                Crumb::link("Manage Integration", Route::Integrations { id: project.id.clone() }),
                Crumb::link("Versioning", Route::Integrations { id: project.id.clone() }),
                Crumb::here("Bitbucket"),
            ])} />
            <PageHeading title="Bitbucket" context={project.name.clone()} />
            <p class="lead">{ format!("Version the test artifacts of {} in a Bitbucket repository.", project.name) }</p>
            if let Some(reason) = &refusal {
                <div class="banner info" role="status"><p>{ code_text(reason) }</p></div>
            }
            if page.changed_elsewhere {
                <div class="banner info" role="status"><p>{ code_text(&ConnectionStoreError::Conflict.to_string()) }</p></div>
            }
            if let Some(message) = &page.save_error {
                { error_banner(message) }
            }
            { failure_banner(&check) }
            if page.saved.is_some() {
                <p>
                    <Link<Route> to={Route::Artifacts { id: project.id.clone() }}>{ "Open test artifacts" }</Link<Route>>
                    { " to push them to the repository or pull them from it." }
                </p>
            }
            <div class="two-columns">
                <div class="stack">
                    { body }
                    if let Some(steps) = check.steps() {
                        <Checklist steps={steps.to_vec()} />
                    }
                    <ScmPanel project_id={project_id.clone()} />
                </div>
                { help_card() }
            </div>
            if page.confirming_reset {
                <ConfirmDialog
                    title="Reset the Bitbucket configuration?"
                    body="This clears the form and removes the saved connection and its token from this browser. Nothing changes in Bitbucket."
                    confirm_label="Reset"
                    on_confirm={on_confirm_reset}
                    on_cancel={Callback::from(page.dispatcher()).reform(|_| PageAction::CancelReset)}
                />
            }
        </>
    }
}
