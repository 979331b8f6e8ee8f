//! The commits of a branch that touched the artifacts, listed on demand in the pull dialog to choose one.

use std::rc::Rc;

use versioning_core::bitbucket::CommitSummary;
use versioning_core::sync::SyncError;
use versioning_core::ValidConnection;
use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::components::code_text::code_text;
use crate::services::sync::versions::branch_versions;
use crate::state::job::use_job_control;

/// Props of [`VersionList`].
#[derive(Properties, Clone)]
pub struct VersionListProps {
    /// The connection to read the commits with; nothing is listed without one.
    pub connection: Option<Rc<ValidConnection>>,
    /// The branch listed first (the user may type another).
    pub branch: String,
    /// A commit was chosen: its hash.
    pub on_choose: Callback<String>,
}

impl PartialEq for VersionListProps {
    fn eq(&self, other: &Self) -> bool {
        self.branch == other.branch && self.connection.is_some() == other.connection.is_some()
    }
}

/// The commits of a branch that touched the artifacts, read from Bitbucket on demand; each can be chosen.
#[component]
pub fn VersionList(props: &VersionListProps) -> Html {
    let branch = use_state(|| props.branch.clone());
    let listed = use_state(|| None::<Result<Vec<CommitSummary>, SyncError>>);
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
                if let Some(result) = branch_versions(&connection, &branch, &cancellation).await {
                    listed.set(Some(result));
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
                Some(Err(error)) => html! { <p class="error-text">{ code_text(&error.to_string()) }</p> },
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
