//! Test artifacts: the explorer of a project.

use yew::prelude::*;

use crate::components::breadcrumb::{project_path, Breadcrumb, Crumb};
use crate::components::explorer::Explorer;
use crate::components::page_heading::PageHeading;
use crate::pages::project::ProjectPageProps;
use crate::state::projects::use_project;

/// The Test artifacts page of a project.
#[component]
pub fn ArtifactsPage(props: &ProjectPageProps) -> Html {
    let project = match use_project(&props.id) {
        Ok(project) => project,
        Err(placeholder) => return placeholder,
    };
    html! {
        <>
            <Breadcrumb crumbs={project_path(&project.name, &project.id, [
                Crumb::here("Test artifacts"),
            ])} />
            <PageHeading title="Test artifacts" context={project.name.clone()} />
            <p class="lead">{ format!("The test suites, scenarios, test cases and shared artifacts of {}.", project.name) }</p>
            <Explorer id={props.id.clone()} />
        </>
    }
}
