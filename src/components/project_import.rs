//! Import of a project from a `.zip` of the repository layout, asking before replacing a project.

use std::rc::Rc;

use versioning_core::artifacts::Project;
use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::code_text::code_text;
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::status::error_banner;
use crate::route::Route;
use crate::services::archive_worker::ArchiveError;
use crate::services::portal_events::FailedActivity;
use crate::services::project_import::{read_project_file, store_import, ImportError};
use crate::services::project_store::StoreError;
use crate::state::events::use_error_event;
use crate::state::import::{ImportAction, ImportState};
use crate::state::projects::{use_projects, ProjectList, Projects};
use versioning_core::artifacts::archive::{check_archive_size, ArchiveLimits, MAX_ARCHIVE_BYTES};

/// Stores the project as its own baseline (the state of this import), then reads the list again. A new
/// project is created only if its id is free at the moment of writing (the store decides, in the same
/// transaction); when it is taken, the user is asked. `replace` (after the user agreed) saves over the
/// project stored now.
fn save(
    projects: Projects,
    project: Rc<Project>,
    replace: bool,
    import: UseReducerDispatcher<ImportState>,
) {
    spawn_local(async move {
        match store_import(&*projects.store, &project, replace).await {
            Ok(()) => {
                projects.refresh();
                import.dispatch(ImportAction::Imported(project));
            }
            Err(StoreError::AlreadyExists(_)) => {
                projects.refresh();
                import.dispatch(ImportAction::AskReplace(project));
            }
            Err(error) => import.dispatch(ImportAction::Failed(error.into())),
        }
    });
}

/// Checks the chosen file's size, reads it, checks it, and saves it unless its id is taken.
fn import_file(projects: Projects, file: web_sys::File, import: UseReducerDispatcher<ImportState>) {
    let limits = ArchiveLimits::default();
    if let Err(problem) = check_archive_size(file.size(), &limits) {
        return import.dispatch(ImportAction::Invalid(file.name(), vec![problem]));
    }
    import.dispatch(ImportAction::Reading(file.name()));
    spawn_local(async move {
        let project = match read_project_file(&file, &limits).await {
            Ok(project) => Rc::new(project),
            Err(ImportError::Archive(ArchiveError::Unreadable(problems))) => {
                return import.dispatch(ImportAction::Invalid(file.name(), problems))
            }
            Err(error) => return import.dispatch(ImportAction::Failed(error)),
        };
        let taken = match &*projects.list {
            ProjectList::Ready(list) => list.iter().any(|p| p.id == project.id.as_str()),
            _ => false,
        };
        if taken {
            import.dispatch(ImportAction::AskReplace(project));
        } else {
            save(projects, project, false, import);
        }
    });
}

fn status(state: &ImportState) -> Html {
    match state {
        ImportState::Idle | ImportState::ConfirmReplace(_) => html! {},
        ImportState::Reading(file) => html! { <p role="status">{ format!("Reading {file}…") }</p> },
        ImportState::Imported { id, name } => html! {
            <p role="status">
                { format!("{name} was imported. ") }
                <Link<Route> to={Route::Artifacts { id: id.clone() }}>{ format!("Open the test artifacts of {name}") }</Link<Route>>
            </p>
        },
        ImportState::Failed(error) => error_banner(&error.to_string()),
        ImportState::Invalid { problems, .. } => {
            let items = problems.iter().map(|problem| {
                let place = if problem.path.is_empty() {
                    html! {}
                } else {
                    html! { <><code>{ &problem.path }</code>{ ": " }</> }
                };
                html! { <li>{ place }{ code_text(&problem.message) }</li> }
            });
            html! {
                <div class="banner error" role="alert">
                    <p><strong>{ state.error() }</strong></p>
                    <ul class="problems">{ for items }</ul>
                </div>
            }
        }
    }
}

/// The import card: a file input, the outcome, and the replace confirmation.
#[component]
pub fn ProjectImport() -> Html {
    let projects = use_projects();
    let state = use_reducer(ImportState::default);
    // No project is concerned yet: the archive names it.
    use_error_event("", FailedActivity::Import, state.error());
    let onchange = {
        let (projects, import) = (projects.clone(), state.dispatcher());
        Callback::from(move |event: Event| {
            let input: HtmlInputElement = event.target_unchecked_into();
            if let Some(file) = input.files().and_then(|files| files.get(0)) {
                import_file(projects.clone(), file, import.clone());
            }
            input.set_value("");
        })
    };
    let confirm = match &*state {
        ImportState::ConfirmReplace(project) => {
            let replace = {
                let (projects, project, import) =
                    (projects.clone(), project.clone(), state.dispatcher());
                Callback::from(move |_| {
                    save(projects.clone(), project.clone(), true, import.clone())
                })
            };
            html! {
                <ConfirmDialog
                    title={format!("Replace the project {}?", project.id)}
                    body={format!("This browser already has a project with the id {}. Importing replaces it, with its local changes, by {} from the archive.", project.id, project.name)}
                    confirm_label="Replace"
                    on_confirm={replace}
                    on_cancel={Callback::from(state.dispatcher()).reform(|_| ImportAction::Cancel)}
                />
            }
        }
        _ => html! {},
    };
    html! {
        <section class="card import" aria-labelledby="import-title">
            <h2 id="import-title">{ "Import a project" }</h2>
            <p>{ format!("Choose a .zip of a project's repository layout, as exported from Test artifacts (at most {} MiB).", MAX_ARCHIVE_BYTES / (1024 * 1024)) }</p>
            <div class="field">
                <label for="import-file">{ "Project archive (.zip)" }</label>
                <input id="import-file" type="file" accept=".zip,application/zip" {onchange} />
            </div>
            <div aria-live="polite">{ status(&state) }</div>
            { confirm }
        </section>
    }
}
