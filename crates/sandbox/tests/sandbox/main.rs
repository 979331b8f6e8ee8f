//! Integration tests of the sandbox: the router in-process (plus one real socket) over real git.

mod cloud;
mod common;
mod concurrency;
mod contract;
mod datacenter;
mod deletes;
mod faults;
mod git;
mod hardening;
mod platform;
mod pull_requests;
mod startup;
#[cfg(feature = "tls")]
mod tls;
