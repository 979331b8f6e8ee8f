//! Whether a Data Center push goes over git ([`PushRoute`]), why not ([`RestReason`]), and the identity
//! its commits are written with ([`GitIdentity`]).

use std::fmt;

use crate::bitbucket::{git_http, Api, ApiError, ApiRequest, ApiResponse};

/// Who makes the commit and when: the connection's username and the browser's clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitIdentity {
    /// The author's and committer's name (the connection's username).
    pub name: String,
    /// Their email address (the username when it is one, else empty: a token names no address).
    pub email: String,
    /// Seconds since the Unix epoch.
    pub seconds: i64,
    /// The time zone, in minutes east of UTC.
    pub offset_minutes: i16,
}

impl GitIdentity {
    /// The identity of a connection's `username` at `millis` since the epoch, `offset_minutes` east
    /// of UTC.
    pub fn of(username: &str, millis: f64, offset_minutes: i16) -> GitIdentity {
        let email = match username.contains('@') {
            true => username.trim().to_owned(),
            false => String::new(),
        };
        GitIdentity {
            name: username.trim().to_owned(),
            email,
            seconds: (millis / 1000.0).floor() as i64,
            offset_minutes,
        }
    }
}

/// Why a Data Center push goes through the REST API instead of git.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestReason {
    /// The API base URL does not end in `/rest`.
    NoAddress,
    /// No answer from `/scm` (network, CORS, timeout).
    Unreachable,
    /// `/scm` answered this status (a relay that does not pass it, no permission).
    Answered(u16),
    /// `/scm` answered with something other than git's smart HTTP.
    NotSmartHttp,
}

/// How a Data Center push goes: over git, or through the REST API and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushRoute {
    /// Over git's smart HTTP (`/scm`): one commit, deletions and the tag in one atomic update.
    Git,
    /// Through the REST API, one commit per file.
    Rest(RestReason),
}

impl PushRoute {
    /// The request that tells the route (the advertisement of `/scm`), or the route when no request
    /// is needed.
    pub fn probe(api: &Api) -> Result<ApiRequest, PushRoute> {
        git_http::advertisement(api)
            .map(|call| call.request)
            .ok_or(PushRoute::Rest(RestReason::NoAddress))
    }

    /// The route the answer to [`PushRoute::probe`] tells.
    pub fn of(answer: &Result<ApiResponse, ApiError>) -> PushRoute {
        match answer {
            Err(_) => PushRoute::Rest(RestReason::Unreachable),
            Ok(response) if !response.is_success() => {
                PushRoute::Rest(RestReason::Answered(response.status))
            }
            Ok(response) => match git_http::read_advertisement(response) {
                Some(_) => PushRoute::Git,
                None => PushRoute::Rest(RestReason::NotSmartHttp),
            },
        }
    }

    /// Why a push on this route cannot be made with credentials that push over git only
    /// (`git_only`: the connection test's reason, see `TestOutcome::push_over_git_only`).
    pub fn refusal(self, git_only: Option<&str>) -> Option<String> {
        match (self, git_only) {
            (PushRoute::Rest(_), Some(reason)) => Some(format!(
                "This push cannot go through the REST API with this token: {reason}"
            )),
            (PushRoute::Git, _) | (PushRoute::Rest(_), None) => None,
        }
    }
}

impl fmt::Display for PushRoute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rest = "Through Data Center's REST API, one commit per file (deleted files stay in git), because";
        match self {
            PushRoute::Git => f.write_str(
                "Over git (/scm): one commit with every change, deletions included, and the version in the same atomic update.",
            ),
            PushRoute::Rest(RestReason::NoAddress) => write!(
                f,
                "{rest} the API base URL does not end in /rest, so git's address (/scm) is not known."
            ),
            PushRoute::Rest(RestReason::Unreachable) => write!(
                f,
                "{rest} git's address (/scm) could not be reached from this page: the relay may not pass /scm."
            ),
            PushRoute::Rest(RestReason::Answered(status)) => write!(
                f,
                "{rest} git's address (/scm) answered HTTP {status}: the relay may not pass /scm, or the token may not push over git."
            ),
            PushRoute::Rest(RestReason::NotSmartHttp) => write!(
                f,
                "{rest} git's address (/scm) did not answer with git's smart HTTP protocol."
            ),
        }
    }
}
