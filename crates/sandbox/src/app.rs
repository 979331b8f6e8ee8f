//! The sandbox's router: every API route behind authentication, the XSRF filter and body limits, the
//! control routes and the static files, with fault injection, CORS and the request log around them all.

use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::Router;

use crate::route::Route;
use crate::state::AppState;
use crate::{
    authenticate, body_limit, cloud, control, cors, datacenter, fault_injection, request_log,
    static_files,
};

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
        .layer(from_fn_with_state(
            state.clone(),
            authenticate::authenticate,
        ))
        .layer(from_fn(datacenter::xsrf))
        .layer(from_fn_with_state(state.clone(), body_limit::limit_body))
        .layer(DefaultBodyLimit::disable());
    Router::new()
        .merge(api)
        .merge(control::routes())
        .fallback(static_files::fallback)
        .layer(from_fn_with_state(
            state.clone(),
            fault_injection::inject_faults,
        ))
        .layer(from_fn(cors::cors))
        .layer(from_fn_with_state(state.clone(), request_log::log_requests))
        .with_state(state)
}
