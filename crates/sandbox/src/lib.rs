//! A local Bitbucket-compatible HTTP server (Cloud 2.0 and Data Center REST subsets) backed by
//! real git repositories, with configurable users, tokens, permissions, branch restrictions,
//! CORS like the real services, fault injection and a request log.
//!
//! [`app`] builds the router apart from any socket so tests can call it in-process;
//! [`server::serve`] runs it on a TCP listener.

pub mod auth;
pub mod cloud;
pub mod config;
pub mod control;
pub mod cors;
pub mod datacenter;
pub mod errors;
pub mod faults;
pub mod form;
pub mod links;
pub mod log;
pub mod query;
pub mod restrictions;
pub mod server;
pub mod state;
pub mod static_files;
pub mod store;
pub mod time;

use axum::middleware::from_fn_with_state;
use axum::Router;

pub use state::{AppState, Options};

/// The whole HTTP application: API routes, control endpoint, static app, and the middleware
/// stack (outermost first: request log → CORS → faults → XSRF → authentication).
pub fn app(state: AppState) -> Router {
    let api = cloud::routes()
        .merge(datacenter::routes())
        .layer(from_fn_with_state(state.clone(), auth::authenticate))
        .layer(from_fn_with_state(state.clone(), datacenter::xsrf));
    Router::new()
        .merge(api)
        .merge(control::routes())
        .fallback(static_files::fallback)
        .layer(from_fn_with_state(state.clone(), faults::inject_faults))
        .layer(from_fn_with_state(state.clone(), cors::cors))
        .layer(from_fn_with_state(state.clone(), log::log_requests))
        .with_state(state)
}
