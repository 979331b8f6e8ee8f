//! The message of each error for the user: what happened and what to do.

use std::fmt;

use super::api_error::{ApiError, BodyLimit, TokenLimit};
use crate::bitbucket::request::AUTHORIZATION;
use crate::connection::AuthMode;
use crate::counts::byte_size;
use crate::repo_url::Flavour;

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
