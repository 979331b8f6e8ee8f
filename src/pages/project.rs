//! A project's page, with its Test artifacts and Settings cards.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::breadcrumb::{Breadcrumb, Crumb};
use crate::components::not_found::missing_project;
use crate::components::page_heading::PageHeading;
use crate::route::Route;
use crate::state::projects::use_project;

/// Props of the project pages.
#[derive(Properties, PartialEq)]
pub struct ProjectPageProps {
    /// Project id from the URL.
    pub id: AttrValue,
}

/// The project page.
#[component]
pub fn ProjectPage(props: &ProjectPageProps) -> Html {
    let project = match use_project(&props.id) {
        Ok(project) => project,
        Err(missing) => return missing_project(&missing),
    };
    html! {
        <>
            <Breadcrumb crumbs={vec![Crumb::link("Home", Route::Home), Crumb::here(project.name.clone())]} />
            <PageHeading title={project.name.clone()} />
            <p class="lead">{ &project.description }</p>
            <div class="grid">
                <section class="card" aria-labelledby="artifacts-title">
                    <h2 id="artifacts-title">{ "Test artifacts" }</h2>
                    <p>{ format!("{} test cases in {} test suites, with their element repositories, data tables and execution lists.", project.test_cases, project.suites) }</p>
                    <Link<Route> to={Route::Artifacts { id: project.id.clone() }} classes="button subtle">
                        { "Open test artifacts" }
                    </Link<Route>>
                </section>
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
