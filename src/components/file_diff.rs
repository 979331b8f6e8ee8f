//! The text diff of one file of a push preview, loaded on demand: the branch's version (read by commit
//! hash) against the local one.

use std::rc::Rc;

use versioning_core::sync::{Action, DiffLine, LineChange, PushPlan};
use versioning_core::ValidConnection;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::components::code_text::code_text;
use crate::services::sync::file_diff::{branch_diff, DiffError};

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
    Failed(DiffError),
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
                let diff = branch_diff(&props.connection, &props.plan, props.index, MAX_LINES);
                loaded.set(match diff.await {
                    Ok((lines, truncated)) => Loaded::Lines(lines, truncated),
                    Err(error) => Loaded::Failed(error),
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
                Loaded::Failed(error) => html! { <p class="error-text">{ code_text(&error.to_string()) }</p> },
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
