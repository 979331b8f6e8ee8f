//! The local control endpoint under `/_sandbox`: faults, reset, recent log lines, the token
//! table and submodule entries (which no Bitbucket API can write). Never subject to faults.
//!
//! Every control route, and any other path under `/_sandbox`, answers only the sandbox's own
//! origin ([`check_own_origin`]); anything else gets 403 with a JSON `error` that says why.
//! The own origin is the one the request was addressed to: `http://` (`https://` with `--tls`)
//! followed by its `Host`, and only when that `Host` is a loopback name (`127.0.0.1`,
//! `localhost`, `[::1]`, any port), which a DNS-rebinding page cannot send. So
//! `http://127.0.0.1:PORT` and `http://localhost:PORT` are two origins, as they are to a
//! browser: the app's page at `127.0.0.1` may not call the control routes at `localhost`, nor
//! the other way round. Where a browser says where a request comes from, both signs are
//! checked: an `Origin` must be the own origin, and `Sec-Fetch-Site` must be `same-origin` or
//! `none` (typed in the address bar); `cross-site` and `same-site` (another port of the same
//! host is another origin) are refused. The callers are scripts (the end-to-end tests' Node
//! harness, curl), which send neither header and pass; no page of the app calls these routes.

use std::collections::BTreeMap;

use axum::extract::{Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::faults::FaultSettings;
use crate::state::AppState;
use crate::store::{CommitPlan, Expect, FileMode};

/// The control routes, each behind the own-origin check.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/_sandbox/faults", get(get_faults).put(put_faults))
        .route("/_sandbox/reset", post(reset))
        .route("/_sandbox/log", get(log))
        .route("/_sandbox/tokens", get(tokens))
        .route("/_sandbox/submodules", post(add_submodule))
        .layer(middleware::from_fn(own_origin_only))
}

/// Why a request is not from the sandbox's own origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForeignRequest {
    /// Its `Host` (empty when there is none) is not a loopback name.
    Host(String),
    /// Its `Origin` is not the origin it was addressed to.
    Origin {
        /// The `Origin` the browser sent.
        origin: String,
        /// The sandbox's own origin for this request.
        own: String,
    },
    /// Its `Sec-Fetch-Site` is neither `same-origin` nor `none`.
    FetchSite(String),
}

impl ForeignRequest {
    /// The reason, as the 403 answer says it.
    pub fn message(&self) -> String {
        let reason = match self {
            ForeignRequest::Host(host) if host.is_empty() => {
                "the request names no Host".to_string()
            }
            ForeignRequest::Host(host) => {
                format!("the request is addressed to {host}, not to 127.0.0.1, localhost or [::1]")
            }
            ForeignRequest::Origin { origin, own } => {
                format!("the request comes from {origin}, not from {own}")
            }
            ForeignRequest::FetchSite(site) => {
                format!("the browser sent the request from another origin (Sec-Fetch-Site: {site})")
            }
        };
        format!("only the sandbox's own origin may use this control endpoint: {reason}")
    }
}

impl IntoResponse for ForeignRequest {
    fn into_response(self) -> Response {
        (
            StatusCode::FORBIDDEN,
            Json(json!({ "error": self.message() })),
        )
            .into_response()
    }
}

/// Checks that a request comes from the sandbox's own origin (see the module documentation):
/// a loopback `Host`, and when a browser says where the request comes from, `Origin` equal to
/// `http://` (`https://` over TLS) + that `Host` and `Sec-Fetch-Site` `same-origin` or `none`.
pub fn check_own_origin(headers: &HeaderMap, https: bool) -> Result<(), ForeignRequest> {
    let text = |name| {
        headers
            .get(name)
            .map(|v| v.to_str().unwrap_or("(not text)"))
    };
    let host = text(header::HOST).unwrap_or("");
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
        _ => host,
    };
    if !matches!(name, "127.0.0.1" | "localhost" | "[::1]") {
        return Err(ForeignRequest::Host(host.to_string()));
    }
    let scheme = if https { "https" } else { "http" };
    let own = format!("{scheme}://{host}");
    if let Some(origin) = text(header::ORIGIN).filter(|origin| *origin != own) {
        return Err(ForeignRequest::Origin {
            origin: origin.to_string(),
            own,
        });
    }
    match text(header::HeaderName::from_static("sec-fetch-site")) {
        None | Some("same-origin" | "none") => Ok(()),
        Some(site) => Err(ForeignRequest::FetchSite(site.to_string())),
    }
}

/// Middleware: 403 for requests not from the sandbox's own origin.
async fn own_origin_only(request: Request, next: Next) -> Response {
    match own_origin(&request) {
        Ok(()) => next.run(request).await,
        Err(refusal) => refusal.into_response(),
    }
}

/// [`check_own_origin`] of a request, over TLS when it came so.
pub fn own_origin(request: &Request) -> Result<(), ForeignRequest> {
    check_own_origin(
        request.headers(),
        crate::links::is_https(request.extensions()),
    )
}

async fn get_faults(State(state): State<AppState>) -> Json<FaultSettings> {
    Json(state.faults().settings())
}

async fn put_faults(
    State(state): State<AppState>,
    body: Result<Json<FaultSettings>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let settings = match body {
        Ok(Json(s)) => s,
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({ "error": e.body_text() })),
            )
                .into_response()
        }
    };
    if let Err(e) = settings.validate() {
        return (StatusCode::BAD_REQUEST, Json(json!({ "error": e }))).into_response();
    }
    state.faults().set(settings.clone());
    Json(settings).into_response()
}

async fn reset(State(state): State<AppState>) -> Response {
    match state.reset() {
        Ok(()) => Json(json!({ "reset": true })).into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({ "error": e.message() })),
        )
            .into_response(),
    }
}

/// A submodule entry to commit, as a `git push` from another tool would.
#[derive(Deserialize)]
struct NewSubmodule {
    /// The repository's key (`cloud/{workspace}/{slug}`, `dc/{project}/{slug}`).
    repository: String,
    /// The branch, which must exist.
    branch: String,
    /// The entry's path.
    path: String,
    /// The commit of the other repository it points at (40 hex digits).
    commit: String,
}

/// Commits a submodule entry on a branch: 201 with the new tip, 400 when it cannot.
async fn add_submodule(State(state): State<AppState>, Json(body): Json<NewSubmodule>) -> Response {
    let store = state.store();
    let Some(tip) = store
        .repo(&body.repository)
        .ok()
        .and_then(|repo| repo.branch_tip(&body.branch))
    else {
        let error = format!("no branch {} in {}", body.branch, body.repository);
        return (StatusCode::BAD_REQUEST, Json(json!({ "error": error }))).into_response();
    };
    let plan = CommitPlan {
        branch: body.branch,
        expect: Expect::Tip(tip),
        start: None,
        changes: vec![(body.path.clone(), Some(body.commit.into_bytes()))],
        modes: BTreeMap::from([(body.path, FileMode::Submodule)]),
        author: ("Sandbox".to_owned(), "sandbox@example.com".to_owned()),
        message: "Add a submodule".to_owned(),
    };
    match store.apply(&body.repository, &plan) {
        Ok(info) => (StatusCode::CREATED, Json(json!({ "hash": info.hash }))).into_response(),
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": format!("{e:?}") })),
        )
            .into_response(),
    }
}

#[derive(Deserialize)]
struct LogQuery {
    limit: Option<usize>,
}

async fn log(State(state): State<AppState>, Query(q): Query<LogQuery>) -> Json<Vec<Value>> {
    Json(state.log().recent(q.limit.unwrap_or(100)))
}

/// One row of the token table (also printed at start-up).
#[derive(Debug, Clone, Serialize)]
pub struct TokenRow {
    /// Username, or the token name for resource tokens.
    pub user: String,
    /// Product role, or the resource for resource tokens.
    pub role: String,
    /// Token kind, with `(expired)` or `(no scopes)` notes.
    pub kind: String,
    /// Login to send with Basic auth, when Basic applies.
    pub login: Option<String>,
    /// The token string.
    pub token: String,
}

/// The token table of a configuration.
pub fn token_rows(state: &AppState) -> Vec<TokenRow> {
    let config = state.config();
    let now = crate::time::now_secs();
    config
        .tokens
        .iter()
        .map(|t| {
            let user = t.user.as_deref().and_then(|u| config.user(u));
            let mut kind = t.kind.name().to_string();
            if t.is_expired(now) {
                kind.push_str(" (expired)");
            } else if t.kind == crate::config::TokenKind::CloudApi && t.scopes.is_empty() {
                kind.push_str(" (no scopes)");
            }
            let login = match t.kind {
                crate::config::TokenKind::CloudApi => user.map(|u| u.email.clone()),
                crate::config::TokenKind::DcUser => user.map(|u| u.username.clone()),
                _ => None,
            };
            TokenRow {
                user: user
                    .map(|u| u.username.clone())
                    .or_else(|| t.name.clone())
                    .unwrap_or_default(),
                role: user
                    .map(|u| u.role.clone())
                    .or_else(|| t.repository.clone())
                    .unwrap_or_default(),
                kind,
                login,
                token: t.secret.clone(),
            }
        })
        .collect()
}

async fn tokens(State(state): State<AppState>) -> Json<Vec<TokenRow>> {
    Json(token_rows(&state))
}
