//! The one place where an HTTP answer (status, headers, body) becomes an [`ApiError`] with a message that
//! says what to do.
//!
//! Bitbucket's own refusals (branch permissions, hooks, validation) are passed through with Bitbucket's
//! words: Bitbucket stays the final authority and its reasons are explained, never hidden. Error texts taken
//! from a response are shortened and scrubbed of the token before they are kept.

use std::fmt;

use serde::Serialize;
use serde_json::Value;

use super::request::{ApiResponse, AUTHORIZATION};
use crate::connection::AuthMode;
use crate::counts::byte_size;
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
    fn scrub(&self, text: &str) -> String {
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

impl ApiError {
    /// Maps a response that is not a success, or whose body was too large to read, to an error.
    pub fn from_response(response: &ApiResponse, context: &ErrorContext) -> ApiError {
        if let Some(refused) = response.too_large {
            return ApiError::TooLarge {
                what: context.subject.clone(),
                limit: refused.limit,
                size: refused.size,
            };
        }
        let body = ErrorBody::parse(&response.body, context);
        let edit =
            (context.flavour, context.operation) == (Flavour::DataCenter, Operation::CommitFiles);
        if edit && body.has_exception("FeatureDisabledException") {
            return ApiError::FileEditingOff;
        }
        if context.operation == Operation::OpenPullRequest && matches!(response.status, 400 | 409) {
            return ApiError::PullRequestRefused {
                message: body.message,
            };
        }
        match response.status {
            400 if body.has_exception("DuplicateRefException") => ApiError::Conflict {
                message: body.message,
            },
            400 => ApiError::BadRequest {
                message: body.message,
            },
            401 => unauthorised(body, context),
            403 => forbidden(body, context),
            404 => ApiError::NotFound {
                what: context.subject.clone(),
                message: body.message,
            },
            409 => ApiError::Conflict {
                message: body.message,
            },
            413 => ApiError::BodyTooLarge {
                what: context.subject.clone(),
                limit: match (context.flavour, body.product_shaped) {
                    (Flavour::Cloud, _) => BodyLimit::Cloud,
                    (Flavour::DataCenter, true) => BodyLimit::DataCenterUpload,
                    (Flavour::DataCenter, false) => BodyLimit::DataCenterRelay,
                },
            },
            429 => match (
                context.flavour,
                response
                    .header("Retry-After")
                    .and_then(|v| v.trim().parse().ok()),
            ) {
                (Flavour::Cloud, None) => ApiError::HourlyLimit {
                    needed: None,
                    left: 0,
                    retry_in_secs: None,
                },
                (flavour, retry_after) => ApiError::RateLimited {
                    flavour,
                    retry_after,
                },
            },
            500..=599 => ApiError::Server {
                status: response.status,
            },
            _ => ApiError::unexpected(response, context),
        }
    }

    /// A successful status whose body cannot be read as expected (or any status we do not handle).
    pub fn unexpected(response: &ApiResponse, context: &ErrorContext) -> ApiError {
        ApiError::UnexpectedResponse {
            status: response.status,
            excerpt: context.scrub(&String::from_utf8_lossy(&response.body)),
        }
    }

    /// The error for a fetch that failed without any HTTP answer. Browsers report CORS refusals and an
    /// unreachable server the same way, so `is_cross_origin` (the API is on another origin than the app)
    /// decides whether CORS is named as a possible cause.
    pub fn from_fetch_failure(flavour: Flavour, is_cross_origin: bool) -> ApiError {
        ApiError::Network {
            flavour,
            cross_origin: is_cross_origin,
        }
    }
}

fn unauthorised(body: ErrorBody, context: &ErrorContext) -> ApiError {
    if context.flavour == Flavour::Cloud && body.text.contains(NOT_ACCESSIBLE_BY_MECHANISM) {
        return ApiError::ResourceTokenCannot {
            limit: TokenLimit::ReadAccount,
        };
    }
    let authenticated_but_refused = body.has_exception("AuthorisationException")
        || body.has_exception("NoAccessAuthenticationException");
    if context.flavour == Flavour::DataCenter && authenticated_but_refused {
        return ApiError::Forbidden {
            message: body.message,
        };
    }
    ApiError::InvalidCredentials {
        flavour: context.flavour,
        auth: context.auth,
        username_is_email: context.username_is_email,
    }
}

fn forbidden(body: ErrorBody, context: &ErrorContext) -> ApiError {
    if body.text.contains("XSRF check failed") {
        return ApiError::XsrfRejected;
    }
    if context.flavour == Flavour::Cloud && body.text.contains(NOT_ACCESSIBLE_BY_MECHANISM) {
        return ApiError::ResourceTokenCannot {
            limit: TokenLimit::ReadAccount,
        };
    }
    if !body.required_scopes.is_empty() {
        return match body.granted_scopes {
            Some(granted) if granted.is_empty() => ApiError::TokenWithoutScopes,
            granted => ApiError::MissingScope {
                needed: body.required_scopes,
                granted,
            },
        };
    }
    match (context.flavour, context.operation, context.auth) {
        (Flavour::DataCenter, Operation::CommitFiles, _)
            if body.text.to_ascii_lowercase().contains("access token") =>
        {
            ApiError::ResourceTokenCannot {
                limit: TokenLimit::CommitFiles,
            }
        }
        (Flavour::Cloud, Operation::Permission, AuthMode::Bearer) => {
            ApiError::ResourceTokenCannot {
                limit: TokenLimit::ReadPermissions,
            }
        }
        _ => ApiError::Forbidden {
            message: body.message,
        },
    }
}

/// What can be read from an error body of either product (or from plain text).
struct ErrorBody {
    /// Bitbucket's message(s), joined and scrubbed.
    message: Option<String>,
    /// Data Center exception class names.
    exceptions: Vec<String>,
    /// Cloud `error.detail.required`.
    required_scopes: Vec<String>,
    /// Cloud `error.detail.granted`, when present.
    granted_scopes: Option<Vec<String>>,
    /// The whole body as text, for markers like "XSRF check failed".
    text: String,
    /// The body is in the product's error shape (Cloud's `error`, Data Center's `errors`), not a
    /// proxy's page.
    product_shaped: bool,
}

impl ErrorBody {
    fn parse(bytes: &[u8], context: &ErrorContext) -> ErrorBody {
        let text = String::from_utf8_lossy(bytes).into_owned();
        let mut body = ErrorBody {
            message: None,
            exceptions: Vec::new(),
            required_scopes: Vec::new(),
            granted_scopes: None,
            text,
            product_shaped: false,
        };
        let parts = match serde_json::from_slice::<Value>(bytes) {
            Ok(json) => body.read_json(&json),
            Err(_) => plain_text(&body.text).into_iter().collect(),
        };
        let joined = parts
            .iter()
            .map(|part| part.trim())
            .filter(|part| !part.is_empty())
            .map(sentence)
            .collect::<Vec<_>>()
            .join(" ");
        body.message = Some(context.scrub(&joined)).filter(|m| !m.is_empty());
        body
    }

    /// Reads Cloud's `{"type":"error","error":{…}}` and Data Center's `{"errors":[…]}`; returns the messages.
    fn read_json(&mut self, json: &Value) -> Vec<String> {
        let mut parts = Vec::new();
        self.product_shaped = json.get("error").is_some() || json.get("errors").is_some();
        if let Some(error) = json.get("error") {
            parts.extend(str_at(error, "message"));
            match error.get("detail") {
                Some(Value::String(detail)) => parts.push(detail.clone()),
                Some(detail @ Value::Object(_)) => {
                    self.required_scopes = strings_at(detail, "required").unwrap_or_default();
                    self.granted_scopes = strings_at(detail, "granted");
                }
                _ => {}
            }
            if let Some(Value::Object(fields)) = error.get("fields") {
                for (field, problems) in fields {
                    let problems: Vec<&str> = match problems {
                        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
                        other => other.as_str().into_iter().collect(),
                    };
                    parts.push(format!("{field}: {}", problems.join(" ")));
                }
            }
        }
        for entry in json
            .get("errors")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            parts.extend(str_at(entry, "message"));
            self.exceptions.extend(str_at(entry, "exceptionName"));
            for veto in entry
                .get("vetoes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                parts.extend(
                    str_at(veto, "detailedMessage").or_else(|| str_at(veto, "summaryMessage")),
                );
            }
        }
        parts
    }

    fn has_exception(&self, name: &str) -> bool {
        self.exceptions.iter().any(|e| e.ends_with(name))
    }
}

/// A short plain-text body (not an HTML page) is a message in itself.
fn plain_text(text: &str) -> Option<String> {
    let trimmed = text.trim();
    let looks_like_markup = trimmed.starts_with('<');
    (!trimmed.is_empty() && !looks_like_markup).then(|| trimmed.to_owned())
}

fn str_at(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn strings_at(value: &Value, key: &str) -> Option<Vec<String>> {
    let items = value.get(key)?.as_array()?;
    Some(
        items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
    )
}

/// `part` ending in punctuation, so that parts read as sentences when joined.
fn sentence(part: &str) -> String {
    if part.ends_with(['.', '!', '?', ':']) {
        part.to_owned()
    } else {
        format!("{part}.")
    }
}

/// `text` with its first letter in lower case, for a subject ("The file `a`") inside a sentence.
fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `message` without a final full stop, for use inside a sentence.
fn quoted(message: &str) -> &str {
    message.trim_end_matches('.')
}

fn wait_time(seconds: u64) -> String {
    match seconds {
        0..=1 => "a second".to_owned(),
        2..=59 => format!("{seconds} seconds"),
        _ => {
            let minutes = seconds.div_ceil(60);
            if minutes == 1 {
                "a minute".to_owned()
            } else {
                format!("{minutes} minutes")
            }
        }
    }
}

const SCOPES_HINT: &str =
    "read:user:bitbucket, read:repository:bitbucket and write:repository:bitbucket";

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::InvalidCredentials {
                flavour,
                auth,
                username_is_email,
            } => invalid_credentials(f, *flavour, *auth, *username_is_email),
            ApiError::TokenWithoutScopes => write!(
                f,
                "The API token has no Bitbucket scopes. Create a new one with \u{201c}Create API token with \
                 scopes\u{201d} (app Bitbucket) with at least {SCOPES_HINT}."
            ),
            ApiError::MissingScope { needed, granted } => {
                let needed = needed.join(", ");
                write!(f, "The token lacks a permission (scope) this needs: {needed}.")?;
                if let Some(granted) = granted.as_ref().filter(|g| !g.is_empty()) {
                    write!(f, " It has: {}.", granted.join(", "))?;
                }
                write!(
                    f,
                    " Scopes cannot be added to an existing token: create a new token whose scopes include \
                     {needed}."
                )
            }
            ApiError::Forbidden { message } => {
                match message {
                    Some(message) => write!(f, "Bitbucket refused: {}.", quoted(message))?,
                    None => f.write_str("Bitbucket refused this request.")?,
                }
                f.write_str(
                    " The account or token lacks the permission for it, or a branch permission or \
                     workspace policy forbids it; a repository admin can tell which.",
                )
            }
            ApiError::ResourceTokenCannot {
                limit: TokenLimit::CommitFiles,
            } => f.write_str(
                "Project and repository access tokens cannot commit files in Bitbucket Data Center, because \
                 a commit needs a real user. Use a personal HTTP access token of a user with write permission.",
            ),
            ApiError::ResourceTokenCannot {
                limit: TokenLimit::ReadPermissions,
            } => f.write_str(
                "Access tokens cannot ask Bitbucket Cloud for permissions. To see your exact permission, use \
                 an API token with your Atlassian account email instead.",
            ),
            ApiError::ResourceTokenCannot {
                limit: TokenLimit::ReadAccount,
            } => f.write_str(
                "These credentials were accepted, but Bitbucket Cloud does not tell which account they belong \
                 to: repository, project and workspace access tokens act as their own user. Nothing to do; \
                 to see your account, use an API token with your Atlassian account email instead.",
            ),
            ApiError::NotFound { what, message } => {
                write!(
                    f,
                    "{what} was not found, or these credentials cannot see it (Bitbucket answers \u{201c}not \
                     found\u{201d} for private repositories you have no access to)."
                )?;
                if let Some(message) = message {
                    write!(f, " Bitbucket said: {}.", quoted(message))?;
                }
                f.write_str(" Check the URL and that the account has access.")
            }
            ApiError::Conflict { message } => {
                f.write_str("Bitbucket reported a conflict")?;
                if let Some(message) = message {
                    write!(f, ": {}", quoted(message))?;
                }
                f.write_str(
                    ". The branch or file changed since it was read, or the file already exists or is \
                     unchanged: reload and try again.",
                )
            }
            ApiError::FileEditingOff => f.write_str(
                "Bitbucket Data Center has file editing turned off (feature.file.editor=false in its \
                 bitbucket.properties), and this app writes every file through that editor's REST API, so \
                 nothing was pushed. Ask the Data Center administrator to set feature.file.editor=true and \
                 restart Bitbucket; pulling works meanwhile.",
            ),
            ApiError::BodyTooLarge {
                what,
                limit: BodyLimit::DataCenterUpload,
            } => write!(
                f,
                "Bitbucket Data Center refused {}: it is larger than its upload limit \
                 (content.upload.max.size in its bitbucket.properties), and nothing was written. Ask the \
                 Data Center administrator to raise content.upload.max.size above the file's size; the SCM \
                 parameters do not help, since Data Center takes each file in a request of its own.",
                lowercase_first(what)
            ),
            ApiError::BodyTooLarge {
                what,
                limit: BodyLimit::DataCenterRelay,
            } => write!(
                f,
                "The relay in front of Bitbucket Data Center refused {} as too large (HTTP 413), and \
                 nothing was written. Raise client_max_body_size in the relay's configuration (the relay \
                 shipped with this app sets it in relay/bitbucket-datacenter-proxy.conf; nginx's default \
                 is 1 MiB) above the file's size, then reload the relay; the SCM parameters do not help, \
                 since Data Center takes each file in a request of its own.",
                lowercase_first(what)
            ),
            ApiError::BodyTooLarge {
                what,
                limit: BodyLimit::Cloud,
            } => write!(
                f,
                "Bitbucket Cloud, or a proxy in front of it, refused the commit to {} as too large (HTTP \
                 413). Lower scm_megabytes_per_commit in the SCM parameters, so that each commit is \
                 smaller, and push again.",
                lowercase_first(what)
            ),
            ApiError::PullRequestRefused { message } => match message {
                Some(message) => write!(
                    f,
                    "Bitbucket did not open the pull request: {}.",
                    quoted(message)
                ),
                None => f.write_str("Bitbucket did not open the pull request."),
            },
            ApiError::BadRequest { message } => match message {
                Some(message) => write!(f, "Bitbucket rejected the request: {}.", quoted(message)),
                None => f.write_str("Bitbucket rejected the request as invalid."),
            },
            ApiError::RateLimited {
                flavour,
                retry_after,
            } => {
                f.write_str("Bitbucket's request limit was reached. ")?;
                match (retry_after, flavour) {
                    (Some(seconds), _) => write!(f, "Try again in {}.", wait_time(*seconds)),
                    (None, Flavour::Cloud) => f.write_str(
                        "Try again in a few minutes; Bitbucket Cloud allows about 1,000 API requests per hour.",
                    ),
                    (None, Flavour::DataCenter) => f.write_str(
                        "Try again in a few minutes; your Bitbucket administrator sets the limit.",
                    ),
                }
            }
            ApiError::HourlyLimit {
                needed,
                left,
                retry_in_secs,
            } => {
                match needed {
                    Some(needed) => write!(
                        f,
                        "This needs about {needed} requests to Bitbucket Cloud, and {left} are left of \
                         the about 1,000 it allows each account in any hour. "
                    )?,
                    None => write!(
                        f,
                        "Bitbucket Cloud's hourly request limit for this account is used up (about \
                         1,000 requests in any hour, counting every tool that uses \
                         the account). "
                    )?,
                }
                match retry_in_secs {
                    Some(seconds) => write!(f, "Try again in {}.", wait_time(*seconds)),
                    None => f.write_str(
                        "Try again later: requests count for an hour after they were sent.",
                    ),
                }
            }
            ApiError::Server { status: 555 } => f.write_str(
                "Bitbucket took too long to answer (HTTP 555) and gave up. Try again, asking for fewer files \
                 at a time.",
            ),
            ApiError::Server { status } => write!(
                f,
                "Bitbucket had a problem (HTTP {status}). Try again in a few minutes; if it persists, check \
                 Bitbucket's status page or ask your administrator."
            ),
            ApiError::XsrfRejected => f.write_str(
                "Bitbucket Data Center rejected the change with \u{201c}XSRF check failed\u{201d}: it refuses a \
                 browser's POST (a version tag, a new branch) whose Origin or Referer is not Data Center's own \
                 address, whatever the app sends, and no Data Center setting changes that. The relay in front \
                 of Data Center must remove the page's Origin and Referer (the relay shipped with this app \
                 sets Origin to Data Center's own address: see the README, \u{201c}Data Center: the \
                 relay\u{201d}); ask the relay's administrator.",
            ),
            ApiError::Network {
                flavour: Flavour::Cloud,
                ..
            } => f.write_str(
                // A rate limiter's 429 without CORS headers reaches the app as this same failure.
                "Could not reach api.bitbucket.org or read its answer. Bitbucket may be limiting requests (a \
                 rate-limit answer without CORS headers looks the same to the browser), or the network, a \
                 proxy, a firewall or a browser extension (such as an ad or privacy blocker) blocks it. Wait a \
                 minute and try again; if it still fails, check the connection and allow api.bitbucket.org.",
            ),
            ApiError::Network {
                flavour: Flavour::DataCenter,
                cross_origin: true,
            } => f.write_str(
                "Could not reach Bitbucket Data Center from this page. Data Center never answers a browser \
                 on another origin (it sends no CORS headers), so the app needs a relay in front of it: \
                 install the nginx relay shipped with this app (see the README, \u{201c}Data Center: the \
                 relay\u{201d}) and enter its address, such as https://relay.example.com/rest, as the API base \
                 URL under Advanced. If a relay is set, check its address and that it allows this page's \
                 origin; otherwise check the server address, your VPN and the network.",
            ),
            ApiError::Network {
                flavour: Flavour::DataCenter,
                cross_origin: false,
            } => f.write_str(
                "Could not reach Bitbucket Data Center: check the server address, your VPN and the network.",
            ),
            ApiError::Timeout => f.write_str(
                "Bitbucket did not answer in time. Try again; if it keeps happening, check the network.",
            ),
            ApiError::Cancelled => f.write_str("Cancelled before Bitbucket answered."),
            ApiError::UnexpectedResponse { status, excerpt } => {
                write!(f, "Bitbucket sent an answer this app cannot read (HTTP {status})")?;
                if !excerpt.is_empty() {
                    write!(f, ": \u{201c}{excerpt}\u{201d}")?;
                }
                f.write_str(
                    ". If an API base URL is set under Advanced, check that it points at the Bitbucket REST API.",
                )
            }
            ApiError::Redirected => f.write_str(
                "Bitbucket's address answered with a redirect to another address, which this app does not \
                 follow (a redirect could carry the token elsewhere). Use the repository URL from Bitbucket's \
                 Clone button (the repository may have been renamed or moved); if an API base URL is set under \
                 Advanced, check the proxy.",
            ),
            ApiError::CrossOriginLink { origin } => write!(
                f,
                "Bitbucket's next page points to {origin}, outside this connection's API address, so it was \
                 not followed (the token is only sent to the configured API). If an API base URL is set \
                 under Advanced, check the proxy."
            ),
            ApiError::TooLarge { what, limit, size } => {
                write!(f, "{what} is larger than {}", byte_size(*limit))?;
                if let Some(size) = size {
                    write!(f, " (Bitbucket announced {})", byte_size(*size))?;
                }
                f.write_str(
                    ", the most this app reads in one answer, so it was not read. Check what the \
                     repository holds there (restore it from an earlier commit if it should not be that \
                     large); if an API base URL is set under Advanced, check that the proxy passes \
                     Bitbucket's answers unchanged.",
                )
            }
            ApiError::UnsendableHeader { name } if name.eq_ignore_ascii_case(AUTHORIZATION) => f.write_str(
                "Nothing was sent: the saved access token holds an invisible or non-ASCII character, which \
                 browsers cannot send. Edit the connection and paste the token again, copied straight from \
                 Bitbucket.",
            ),
            ApiError::UnsendableHeader { name } => write!(
                f,
                "Nothing was sent: the browser refused the request's {name} header. Reload the page and try \
                 again."
            ),
        }
    }
}

fn invalid_credentials(
    f: &mut fmt::Formatter<'_>,
    flavour: Flavour,
    auth: AuthMode,
    username_is_email: bool,
) -> fmt::Result {
    match (flavour, auth, username_is_email) {
        (Flavour::Cloud, AuthMode::Basic, true) => f.write_str(
            "Bitbucket Cloud did not accept the token: it is wrong, expired, or was created without scopes. \
             Create a new one with \u{201c}Create API token with scopes\u{201d} (Atlassian account \u{203a} \
             Security \u{203a} API tokens, app Bitbucket) and enter your Atlassian account email as the username.",
        ),
        (Flavour::Cloud, AuthMode::Basic, false) => f.write_str(
            "Bitbucket Cloud did not accept the credentials. With an API token the username must be your \
             Atlassian account email, and this username is not an email address. Also check that the token \
             is not expired and was made with \u{201c}Create API token with scopes\u{201d}.",
        ),
        (Flavour::Cloud, AuthMode::Bearer, _) => f.write_str(
            "Bitbucket Cloud did not accept the access token: it is wrong, expired or revoked. Create a new \
             repository, project or workspace access token; for a personal API token, untick the PAT box \
             and enter your Atlassian account email as the username.",
        ),
        (Flavour::DataCenter, AuthMode::Basic, _) => f.write_str(
            "Bitbucket Data Center did not accept the credentials: check the username (your Bitbucket \
             username) and the token, which may be wrong, expired or revoked.",
        ),
        (Flavour::DataCenter, AuthMode::Bearer, _) => f.write_str(
            "Bitbucket Data Center did not accept the HTTP access token: it is wrong, expired or revoked. \
             Create a new one in Bitbucket (Manage account \u{203a} HTTP access tokens).",
        ),
    }
}
