//! Opening a pull request after a push: a small form (title, description, destination, optional
//! reviewers) prefilled from the push, said unavailable before anything is sent when the connection's
//! token may not open pull requests, and its outcome with the pull request's link or Bitbucket's words.

use std::rc::Rc;

use versioning_core::bitbucket::pull_requests::NewPullRequest;
use versioning_core::bitbucket::TestOutcome;
use versioning_core::sync::{pull_request_description, PushPlan};
use versioning_core::Flavour;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::components::code_text::code_text;
use crate::components::status::{error_banner, result_region};
use crate::components::sync::dialog::text_setter;
use crate::services::projects::StoredProject;
use crate::services::pull_requests::{open_pull_request, record_pull_request};
use crate::state::projects::use_projects;
use crate::state::review::{ReviewAction, ReviewStage, ReviewState};
use crate::state::session::use_session;
use crate::state::sync_connection::use_sync_connection;

/// The title and description a pull request after `plan`'s push starts with: the commit message, and the
/// pushed changes by kind with the artifacts' names in `project` (the files' paths for those it no longer
/// holds).
pub fn prefilled(plan: &PushPlan, project: Option<&StoredProject>) -> (String, String) {
    let ids = plan.changes.changes.iter().map(|change| &change.artifact);
    let names = project
        .map(|stored| stored.project.names_of(ids))
        .unwrap_or_default();
    let description = pull_request_description(&plan.changes.changes, |id| {
        names.get(id).map(|name| (*name).to_owned())
    });
    (plan.request.message.trim().to_owned(), description)
}

/// Why the connection's token may not open pull requests, as its last test found (`None`: it may, or it
/// was not asked).
pub fn pull_request_warning(outcome: Option<&TestOutcome>) -> Option<String> {
    outcome
        .and_then(|outcome| outcome.pull_requests.as_ref())
        .and_then(|access| access.warning())
}

/// What a Quality Engineer refused on the main branch is offered instead: pushing a new branch, then
/// opening a pull request into the main branch (`on_new_branch` turns the push form into a new branch's),
/// with `warning` when the token may not open one.
pub fn new_branch_offer(
    main: &str,
    warning: Option<String>,
    on_new_branch: Callback<MouseEvent>,
) -> Html {
    html! {
        <div class="review-offer">
            <p class="helper">{ code_text(&format!(
                "Push a new branch from `{main}` instead; once it is pushed, open a pull request into `{main}` from here."
            )) }</p>
            if let Some(warning) = warning {
                <p class="banner warning">{ code_text(&warning) }</p>
            }
            <button type="button" class="button" onclick={on_new_branch}>{ "Push a new branch" }</button>
        </div>
    }
}

/// Props of [`PullRequestForm`].
#[derive(Properties, PartialEq)]
pub struct PullRequestFormProps {
    /// The project.
    pub project_id: AttrValue,
    /// The pushed branch.
    pub source: AttrValue,
    /// The branch to merge into, to start with (the main branch).
    pub destination: AttrValue,
    /// The title to start with.
    pub title: AttrValue,
    /// The description to start with.
    pub description: AttrValue,
    /// The project's record changed (the History row of the push holds the pull request): as now stored.
    pub on_recorded: Callback<Rc<StoredProject>>,
}

/// The form's values.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Values {
    title: String,
    description: String,
    destination: String,
    reviewers: String,
}

impl Values {
    /// The pull request these values ask for, from `source`.
    fn request(&self, source: &str) -> NewPullRequest {
        NewPullRequest {
            title: self.title.trim().to_owned(),
            description: self.description.clone(),
            source: source.to_owned(),
            destination: self.destination.trim().to_owned(),
            reviewers: self
                .reviewers
                .split([',', ' '])
                .map(str::trim)
                .filter(|name| !name.is_empty())
                .map(str::to_owned)
                .collect(),
        }
    }
}

/// The form that opens a pull request from a pushed branch.
#[component]
pub fn PullRequestForm(props: &PullRequestFormProps) -> Html {
    let projects = use_projects();
    let session = use_session();
    let sync = use_sync_connection(&props.project_id);
    let values = use_state(|| Values {
        title: props.title.to_string(),
        description: props.description.to_string(),
        destination: props.destination.to_string(),
        reviewers: String::new(),
    });
    let state = use_reducer(ReviewState::default);
    // What the connection test found the token may do, said before anything is sent.
    let warning = pull_request_warning(sync.outcome.as_ref());
    let data_center =
        matches!(&sync.connection, Ok(c) if c.location.flavour == Flavour::DataCenter);
    let on_submit = {
        let (values, state, connection) = (values.clone(), state.clone(), sync.connection.clone());
        let (store, role, source) = (projects.store.clone(), session.role, props.source.clone());
        let (project_id, on_recorded) = (props.project_id.clone(), props.on_recorded.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let Ok(connection) = connection.clone() else {
                return;
            };
            if state.stage != ReviewStage::Form {
                return;
            }
            let new = values.request(&source);
            let (dispatcher, store) = (state.dispatcher(), store.clone());
            let (project_id, on_recorded) = (project_id.clone(), on_recorded.clone());
            dispatcher.dispatch(ReviewAction::Opening);
            spawn_local(async move {
                let opened = match open_pull_request(&connection, &[role], &new).await {
                    Ok(opened) => Rc::new(opened),
                    Err(error) => return dispatcher.dispatch(ReviewAction::Failed(error)),
                };
                dispatcher.dispatch(ReviewAction::Opened(opened.clone()));
                match record_pull_request(&*store, &project_id, &opened).await {
                    Ok(stored) => on_recorded.emit(stored),
                    Err(error) => dispatcher.dispatch(ReviewAction::Failed(error)),
                }
            });
        })
    };
    let editable = state.stage == ReviewStage::Form;
    let result = match &state.stage {
        ReviewStage::Opened(opened) => html! {
            <p class="banner success">
                { code_text(&format!("Pull request #{} opened from `{}` into `{}`: ", opened.id, opened.source, opened.destination)) }
                if let Some(link) = &opened.link {
                    <a href={link.clone()} target="_blank" rel="noopener noreferrer">{ format!("open pull request #{} on Bitbucket", opened.id) }</a>
                } else {
                    { "see it on Bitbucket." }
                }
            </p>
        },
        _ => html! {},
    };
    html! {
        <section class="pull-request" aria-labelledby="pull-request-title">
            <h3 id="pull-request-title">{ "Open a pull request" }</h3>
            if let Some(warning) = &warning {
                <p class="banner warning">{ code_text(warning) }</p>
            }
            if let Some(error) = &state.error {
                { error_banner(&error.to_string()) }
            }
            <form class="form" novalidate=true onsubmit={on_submit}>
                <fieldset disabled={!editable}>
                    <div class="field">
                        <label for="pull-request-name">{ "Title" }<span class="required">{ " *" }</span></label>
                        <input id="pull-request-name" type="text" autocomplete="off" value={values.title.clone()}
                               oninput={text_setter(&values, |v, text| v.title = text)} />
                    </div>
                    <div class="field">
                        <label for="pull-request-description">{ "Description" }</label>
                        <textarea id="pull-request-description" rows="6" value={values.description.clone()}
                                  oninput={text_setter(&values, |v, text| v.description = text)} />
                    </div>
                    <div class="field">
                        <label for="pull-request-destination">{ "Destination branch" }<span class="required">{ " *" }</span></label>
                        <input id="pull-request-destination" type="text" autocomplete="off" value={values.destination.clone()}
                               oninput={text_setter(&values, |v, text| v.destination = text)} />
                    </div>
                    <div class="field">
                        <label for="pull-request-reviewers">{ "Reviewers (optional)" }</label>
                        <input id="pull-request-reviewers" type="text" autocomplete="off" value={values.reviewers.clone()}
                               oninput={text_setter(&values, |v, text| v.reviewers = text)} aria-describedby="pull-request-reviewers-helper" />
                        <div id="pull-request-reviewers-helper" class="helper">{
                            if data_center { "Bitbucket user names, separated by commas." } else { "Bitbucket account ids, separated by commas." }
                        }</div>
                    </div>
                </fieldset>
                { result_region(result) }
                if editable {
                    <div class="actions">
                        <button type="submit" class="button primary"
                                disabled={warning.is_some() || sync.connection.is_err() || values.title.trim().is_empty() || values.destination.trim().is_empty()}>
                            { "Open pull request" }
                        </button>
                    </div>
                } else if state.stage == ReviewStage::Opening {
                    <p role="status">{ "Opening the pull request…" }</p>
                }
            </form>
        </section>
    }
}
