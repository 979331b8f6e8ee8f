//! A project's page, with its Settings card.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::breadcrumb::{Breadcrumb, Crumb};
use crate::pages::not_found::NotFoundPage;
use crate::route::Route;
use crate::services::projects::find_project;

/// Props of the project pages.
#[derive(Properties, PartialEq)]
pub struct ProjectPageProps {
    /// Project id from the URL.
    pub id: AttrValue,
}

/// The project page.
#[component]
pub fn ProjectPage(props: &ProjectPageProps) -> Html {
    let Some(project) = find_project(&props.id) else {
        return html! { <NotFoundPage /> };
    };
    html! {
        <>
            <Breadcrumb crumbs={vec![Crumb::link("Home", Route::Home), Crumb::here(project.name.clone())]} />
            <h1>{ &project.name }</h1>
            <p class="lead">{ &project.description }</p>
            <div class="grid">
                <section class="card" aria-labelledby="settings-title">
                    <h2 id="settings-title">{ "Settings" }</h2>
                    <p>{ "Connect this project to the tools your team uses." }</p>
                    <Link<Route> to={Route::Integrations { id: project.id.clone() }} classes="button primary">
                        { "Manage Integration" }
                    </Link<Route>>
                </section>
            </div>
        </>
    }
}
