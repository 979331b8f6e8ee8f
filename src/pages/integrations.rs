//! Manage Integration: the Versioning tab and its providers.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::breadcrumb::{project_path, Breadcrumb, Crumb};
use crate::components::not_found::missing_project;
use crate::components::page_heading::PageHeading;
use crate::pages::project::ProjectPageProps;
use crate::route::Route;
use crate::state::projects::use_project;

/// The integrations page, on its Versioning tab.
#[component]
pub fn IntegrationsPage(props: &ProjectPageProps) -> Html {
    let project = match use_project(&props.id) {
        Ok(project) => project,
        Err(missing) => return missing_project(&missing),
    };
    html! {
        <>
            <Breadcrumb crumbs={project_path(&project.name, &project.id, [
                Crumb::here("Manage Integration"),
            ])} />
            <PageHeading title="Manage Integration" context={project.name.clone()} />
            <div class="tabs" role="tablist" aria-label="Integration types">
                <button type="button" role="tab" id="tab-versioning" aria-selected="true"
                        aria-controls="panel-versioning" class="tab selected">{ "Versioning" }</button>
            </div>
            <section id="panel-versioning" role="tabpanel" aria-labelledby="tab-versioning" class="tab-panel">
                <h2>{ "Versioning" }</h2>
                <p>{ "Keep this project's test artifacts in a Git repository." }</p>
                <ul class="providers" role="list">
                    <li class="card provider">
                        <h3><Link<Route> to={Route::Bitbucket { id: project.id.clone() }}>{ "Bitbucket" }</Link<Route>></h3>
                        <p>{ "Bitbucket Cloud or Bitbucket Data Center." }</p>
                    </li>
                </ul>
            </section>
        </>
    }
}
