//! Bitbucket Data Center REST subset under `/rest` (`api/latest` and `api/1.0`, branch utilities,
//! branch permissions, and `git/latest` for deleting tags).

mod archive;
mod compare;
mod content;
mod context;
mod edit;
mod json;
mod pull_requests;
mod repos;
mod routes;
mod xsrf;

pub use routes::table;
pub use xsrf::xsrf;
