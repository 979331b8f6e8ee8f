//! The root component: router, shared contexts, the page frame; built from props, so that the
//! standalone page and an embedding portal use the same app.

use yew::prelude::*;
use yew_router::history::{AnyHistory, MemoryHistory};
use yew_router::prelude::*;

use crate::components::header::Header;
use crate::components::not_found::NotFound;
#[cfg(feature = "explorer")]
use crate::pages::artifacts::ArtifactsPage;
#[cfg(not(feature = "explorer"))]
use crate::pages::explorer_loading::ExplorerLoadingPage;
use crate::pages::project::ProjectPage;
use crate::pages::{bitbucket::BitbucketPage, home::HomePage, integrations::IntegrationsPage};
use crate::route::Route;
use crate::services::explorer_build::ExplorerBuild;
use crate::services::portal_events::Events;
use crate::services::project_store::SharedStore;
use crate::state::connections::{Connections, ConnectionsProvider};
use crate::state::projects::ProjectsProvider;
use crate::state::session::{Session, SessionProvider};

fn switch(route: Route) -> Html {
    match route {
        Route::Home => html! { <HomePage /> },
        Route::Project { id } => html! { <ProjectPage {id} /> },
        #[cfg(feature = "explorer")]
        Route::Artifacts { id } => html! { <ArtifactsPage {id} /> },
        #[cfg(not(feature = "explorer"))]
        Route::Artifacts { id } => html! { <ExplorerLoadingPage {id} /> },
        Route::Integrations { id } => html! { <IntegrationsPage {id} /> },
        Route::Bitbucket { id } => html! { <BitbucketPage {id} /> },
        Route::NotFound => html! { <NotFound /> },
    }
}

/// How the app is set up: standalone (the defaults) or by an embedding portal.
#[derive(Properties, PartialEq, Clone, Default)]
pub struct AppProps {
    /// The signed-in user. An embedded app always has one (`mount` gives an unnamed user with the lowest role
    /// when the portal names none); standalone (`None`), the demo users.
    #[prop_or_default]
    pub user: Option<Session>,
    /// The view an embedded app starts on (a path such as `/projects/p1/integrations/versioning/bitbucket`);
    /// it then keeps its location in memory and never changes the page's URL. Standalone (`None`), the
    /// location is the page's URL.
    #[prop_or_default]
    pub start: Option<AttrValue>,
    /// Where the app's events go.
    #[prop_or_default]
    pub events: Events,
    /// The projects' store; standalone, the browser's IndexedDB.
    #[prop_or_default]
    pub projects: Option<SharedStore>,
    /// The connections' store; standalone, the browser's storage.
    #[prop_or_default]
    pub connections: Option<Connections>,
    /// The API base URL new connections start with (e.g. a portal's same-origin relay to Bitbucket).
    #[prop_or_default]
    pub api_base_url: Option<AttrValue>,
    /// The loader of the build with the explorer, which the first module runs in its place when the explorer
    /// is first opened (`bitbucket-versioning.js` gives it; the build with the explorer needs none).
    #[prop_or_default]
    pub explorer: Option<ExplorerBuild>,
}

/// The whole app.
#[component]
pub fn App(props: &AppProps) -> Html {
    let history = use_memo(props.start.clone(), |start| {
        start
            .as_ref()
            .map(|start| AnyHistory::from(MemoryHistory::with_entries([start.to_string()])))
    });
    let content = html! {
        <SessionProvider user={props.user.clone()}>
            <ContextProvider<Events> context={props.events.clone()}>
            <ContextProvider<Option<ExplorerBuild>> context={props.explorer.clone()}>
                <ProjectsProvider store={props.projects.clone()}>
                    <ConnectionsProvider store={props.connections.clone()} api_base_url={props.api_base_url.clone()}>
                        <a class="skip-link" href="#main">{ "Skip to content" }</a>
                        <Header />
                        <main id="main" class="page" tabindex="-1">
                            <Switch<Route> render={switch} />
                        </main>
                    </ConnectionsProvider>
                </ProjectsProvider>
            </ContextProvider<Option<ExplorerBuild>>>
            </ContextProvider<Events>>
        </SessionProvider>
    };
    match &*history {
        Some(history) => html! { <Router history={history.clone()}>{ content }</Router> },
        None => html! { <BrowserRouter>{ content }</BrowserRouter> },
    }
}
