//! Test artifacts: the explorer of a project.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::breadcrumb::{project_path, Breadcrumb, Crumb};
use crate::components::explorer::Explorer;
use crate::components::not_found::missing_project;
use crate::components::page_heading::PageHeading;
use crate::pages::project::ProjectPageProps;
use crate::route::Route;
use crate::state::connections::use_connections;
use crate::state::projects::use_project;

/// The Test artifacts page of a project: when the project has no Bitbucket connection, where to make one
/// (push and pull need it).
#[component]
pub fn ArtifactsPage(props: &ProjectPageProps) -> Html {
    let connected = use_connections().load(&props.id).is_some();
    let project = match use_project(&props.id) {
        Ok(project) => project,
        Err(missing) => return missing_project(&missing),
    };
    html! {
        <>
            <Breadcrumb crumbs={project_path(&project.name, &project.id, [
                Crumb::here("Test artifacts"),
            ])} />
            <PageHeading title="Test artifacts" context={project.name.clone()} />
            <p class="lead">{ format!("The test suites, scenarios, test cases and shared artifacts of {}.", project.name) }</p>
            if !connected {
                <p class="banner info">
                    { "Push and pull need a Bitbucket connection. " }
                    <Link<Route> to={Route::Bitbucket { id: project.id.clone() }}>{ "Set up the Bitbucket connection" }</Link<Route>>
                </p>
            }
            <Explorer id={props.id.clone()} />
        </>
    }
}
