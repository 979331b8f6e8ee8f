//! The project's History: pushes and pulls, newest first, with the pull request opened from a push. Each
//! pull request still open when it was last read is read once while the History shows it (never polled);
//! a merged one offers to pull the main branch.

use std::rc::Rc;

use versioning_core::bitbucket::pull_requests::{PullRequest, PullRequestState};
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::components::local_time::local_time;
use crate::services::projects::StoredProject;
use crate::services::pull_requests::read_pull_requests;
use crate::state::review::{PullRequestStates, StatesAction};
use crate::state::sync_connection::use_sync_connection;

/// Props of [`History`].
#[derive(Properties, PartialEq)]
pub struct HistoryProps {
    /// The project.
    pub project_id: AttrValue,
    /// The project as stored.
    pub stored: Option<Rc<StoredProject>>,
    /// "Pull main" was chosen on a merged pull request's row.
    pub on_pull_main: Callback<MouseEvent>,
}

/// The cell of a row's pull request: its state as read now (else as recorded), with its link, and "Pull
/// main" once it is merged.
fn pull_request_cell(
    recorded: &PullRequest,
    states: &PullRequestStates,
    on_pull_main: &Callback<MouseEvent>,
) -> Html {
    let (current, unread) = match states.read.get(&recorded.id) {
        Some(Ok(read)) => (read, None),
        Some(Err(error)) => (recorded, Some(error.to_string())),
        None => (recorded, None),
    };
    let label = format!("#{} {}", current.id, current.state.label());
    html! {
        <>
            if let Some(link) = &current.link {
                <a href={link.clone()} target="_blank" rel="noopener noreferrer">{ label }</a>
            } else {
                { label }
            }
            if let Some(error) = unread {
                <span class="helper">{ format!(" (not read again: {error})") }</span>
            }
            if current.state == PullRequestState::Merged {
                { " " }
                <button type="button" class="button subtle" onclick={on_pull_main.clone()}>{ "Pull main" }</button>
            }
        </>
    }
}

/// The History's table (`states`: what was read of its pull requests); focusable, so that a keyboard
/// scrolls it when it is wider than the screen.
fn table(props: &HistoryProps, states: &PullRequestStates) -> Html {
    let rows = props
        .stored
        .as_deref()
        .map(|s| s.history.as_slice())
        .unwrap_or_default();
    html! {
        <section class="card history" tabindex="0" aria-labelledby="history-title">
            <h2 id="history-title">{ "History" }</h2>
            if rows.is_empty() {
                <p>{ "No push or pull yet." }</p>
            } else {
                <table>
                    <thead><tr>
                        <th scope="col">{ "When" }</th><th scope="col">{ "Who" }</th><th scope="col">{ "What" }</th>
                        <th scope="col">{ "Branch" }</th><th scope="col">{ "Commit" }</th><th scope="col">{ "Version" }</th><th scope="col">{ "Files" }</th>
                        <th scope="col">{ "Pull request" }</th>
                    </tr></thead>
                    <tbody>
                        { for rows.iter().rev().map(|row| html! {
                            <tr>
                                <td>{ local_time(&row.at) }</td><td>{ &row.user }</td><td>{ &row.action }</td><td><code>{ &row.branch }</code></td>
                                <td><code>{ row.commits.last().map(|c| c.chars().take(12).collect::<String>()).unwrap_or_else(|| "—".into()) }</code></td>
                                <td>{ row.version.clone().unwrap_or_else(|| "—".into()) }</td>
                                <td>{ format!("{} written, {} removed", row.written, row.removed) }</td>
                                <td>{ match &row.pull_request {
                                    Some(pull_request) => pull_request_cell(pull_request, states, &props.on_pull_main),
                                    None => html! { "—" },
                                } }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
        </section>
    }
}

/// The History of a project none of whose pushes opened a pull request, which needs no connection.
#[component]
pub fn History(props: &HistoryProps) -> Html {
    let reviewed = props
        .stored
        .as_deref()
        .is_some_and(|s| s.history.iter().any(|row| row.pull_request.is_some()));
    if reviewed {
        return html! {
            <ReviewedHistory project_id={props.project_id.clone()} stored={props.stored.clone()}
                on_pull_main={props.on_pull_main.clone()} />
        };
    }
    table(props, &PullRequestStates::default())
}

/// The History with pull requests: those still open when last recorded are read once, with the project's
/// connection, while it is shown.
#[component]
fn ReviewedHistory(props: &HistoryProps) -> Html {
    let sync = use_sync_connection(&props.project_id);
    let states = use_reducer(PullRequestStates::default);
    let open: Vec<u64> = props
        .stored
        .as_deref()
        .map(|s| s.history.as_slice())
        .unwrap_or_default()
        .iter()
        .filter_map(|row| row.pull_request.as_ref())
        .filter(|pull_request| pull_request.state.is_open())
        .map(|pull_request| pull_request.id)
        .collect();
    {
        let (connection, dispatcher, read) = (
            sync.connection.clone().ok(),
            states.dispatcher(),
            states.read.clone(),
        );
        use_effect_with(open, move |open| {
            let unread: Vec<u64> = open
                .iter()
                .copied()
                .filter(|id| !read.contains_key(id))
                .collect();
            if let (Some(connection), false) = (connection, unread.is_empty()) {
                spawn_local(async move {
                    let answers = read_pull_requests(&connection, &unread).await;
                    dispatcher.dispatch(StatesAction::Read(answers));
                });
            }
        });
    }
    table(props, &states)
}
