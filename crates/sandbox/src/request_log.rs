//! The middleware that writes every request to the log once its response head is ready.

use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use serde_json::json;

use crate::auth::CredentialKind;
use crate::state::AppState;

/// Middleware: logs every request once its response head is ready.
pub async fn log_requests(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let path = request.uri().path().to_string();
    let query = request.uri().query().unwrap_or("").to_string();
    let scheme = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(' ').next())
        .map(str::to_ascii_lowercase);
    let response = next.run(request).await;
    let log = state.log();
    let bytes = response
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .or_else(|| http_body::Body::size_hint(response.body()).exact());
    let credential = response
        .extensions()
        .get::<CredentialKind>()
        .map(|k| k.0.name());
    log.write(json!({
        "time": crate::time::iso8601(crate::time::now_secs(), 0),
        "method": method,
        "path": log.scrub(&path),
        "query": log.scrub_query(&query),
        "status": response.status().as_u16(),
        "duration_ms": started.elapsed().as_secs_f64() * 1000.0,
        "body_bytes": bytes,
        "credential": credential.unwrap_or("unresolved"),
        "auth_scheme": scheme.unwrap_or_else(|| "none".to_string()),
    }));
    response
}
