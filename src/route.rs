//! The app's routes: real URLs, so reload and back/forward work.

// yew-router's derive reads a route's parameters from the address into a HashMap: the app's own URL, never
// a remote answer.
#![allow(clippy::disallowed_types)]

use yew_router::prelude::*;

/// Every page of the app.
#[derive(Clone, Routable, PartialEq, Eq, Debug)]
pub enum Route {
    /// Home, with the projects list.
    #[at("/")]
    Home,
    /// One project, with its Settings card.
    #[at("/projects/:id")]
    Project {
        /// Project id.
        id: String,
    },
    /// The project's test artifacts: the explorer and the test-case editor.
    #[at("/projects/:id/artifacts")]
    Artifacts {
        /// Project id.
        id: String,
    },
    /// Manage Integration, Versioning tab (the only tab so far).
    #[at("/projects/:id/integrations")]
    Integrations {
        /// Project id.
        id: String,
    },
    /// The Bitbucket connection of a project.
    #[at("/projects/:id/integrations/versioning/bitbucket")]
    Bitbucket {
        /// Project id.
        id: String,
    },
    /// Anything else.
    #[not_found]
    #[at("/not-found")]
    NotFound,
}
