//! What unknown addresses and unknown projects show, and what a page shows while its project is not there.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::page_heading::PageHeading;
use crate::components::status::{error_banner, loading_status};
use crate::route::Route;
use crate::state::projects::MissingProject;

/// "Page not found", with a way back.
#[component]
pub fn NotFound() -> Html {
    html! {
        <section class="card">
            <PageHeading title="Page not found" />
            <p>{ "This address does not lead to a page or a project. " }
               <Link<Route> to={Route::Home}>{ "Go to Home" }</Link<Route>></p>
        </section>
    }
}

/// What a page shows instead of its project: loading, the store's failure, or "Page not found".
pub fn missing_project(missing: &MissingProject) -> Html {
    match missing {
        MissingProject::Loading => loading_status("project"),
        MissingProject::Failed(error) => error_banner(&error.to_string()),
        MissingProject::NotFound => html! { <NotFound /> },
    }
}
