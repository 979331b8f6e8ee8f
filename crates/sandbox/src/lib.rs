//! A local Bitbucket-compatible HTTP server (Cloud 2.0 and Data Center REST subsets) backed by
//! real git repositories, with configurable users, tokens, permissions, branch restrictions,
//! CORS like the real services, fault injection and a request log.
//!
//! [`app`] builds the router apart from any socket so tests can call it in-process;
//! [`server::serve`] runs it on a TCP listener (with the `tls` feature, `server::serve_tls` runs
//! it over HTTPS with HTTP/2).

pub mod app;
pub mod auth;
pub mod authenticate;
pub mod body_limit;
pub mod call;
pub mod cloud;
pub mod config;
pub mod control;
pub mod cors;
pub mod datacenter;
pub mod errors;
pub mod fault_injection;
pub mod faults;
pub mod form;
pub mod git_http;
pub mod large_body;
pub mod links;
pub mod log;
pub mod pull_requests;
pub mod query;
pub mod request_log;
pub mod restrictions;
pub mod route;
pub mod server;
pub mod state;
pub mod static_files;
pub mod store;
pub mod time;
#[cfg(feature = "tls")]
pub mod tls;

pub use app::{api_routes, app};
pub use route::Route;
pub use state::{AppState, Options};
