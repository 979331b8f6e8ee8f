//! Bitbucket Versioning: the browser app (Yew, compiled to WebAssembly).
//!
//! The app renders pages and performs I/O; every rule (validation, URL parsing, Bitbucket requests and
//! errors) lives in `versioning-core`.

pub mod app;
pub mod components;
pub mod embed;
#[cfg(feature = "benchmark-strategies")]
pub mod heap_meter;
pub mod pages;
pub mod route;
pub mod services;
pub mod state;
