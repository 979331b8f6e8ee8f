//! The local control endpoint under `/_sandbox`: faults, reset, recent log lines, the token
//! table and submodule entries (which no Bitbucket API can write). Never subject to faults.

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

/// The control routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/_sandbox/faults", get(get_faults).put(put_faults))
        .route(
            "/_sandbox/reset",
            post(reset).layer(middleware::from_fn(own_origin_only)),
        )
        .route("/_sandbox/log", get(log))
        .route(
            "/_sandbox/tokens",
            get(tokens).layer(middleware::from_fn(own_origin_only)),
        )
        .route(
            "/_sandbox/submodules",
            post(add_submodule).layer(middleware::from_fn(own_origin_only)),
        )
}

/// Whether a request comes from the sandbox's own origin: its `Host` is a loopback name
/// (`127.0.0.1`, `localhost`, `[::1]`, any port), which a DNS-rebinding page cannot send, and
/// its `Origin`, when a browser sends one, is `http://` (`https://` over TLS) + that same `Host`
/// (no cross-site call).
pub fn from_own_origin(headers: &HeaderMap, https: bool) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
        _ => host,
    };
    if !matches!(name, "127.0.0.1" | "localhost" | "[::1]") {
        return false;
    }
    match headers.get(header::ORIGIN) {
        None => true,
        Some(origin) => {
            let scheme = if https { "https" } else { "http" };
            origin.to_str().ok() == Some(&format!("{scheme}://{host}"))
        }
    }
}

/// Middleware: 403 for requests not from the sandbox's own origin.
async fn own_origin_only(request: Request, next: Next) -> Response {
    if from_own_origin(
        request.headers(),
        crate::links::is_https(request.extensions()),
    ) {
        return next.run(request).await;
    }
    (
        StatusCode::FORBIDDEN,
        Json(json!({ "error": "only the sandbox's own origin may use this control endpoint" })),
    )
        .into_response()
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
    let Some(tip) = store.branch_tip(&body.repository, &body.branch) else {
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
