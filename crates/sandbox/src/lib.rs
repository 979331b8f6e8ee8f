//! A local Bitbucket-compatible HTTP server (Cloud 2.0 and Data Center REST subsets) backed by
//! real git repositories, with configurable users, tokens, permissions, branch restrictions,
//! CORS like the real services, fault injection and a request log.
//!
//! [`app`] builds the router apart from any socket so tests can call it in-process;
//! [`server::serve`] runs it on a TCP listener (with the `tls` feature, `server::serve_tls` runs
//! it over HTTPS with HTTP/2).

pub mod auth;
pub mod body_limit;
pub mod call;
pub mod cloud;
pub mod config;
pub mod control;
pub mod cors;
pub mod datacenter;
pub mod errors;
pub mod faults;
pub mod form;
pub mod git_http;
pub mod links;
pub mod log;
pub mod pull_requests;
pub mod query;
pub mod restrictions;
pub mod server;
pub mod state;
pub mod static_files;
pub mod store;
pub mod time;
#[cfg(feature = "tls")]
pub mod tls;

use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::MethodRouter;
use axum::Router;

pub use state::{AppState, Options};

/// One API route: its path template (axum syntax), the methods it answers and its handlers.
pub struct Route {
    /// Path template, e.g. `/2.0/repositories/{workspace}/{repo_slug}`.
    pub path: String,
    /// HTTP methods served.
    pub methods: &'static [&'static str],
    handler: MethodRouter<AppState>,
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

/// Every API route the sandbox serves (Cloud then Data Center), as (method, path template).
pub fn api_routes() -> Vec<(&'static str, String)> {
    cloud::table()
        .into_iter()
        .chain(datacenter::table())
        .flat_map(|r| {
            r.methods
                .iter()
                .map(move |m| (*m, r.path.clone()))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn router(routes: Vec<Route>) -> Router<AppState> {
    routes
        .into_iter()
        .fold(Router::new(), |router, r| router.route(&r.path, r.handler))
}

/// The whole HTTP application: API routes, control endpoint, static app, and the middleware
/// stack (outermost first: request log → CORS → faults → body limit → XSRF → authentication).
pub fn app(state: AppState) -> Router {
    let api = router(cloud::table())
        .merge(router(datacenter::table()))
        .layer(from_fn_with_state(state.clone(), auth::authenticate))
        .layer(from_fn(datacenter::xsrf))
        .layer(from_fn_with_state(state.clone(), body_limit::limit_body))
        .layer(DefaultBodyLimit::disable());
    Router::new()
        .merge(api)
        .merge(control::routes())
        .fallback(static_files::fallback)
        .layer(from_fn_with_state(state.clone(), faults::inject_faults))
        .layer(from_fn(cors::cors))
        .layer(from_fn_with_state(state.clone(), log::log_requests))
        .with_state(state)
}
