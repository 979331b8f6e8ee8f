//! The Bitbucket client, without I/O: requests are described as data ([`ApiRequest`]), a transport executes
//! them (fetch in the browser, a fake in tests), and the answers ([`ApiResponse`]) are read back into plain
//! types or into an [`ApiError`] whose message says what to do.
//!
//! - [`cloud`] and [`datacenter`]: one function per operation, returning a [`Call`] (request + reader).
//! - [`paging`]: following `next` links and `nextPageStart` safely.
//! - [`connection_test`]: the checks run when a connection is created, as a state machine.
//! - [`error`]: the one place where HTTP failures become user messages.
//! - [`git_http`]: git's smart HTTP push to Data Center (`/scm`), as calls.

mod api;
mod auth;
pub mod cloud;
pub mod connection_test;
pub mod datacenter;
pub mod error;
pub mod git_http;
mod model;
pub mod multipart;
mod page;
pub mod paging;
pub mod pull_requests;
mod request;
mod shared;
mod timestamp;

pub use api::{encode_component, encode_file_path, Api, Call};
pub use auth::Credentials;
pub use connection_test::{
    permission_from_scopes, ConnectionTest, Step, StepReport, StepStatus, TestOutcome,
};
pub use error::{ApiError, BodyLimit, ErrorContext, Operation, TokenLimit};
pub use model::{
    Branch, BranchRestrictionSummary, CommitSummary, EntryKind, Identity, Permission,
    RepositoryInfo, RestrictionKind, TreeEntry,
};
pub use page::{NextPage, Page};
pub use paging::Pager;
pub use request::{
    ApiRequest, ApiResponse, BodyReader, BodyTooLarge, Method, MultipartPart, RawBody, RequestBody,
    AUTHORIZATION, MAX_RESPONSE_BYTES,
};
