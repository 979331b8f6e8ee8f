//! What a call was doing when it failed, which the error's message explains it by.

use std::fmt;

use serde::Serialize;

use crate::connection::AuthMode;
use crate::repo_url::Flavour;

/// Longest text taken over from a response into a message.
const EXCERPT_CHARS: usize = 300;

/// The operations whose refusals need a specific explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// Reading who the credentials belong to, or the server's properties.
    Identity,
    /// Reading the repository, its branches or files.
    Read,
    /// Asking for the caller's permission on the repository.
    Permission,
    /// Reading branch restrictions / branch permissions (admin only).
    BranchRestrictions,
    /// Creating a branch.
    CreateBranch,
    /// Committing files (Cloud `POST /src`, Data Center `PUT /browse`).
    CommitFiles,
    /// Creating a tag.
    CreateTag,
    /// Opening a pull request.
    OpenPullRequest,
}

/// What a request was about, so that its failure can be explained.
#[derive(Clone, PartialEq, Eq)]
pub struct ErrorContext {
    /// Cloud or Data Center.
    pub flavour: Flavour,
    /// How the token was sent.
    pub auth: AuthMode,
    /// Whether the user name is an email address (what Cloud API tokens need).
    pub username_is_email: bool,
    /// The operation.
    pub operation: Operation,
    /// The thing asked for, for "not found" messages (e.g. "The repository `acme/tests`").
    pub subject: String,
    secrets: Vec<String>,
}

impl ErrorContext {
    /// A context; `secrets` are texts (the token and its encodings) scrubbed from every excerpt.
    pub(crate) fn new(
        flavour: Flavour,
        auth: AuthMode,
        username_is_email: bool,
        operation: Operation,
        subject: String,
        secrets: Vec<String>,
    ) -> Self {
        ErrorContext {
            flavour,
            auth,
            username_is_email,
            operation,
            subject,
            secrets,
        }
    }

    /// `text` shortened and with every secret replaced.
    pub(super) fn scrub(&self, text: &str) -> String {
        let clean = crate::secrets::scrub(text.trim(), &self.secrets);
        match clean.char_indices().nth(EXCERPT_CHARS) {
            Some((cut, _)) => format!("{}…", &clean[..cut]),
            None => clean,
        }
    }
}

impl fmt::Debug for ErrorContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ErrorContext")
            .field("flavour", &self.flavour)
            .field("auth", &self.auth)
            .field("operation", &self.operation)
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}
