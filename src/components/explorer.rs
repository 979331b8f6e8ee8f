//! The explorer of one project: loads it from the store, shows the tree and the open artifact, saves
//! every edit, marks what changed since the last push or pull, and exports the project as a `.zip`.

use std::cell::RefCell;
use std::rc::Rc;

use versioning_core::artifacts::ArtifactId;
use versioning_core::counts::counted;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::components::artifact_details::ArtifactDetails;
use crate::components::artifact_tree::{tree_item, ArtifactTree};
use crate::components::code_text::code_text;
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::history::History;
use crate::components::name_form::NameForm;
use crate::components::not_found::NotFound;
use crate::components::status::{error_banner, loading_status};
use crate::components::sync::pull_dialog::PullDialog;
use crate::components::sync::push_dialog::PushDialog;
use crate::services::portal_events::FailedActivity;
use crate::services::project_export::{export_project, ExportError};
use crate::services::project_store::listen_for_changes;
use crate::services::projects::StoredProject;
use crate::state::events::use_error_event;
use crate::state::explorer::{Edit, ExplorerAction, ExplorerState, Loading, SaveStatus};
use crate::state::projects::use_projects;

/// Props of [`Explorer`].
#[derive(Properties, PartialEq)]
pub struct ExplorerProps {
    /// Id of the project to explore.
    pub id: AttrValue,
}

fn summary_line(state: &ExplorerState) -> String {
    let changed = state.changes.changed.len();
    let deleted = state.changes.deleted;
    match (changed, deleted) {
        (0, 0) => "No changes since the last push or pull.".to_owned(),
        (changed, 0) => format!(
            "{} changed since the last push or pull.",
            counted(changed, "artifact", "artifacts")
        ),
        (changed, deleted) => format!(
            "{} changed and {deleted} deleted since the last push or pull.",
            counted(changed, "artifact", "artifacts")
        ),
    }
}

fn save_line(save: &SaveStatus) -> Html {
    match save {
        SaveStatus::Saved => html! { <span>{ "All changes saved in this browser." }</span> },
        SaveStatus::Saving => html! { <span>{ "Saving…" }</span> },
        SaveStatus::Failed(message) => {
            html! { <span class="error-text">{ code_text(message) }</span> }
        }
    }
}

/// Where the user was when a push or pull dialog opened: given back when it closes.
struct Place {
    /// What had the focus (the button that opened the dialog).
    focused: Option<web_sys::HtmlElement>,
}

impl Place {
    /// Where the user is now.
    fn now() -> Place {
        let active = web_sys::window()
            .and_then(|window| window.document())
            .and_then(|document| document.active_element());
        Place {
            focused: active.and_then(|element| element.dyn_into().ok()),
        }
    }

    /// Gives the user their place back: the focus on the tree item the keyboard was on in `root` (as the
    /// project now stands), else on what had it, without scrolling anything.
    fn restore(self, root: Option<web_sys::Element>, focused: Option<&ArtifactId>) {
        let item = root
            .zip(focused)
            .and_then(|(root, id)| tree_item(&root, id));
        if let Some(element) = item.or(self.focused) {
            focus_without_scrolling(&element);
        }
    }
}

/// Focuses `element` as it is on screen (`preventScroll`): the page and the tree stay scrolled as the user
/// left them.
fn focus_without_scrolling(element: &web_sys::HtmlElement) {
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"preventScroll".into(), &true.into());
    let focus = js_sys::Reflect::get(element, &"focus".into())
        .ok()
        .and_then(|focus| focus.dyn_into::<js_sys::Function>().ok());
    if let Some(focus) = focus {
        let _ = focus.call1(element, &options);
    }
}

/// Opens a dialog (`open` set), noting where the user is.
fn open_dialog(
    open: &UseStateHandle<bool>,
    place: &Rc<RefCell<Option<Place>>>,
) -> Callback<MouseEvent> {
    let (open, place) = (open.clone(), place.clone());
    Callback::from(move |_: MouseEvent| {
        *place.borrow_mut() = Some(Place::now());
        open.set(true);
    })
}

/// Resolves when the browser is idle (what is rendered now painted, pending events handled), so that work
/// that can wait does not delay what the user is shown.
async fn when_idle() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let idle = js_sys::Promise::new(&mut |resolve, _| {
        let _ = window.request_idle_callback(&resolve);
    });
    let _ = JsFuture::from(idle).await;
}

/// The tree, the open artifact and the project's actions.
#[component]
pub fn Explorer(props: &ExplorerProps) -> Html {
    let projects = use_projects();
    let state = use_reducer(ExplorerState::default);
    let export_error = use_state(|| None::<ExportError>);
    let exporting = use_state(|| false);
    let artifacts_error = match (&state.loading, &state.save) {
        (Loading::Failed(error), _) => Some(error.to_string()),
        (_, SaveStatus::Failed(message)) => Some(message.clone()),
        _ => None,
    };
    use_error_event(&props.id, FailedActivity::Artifacts, artifacts_error);
    use_error_event(
        &props.id,
        FailedActivity::Export,
        export_error.as_ref().map(ToString::to_string),
    );
    let pushing = use_state(|| false);
    let pulling = use_state(|| false);
    let place = use_mut_ref(|| None::<Place>);
    let root = use_node_ref();
    {
        // A dialog closed: the user is back where they were, on the project as it now stands.
        let (place, root, focused) = (place.clone(), root.clone(), state.focused.clone());
        use_effect_with(*pushing || *pulling, move |open| {
            if !open {
                if let Some(place) = place.borrow_mut().take() {
                    place.restore(root.cast(), focused.as_ref());
                }
            }
        });
    }
    // Bumped after a push, which changes the stored record (base, baseline, history).
    let generation = use_state(|| 0u32);
    {
        let (store, dispatcher) = (projects.store.clone(), state.dispatcher());
        use_effect_with((props.id.clone(), *generation), move |(id, _)| {
            let id = id.clone();
            spawn_local(async move {
                // The first level of the trees, when the store keeps it, while the project is read; a
                // failure to read it is the project's own, told by its reading.
                if let Ok(Some(outline)) = store.outline(&id).await {
                    dispatcher.dispatch(ExplorerAction::Outlined(Rc::new(outline)));
                }
                let loaded = store.load(&id).await;
                dispatcher.dispatch(ExplorerAction::Loaded(
                    loaded.map(|found| found.map(Rc::new)),
                ));
            });
        });
    }
    {
        // One save at a time, each over the revision the previous one stored.
        let (projects, dispatcher) = (projects.clone(), state.dispatcher());
        let pending = state.pending_save();
        use_effect_with(pending.as_ref().map(|(count, _)| *count), move |_| {
            if let Some((count, stored)) = pending {
                dispatcher.dispatch(ExplorerAction::SaveStarted(count));
                spawn_local(async move {
                    dispatcher.dispatch(match projects.store.save(&stored).await {
                        Ok(()) => {
                            // The list's counts of suites and test cases follow the edit.
                            projects.refresh();
                            ExplorerAction::Saved(count)
                        }
                        Err(error) => ExplorerAction::SaveFailed(error),
                    });
                });
            }
        });
    }
    {
        // Another tab's save of this project.
        let (dispatcher, id) = (state.dispatcher(), props.id.clone());
        use_effect_with(id, move |id| {
            let id = id.clone();
            let listener = listen_for_changes(move |changed| {
                if changed.id == id {
                    dispatcher.dispatch(ExplorerAction::ChangedElsewhere(changed.revision));
                }
            });
            move || drop(listener)
        });
    }
    let stored = match &state.loading {
        Loading::Pending if state.outline.is_none() => return loading_status("test artifacts"),
        Loading::Missing => return html! { <NotFound /> },
        Loading::Failed(error) => return error_banner(&error.to_string()),
        Loading::Pending | Loading::Done => state.stored.clone(),
    };
    // The outline is shown: what needs the whole project waits for it.
    let reading = stored.is_none();
    let on_export = {
        let (export_error, exporting) = (export_error.clone(), exporting.clone());
        Callback::from(move |_: MouseEvent| {
            let Some(stored) = stored.clone() else {
                return;
            };
            let (export_error, exporting) = (export_error.clone(), exporting.clone());
            // A new try: the last failure's message goes, and a failure again is a new error.
            export_error.set(None);
            exporting.set(true);
            spawn_local(async move {
                export_error.set(export_project(&stored).await.err());
                exporting.set(false);
            });
        })
    };
    // A dialog changed the record: take it as now stored once the dialog's outcome is shown; or read it
    // again.
    let on_changed = {
        let (generation, dispatcher) = (generation.clone(), state.dispatcher());
        Callback::from(move |stored: Option<Rc<StoredProject>>| match stored {
            Some(stored) => {
                let dispatcher = dispatcher.clone();
                spawn_local(async move {
                    when_idle().await;
                    dispatcher.dispatch(ExplorerAction::Stored(stored));
                });
            }
            None => generation.set(*generation + 1),
        })
    };
    let dispatch = Callback::from(state.dispatcher());
    let add_suite = dispatch.reform(|name| ExplorerAction::Edit(Edit::AddSuite(name)));
    let confirm_delete = state.confirming_delete.as_ref().map(|id| {
        let id = id.clone();
        html! {
            <ConfirmDialog
                title="Delete this artifact?"
                body="It is deleted with everything it holds and removed from execution lists. The next push deletes it from the repository too."
                confirm_label="Delete"
                on_confirm={dispatch.reform(move |_| ExplorerAction::Edit(Edit::Delete(id.clone())))}
                on_cancel={dispatch.reform(|_| ExplorerAction::CancelDelete)}
            />
        }
    });
    html! {
        <div class="explorer" ref={root}>
            <div class="explorer-bar">
                <p class="changes" role="status">
                    if reading {
                        { "Reading the test artifacts…" }
                    } else {
                        { summary_line(&state) }{ " " }{ save_line(&state.save) }
                    }
                </p>
                if state.changed_elsewhere {
                    <button type="button" class="button" onclick={{
                        let generation = generation.clone();
                        Callback::from(move |_: MouseEvent| generation.set(*generation + 1))
                    }}>{ "Reload" }</button>
                }
                <button type="button" class="button primary" onclick={open_dialog(&pushing, &place)} disabled={reading}>{ "Push…" }</button>
                <button type="button" class="button subtle" onclick={open_dialog(&pulling, &place)} disabled={reading}>{ "Pull…" }</button>
                <button type="button" class="button subtle" onclick={on_export} disabled={*exporting || reading}>
                    { if *exporting { "Exporting…" } else { "Export .zip" } }
                </button>
            </div>
            if *pulling {
                <PullDialog project_id={props.id.clone()} loaded={state.in_store()}
                    on_close={{ let pulling = pulling.clone(); Callback::from(move |_| pulling.set(false)) }}
                    on_changed={on_changed.clone()} />
            }
            if *pushing {
                <PushDialog project_id={props.id.clone()} loaded={state.in_store()}
                    on_close={{ let pushing = pushing.clone(); Callback::from(move |_| pushing.set(false)) }}
                    on_changed={on_changed} />
            }
            if let Some(error) = &*export_error {
                { error_banner(&error.to_string()) }
            }
            if let Some(message) = &state.edit_error {
                { error_banner(message) }
            }
            <div class="explorer-columns">
                <div class="card explorer-tree">
                    <h2>{ "Artifacts" }</h2>
                    <ArtifactTree state={state.clone()} />
                    <NameForm id="new-suite-name" label="Name of the new test suite" button="Add test suite" on_submit={add_suite} disabled={reading} />
                </div>
                <ArtifactDetails state={state.clone()} />
            </div>
            { confirm_delete.unwrap_or_default() }
            if !reading {
                <History project_id={props.id.clone()} stored={state.stored.clone()} on_pull_main={open_dialog(&pulling, &place)} />
            }
        </div>
    }
}
