//! An API route: its path template, the methods it answers and its handlers.

use axum::routing::MethodRouter;

use crate::state::AppState;

/// One API route: its path template (axum syntax), the methods it answers and its handlers.
pub struct Route {
    /// Path template, e.g. `/2.0/repositories/{workspace}/{repo_slug}`.
    pub path: String,
    /// HTTP methods served.
    pub methods: &'static [&'static str],
    /// The handlers, by method.
    pub(crate) handler: MethodRouter<AppState>,
}

impl Route {
    /// A route.
    pub fn new(
        path: impl Into<String>,
        methods: &'static [&'static str],
        handler: MethodRouter<AppState>,
    ) -> Route {
        Route {
            path: path.into(),
            methods,
            handler,
        }
    }
}
