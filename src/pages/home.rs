//! Home: the projects the user can open.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::breadcrumb::{Breadcrumb, Crumb};
use crate::components::page_heading::PageHeading;
use crate::components::project_import::ProjectImport;
use crate::components::status::{error_banner, loading_status};
use crate::route::Route;
use crate::state::projects::{use_projects, ProjectList};

/// Shown instead of the list when the browser removed the stored projects (the store is empty but held some).
pub const REMOVED_MESSAGE: &str =
    "This browser removed the stored projects (storage was cleared or evicted). \
Import them from exported .zip files, or start again with the demo projects.";

/// The Home page with the **Projects** list.
#[component]
pub fn HomePage() -> Html {
    let projects = use_projects();
    let list = match &*projects.list {
        ProjectList::Loading => loading_status("projects"),
        ProjectList::Failed(error) => error_banner(&error.to_string()),
        ProjectList::Removed => {
            let seed = {
                let projects = projects.clone();
                Callback::from(move |_: MouseEvent| projects.seed_demos())
            };
            html! {
                <div class="banner error" role="alert">
                    <p>{ REMOVED_MESSAGE }</p>
                    <button type="button" class="button primary" onclick={seed}>{ "Start again with the demo projects" }</button>
                </div>
            }
        }
        ProjectList::Ready(list) => {
            let cards = list.iter().map(|project| {
                html! {
                    <li class="card project-card">
                        <h3><Link<Route> to={Route::Project { id: project.id.clone() }}>{ &project.name }</Link<Route>></h3>
                        <p>{ &project.description }</p>
                    </li>
                }
            });
            html! { <ul class="grid" role="list">{ for cards }</ul> }
        }
    };
    html! {
        <>
            <Breadcrumb crumbs={vec![Crumb::here("Home")]} />
            <PageHeading title="Home" />
            <section aria-labelledby="projects-title">
                <h2 id="projects-title">{ "Projects" }</h2>
                { list }
            </section>
            <ProjectImport />
        </>
    }
}
