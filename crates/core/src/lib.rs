//! Shared, I/O-free logic of Bitbucket Versioning: the domain model, validation of the connection form,
//! repository-URL parsing, test artifacts and their repository layout, and Bitbucket requests and responses
//! as plain data. It runs in the browser (compiled to WebAssembly) and on a portal's back end alike.

pub mod artifacts;
pub mod bitbucket;
pub mod branch_pattern;
pub mod connection;
pub mod counts;
pub mod git;
pub mod names;
pub mod repo_url;
pub mod roles;
pub mod secrets;
pub mod sync;

pub use connection::{AuthMode, ConnectionForm, Field, ValidConnection, ValidationReport};
pub use repo_url::{parse_repository_url, Flavour, RepositoryLocation, RepositoryUrlError};
