//! Home: the projects the user can open.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::breadcrumb::{Breadcrumb, Crumb};
use crate::route::Route;
use crate::services::projects::list_projects;

/// The Home page with the **Projects** list.
#[component]
pub fn HomePage() -> Html {
    let projects = list_projects().into_iter().map(|project| {
        html! {
            <li class="card project-card">
                <h3><Link<Route> to={Route::Project { id: project.id.clone() }}>{ &project.name }</Link<Route>></h3>
                <p>{ &project.description }</p>
            </li>
        }
    });
    html! {
        <>
            <Breadcrumb crumbs={vec![Crumb::here("Home")]} />
            <h1>{ "Home" }</h1>
            <section aria-labelledby="projects-title">
                <h2 id="projects-title">{ "Projects" }</h2>
                <ul class="grid" role="list">{ for projects }</ul>
            </section>
        </>
    }
}
