//! The text diff of one file of a push preview, loaded on demand: the branch's version (read by commit
//! hash) against the local one.

use std::rc::Rc;

use versioning_core::bitbucket::Api;
use versioning_core::sync::{line_diff, Action, DiffLine, LineChange, PushPlan, Remote};
use versioning_core::ValidConnection;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::components::code_text::code_text;
use crate::services::transport::{execute, Cancellation};

/// Lines shown at most.
const MAX_LINES: usize = 400;

/// Props of [`FileDiff`].
#[derive(Properties, Clone)]
pub struct FileDiffProps {
    /// The connection to read the branch's version with.
    pub connection: Rc<ValidConnection>,
    /// The plan the change belongs to.
    pub plan: Rc<PushPlan>,
    /// The change's index in the plan.
    pub index: usize,
}

impl PartialEq for FileDiffProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.plan, &other.plan) && self.index == other.index
    }
}

/// What the view holds.
#[derive(Clone, PartialEq)]
enum Loaded {
    Closed,
    Loading,
    Lines(Vec<DiffLine>, bool),
    Failed(String),
}

fn prefix(change: LineChange) -> &'static str {
    match change {
        LineChange::Same => "  ",
        LineChange::Added => "+ ",
        LineChange::Removed => "- ",
        LineChange::Gap => "",
    }
}

/// A "Diff" button that shows the file's line diff under it.
#[component]
pub fn FileDiff(props: &FileDiffProps) -> Html {
    let loaded = use_state(|| Loaded::Closed);
    let change = &props.plan.changes.changes[props.index];
    if change.action == Action::Delete {
        return html! {};
    }
    let onclick = {
        let (loaded, props) = (loaded.clone(), props.clone());
        Callback::from(move |_: MouseEvent| {
            if *loaded != Loaded::Closed {
                return loaded.set(Loaded::Closed);
            }
            loaded.set(Loaded::Loading);
            let (loaded, props) = (loaded.clone(), props.clone());
            spawn_local(async move {
                let change = &props.plan.changes.changes[props.index];
                let local = props
                    .plan
                    .local
                    .files
                    .get(&change.path)
                    .cloned()
                    .unwrap_or_default();
                let remote_path = match &change.action {
                    Action::Add => None,
                    Action::Rename { from } => Some(from.clone()),
                    _ => Some(change.path.clone()),
                };
                let remote = match remote_path {
                    None => Ok(Vec::new()),
                    Some(path) => {
                        let call = Remote::new(Api::new(&props.connection))
                            .read_file(&props.plan.tip.id, &path);
                        let flavour = props.connection.location.flavour;
                        execute(&call.request, flavour, &Cancellation::new())
                            .await
                            .and_then(|response| call.parse(&response))
                    }
                };
                // A branch's file too large to read, or either side too large to compare, is said so.
                let diff = remote
                    .map_err(|error| error.to_string())
                    .and_then(|remote| {
                        line_diff(&remote, &local, 3, MAX_LINES).map_err(|error| error.to_string())
                    });
                loaded.set(match diff {
                    Ok((lines, truncated)) => Loaded::Lines(lines, truncated),
                    Err(message) => Loaded::Failed(message),
                });
            });
        })
    };
    let open = *loaded != Loaded::Closed;
    html! {
        <>
            { " " }
            <button type="button" class="button link" aria-expanded={open.to_string()} {onclick}>
                { if open { "Hide diff" } else { "Diff" } }
            </button>
            { match &*loaded {
                Loaded::Closed => html! {},
                Loaded::Loading => html! { <p role="status">{ "Loading the branch's version…" }</p> },
                Loaded::Failed(message) => html! { <p class="error-text">{ code_text(message) }</p> },
                Loaded::Lines(lines, truncated) => html! {
                    <pre class="diff" aria-label={format!("Changes in {}", change.path)}>
                        { for lines.iter().map(|line| html! {
                            <span class={classes!("line", format!("{:?}", line.change).to_lowercase())}>{ format!("{}{}\n", prefix(line.change), line.text) }</span>
                        }) }
                        if *truncated { <span class="line gap">{ format!("… more than {MAX_LINES} lines") }</span> }
                    </pre>
                },
            } }
        </>
    }
}
