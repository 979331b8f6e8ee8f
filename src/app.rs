//! The root component: router, shared contexts, the page frame.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::header::Header;
use crate::pages::artifacts::ArtifactsPage;
use crate::pages::{bitbucket::BitbucketPage, home::HomePage, integrations::IntegrationsPage};
use crate::pages::{not_found::NotFoundPage, project::ProjectPage};
use crate::route::Route;
use crate::state::connections::ConnectionsProvider;
use crate::state::projects::ProjectsProvider;
use crate::state::session::SessionProvider;

fn switch(route: Route) -> Html {
    match route {
        Route::Home => html! { <HomePage /> },
        Route::Project { id } => html! { <ProjectPage {id} /> },
        Route::Artifacts { id } => html! { <ArtifactsPage {id} /> },
        Route::Integrations { id } => html! { <IntegrationsPage {id} /> },
        Route::Bitbucket { id } => html! { <BitbucketPage {id} /> },
        Route::NotFound => html! { <NotFoundPage /> },
    }
}

/// The whole app.
#[component]
pub fn App() -> Html {
    html! {
        <BrowserRouter>
            <SessionProvider>
                <ProjectsProvider>
                    <ConnectionsProvider>
                        <a class="skip-link" href="#main">{ "Skip to content" }</a>
                        <Header />
                        <main id="main" class="page" tabindex="-1">
                            <Switch<Route> render={switch} />
                        </main>
                    </ConnectionsProvider>
                </ProjectsProvider>
            </SessionProvider>
        </BrowserRouter>
    }
}
