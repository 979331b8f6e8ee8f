//! Why a call to Bitbucket failed: the kinds of error and what each one keeps.

use serde::Serialize;

use crate::connection::AuthMode;
use crate::repo_url::Flavour;

/// What an access token cannot do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenLimit {
    /// Data Center project/repository tokens cannot commit (a commit needs a user).
    CommitFiles,
    /// Cloud repository/project/workspace access tokens cannot query permissions.
    ReadPermissions,
    /// Cloud repository/project/workspace access tokens have no account: `GET /user` answers "This API is
    /// not accessible by this authentication mechanism" (403, recorded by some clients as 401).
    ReadAccount,
}

/// Who refused a request body as too large (HTTP 413), which names the setting to change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyLimit {
    /// Data Center itself (its error shape): its upload limit, `content.upload.max.size`.
    DataCenterUpload,
    /// What stands in front of Data Center (an answer not in Data Center's shape, such as nginx's HTML
    /// page): the relay's `client_max_body_size`.
    DataCenterRelay,
    /// Bitbucket Cloud or a proxy in front of it: the commit is too large.
    Cloud,
}

/// The text Bitbucket Cloud answers on `GET /user` to credentials that have no account (access tokens).
pub const NOT_ACCESSIBLE_BY_MECHANISM: &str = "not accessible by this authentication mechanism";

/// Why a call to Bitbucket failed. `Display` is the message for the user, which says what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ApiError {
    /// 401: the credentials were not accepted.
    InvalidCredentials {
        /// Cloud or Data Center.
        flavour: Flavour,
        /// How the token was sent.
        auth: AuthMode,
        /// Whether the user name is an email address.
        username_is_email: bool,
    },
    /// 403: a Cloud API token that carries no scopes at all.
    TokenWithoutScopes,
    /// 403: the token lacks scopes the operation needs.
    MissingScope {
        /// The scopes Bitbucket asked for.
        needed: Vec<String>,
        /// The scopes the token has, when Bitbucket said.
        granted: Option<Vec<String>>,
    },
    /// 403 (or Data Center 401 "not permitted"): authenticated, but Bitbucket refused; its reason is kept.
    Forbidden {
        /// Bitbucket's own message, scrubbed.
        message: Option<String>,
    },
    /// 403: an access token that cannot do this kind of request at all.
    ResourceTokenCannot {
        /// What the token cannot do.
        limit: TokenLimit,
    },
    /// 404: the thing does not exist, or the credentials cannot see it.
    NotFound {
        /// What was asked for, e.g. "The repository `acme/tests`".
        what: String,
        /// Bitbucket's own message, scrubbed.
        message: Option<String>,
    },
    /// 409 (and Data Center "already exists"): the branch or file moved on, exists already, or is unchanged.
    Conflict {
        /// Bitbucket's own message, scrubbed.
        message: Option<String>,
    },
    /// Data Center's file editor is turned off (`feature.file.editor=false`): its REST file edit, which
    /// every Data Center push writes with, is refused (a `FeatureDisabledException`, whatever the status).
    FileEditingOff,
    /// 413: the request's body is larger than what refused it accepts.
    BodyTooLarge {
        /// What was sent, e.g. "The file `t/a.json` on `main`".
        what: String,
        /// Who refused it.
        limit: BodyLimit,
    },
    /// 400 or 409 on opening a pull request: one is open for the same branches, there is nothing to merge,
    /// a reviewer is unknown; Bitbucket's words.
    PullRequestRefused {
        /// Bitbucket's own message, scrubbed.
        message: Option<String>,
    },
    /// 400: Bitbucket rejected the request as invalid.
    BadRequest {
        /// Bitbucket's own message, scrubbed.
        message: Option<String>,
    },
    /// 429: too many requests.
    RateLimited {
        /// Cloud or Data Center (the limits differ).
        flavour: Flavour,
        /// Seconds to wait, when the `Retry-After` header was readable.
        retry_after: Option<u64>,
    },
    /// Bitbucket Cloud's hourly request allowance is used up (its 429 without `Retry-After`), or would
    /// be by a job estimated before it starts (see [`crate::sync::HourlyAllowance`]). Waiting seconds
    /// does not help: requests leave the rolling hour only an hour after they were sent.
    HourlyLimit {
        /// The requests the job still needs, when it was refused before sending them.
        needed: Option<usize>,
        /// The requests left of the hour, as this client counts them.
        left: usize,
        /// Seconds until enough requests leave the hour, when this client knows.
        retry_in_secs: Option<u64>,
    },
    /// 5xx, including Cloud's 555 "took too long".
    Server {
        /// The HTTP status.
        status: u16,
    },
    /// Data Center's "XSRF check failed": a browser's `POST` whose `Origin` and `Referer` are not Data
    /// Center's own origin (what a relay must change), or a form without `X-Atlassian-Token: no-check`.
    XsrfRejected,
    /// The request did not complete: unreachable, blocked, or refused by CORS (the browser cannot tell).
    Network {
        /// Cloud or Data Center.
        flavour: Flavour,
        /// Whether the API is on another origin than the app (so CORS may be the cause).
        cross_origin: bool,
    },
    /// No answer in time.
    Timeout,
    /// The user cancelled the operation before Bitbucket answered.
    Cancelled,
    /// An answer that is not what the API sends (HTML from a proxy, unreadable JSON, a stray status).
    UnexpectedResponse {
        /// The HTTP status.
        status: u16,
        /// The start of the body, scrubbed.
        excerpt: String,
    },
    /// Bitbucket (or a proxy in front of it) answered with a redirect; not followed, so the token stays put.
    Redirected,
    /// A "next page" link that leaves the configured API origin; not followed, so the token stays put.
    CrossOriginLink {
        /// The origin the link pointed to.
        origin: String,
    },
    /// The answer's body was larger than the request allows, and was not read (see
    /// [`super::ApiRequest::max_response_bytes`]).
    TooLarge {
        /// What was asked for, e.g. "The file `t/a.json` at `1a2b3c4`".
        what: String,
        /// The limit, in bytes.
        limit: u64,
        /// The size Bitbucket announced, when it did.
        size: Option<u64>,
    },
    /// The browser refused a header of the request (a value with a character it cannot send, such as an
    /// invisible one in a token); nothing was sent.
    UnsendableHeader {
        /// The header's name; never its value, which may be the token.
        name: String,
    },
}
