//! The page for unknown addresses and unknown projects.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::page_heading::PageHeading;
use crate::route::Route;

/// "Page not found", with a way back.
#[component]
pub fn NotFoundPage() -> Html {
    html! {
        <section class="card">
            <PageHeading title="Page not found" />
            <p>{ "This address does not lead to a page or a project. " }
               <Link<Route> to={Route::Home}>{ "Go to Home" }</Link<Route>></p>
        </section>
    }
}
