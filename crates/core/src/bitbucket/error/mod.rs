//! The one place where an HTTP answer (status, headers, body) becomes an [`ApiError`] with a message that
//! says what to do.
//!
//! Bitbucket's own refusals (branch permissions, hooks, validation) are passed through with Bitbucket's
//! words: Bitbucket stays the final authority and its reasons are explained, never hidden. Error texts taken
//! from a response are shortened and scrubbed of the token before they are kept.

mod api_error;
mod body;
mod context;
mod message;
mod status;

pub use api_error::{ApiError, BodyLimit, TokenLimit, NOT_ACCESSIBLE_BY_MECHANISM};
pub use context::{ErrorContext, Operation};
