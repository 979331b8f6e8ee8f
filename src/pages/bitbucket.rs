//! The Bitbucket connection of a project: the form, or the saved connection.

use versioning_core::ConnectionForm;
use yew::prelude::*;

use crate::components::breadcrumb::{Breadcrumb, Crumb};
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::connection_form::ConnectionFormView;
use crate::components::connection_summary::ConnectionSummary;
use crate::pages::not_found::NotFoundPage;
use crate::pages::project::ProjectPageProps;
use crate::route::Route;
use crate::services::connection_store::{
    now_iso, BrowserConnectionStore, ConnectionRecord, ConnectionStore,
};
use crate::services::projects::find_project;
use crate::state::connection_form::{Action, FormState};
use crate::state::connection_page::{PageAction, PageState};

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
                    <li>{ "Bitbucket Data Center: your avatar → Manage account → HTTP access tokens → Create token, with Repository write permission. Tick PAT, or leave it unticked and enter your username." }</li>
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

/// The Bitbucket page of a project.
#[component]
pub fn BitbucketPage(props: &ProjectPageProps) -> Html {
    let project_id = props.id.to_string();
    let store = BrowserConnectionStore;
    let page = {
        let project_id = project_id.clone();
        use_reducer(move || {
            PageState::loaded(
                store.load(&project_id),
                store.session_token(&project_id).is_some(),
            )
        })
    };
    let form = use_reducer(|| FormState::new(ConnectionForm::default(), Vec::new()));
    let Some(project) = find_project(&project_id) else {
        return html! { <NotFoundPage /> };
    };

    let on_submit = {
        let (page, form, project_id) = (page.clone(), form.clone(), project_id.clone());
        Callback::from(move |_| {
            let Some(connection) = form.connection() else {
                return;
            };
            let created_at = page
                .saved
                .as_ref()
                .map(|saved| saved.created_at.clone())
                .unwrap_or_else(now_iso);
            let record = ConnectionRecord::new(&form.form, &connection, created_at);
            if store.save(&project_id, &record, &connection.token).is_ok() {
                page.dispatch(PageAction::Saved(record));
            }
        })
    };
    let on_edit = {
        let (page, form, project_id) = (page.clone(), form.clone(), project_id.clone());
        Callback::from(move |_| {
            if let Some(saved) = &page.saved {
                let token = store.session_token(&project_id).unwrap_or_default();
                form.dispatch(Action::Load(saved.to_form(token)));
            }
            page.dispatch(PageAction::Edit);
        })
    };
    let on_confirm_reset = {
        let (page, form, project_id) = (page.clone(), form.clone(), project_id.clone());
        Callback::from(move |_| {
            store.remove(&project_id);
            form.dispatch(Action::Load(ConnectionForm::default()));
            page.dispatch(PageAction::Cleared);
        })
    };
    let body = match (&page.saved, page.shows_form()) {
        (Some(record), false) => html! {
            <ConnectionSummary record={record.clone()} has_token={page.has_token}
                on_edit={on_edit} on_reset={Callback::from(page.dispatcher()).reform(|_| PageAction::AskReset)} />
        },
        (saved, _) => html! {
            <ConnectionFormView
                state={form.clone()}
                submit_label={if saved.is_some() { "Save" } else { "Create" }}
                on_submit={on_submit}
                on_reset={Callback::from(page.dispatcher()).reform(|_| PageAction::AskReset)}
                on_cancel={saved.is_some().then(|| Callback::from(page.dispatcher()).reform(|_| PageAction::CancelEdit))}
            />
        },
    };
    html! {
        <>
            <Breadcrumb crumbs={vec![
                Crumb::link("Home", Route::Home),
                Crumb::link(project.name.clone(), Route::Project { id: project.id.clone() }),
                Crumb::link("Manage Integration", Route::Integrations { id: project.id.clone() }),
                Crumb::link("Versioning", Route::Integrations { id: project.id.clone() }),
                Crumb::here("Bitbucket"),
            ]} />
            <h1>{ "Bitbucket" }</h1>
            <p class="lead">{ format!("Version the test artifacts of {} in a Bitbucket repository.", project.name) }</p>
            <div class="two-columns">
                { body }
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
