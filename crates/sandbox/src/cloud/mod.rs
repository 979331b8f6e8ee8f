//! Bitbucket Cloud REST 2.0 subset under `/2.0`.

mod context;
mod diff;
mod json;
mod pullrequests;
mod refs;
mod routes;
mod src;
mod user;

pub use context::READ;
pub use json::account;
pub use routes::table;
