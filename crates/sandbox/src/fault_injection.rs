//! The middleware that applies the faults to API requests: latency, rate limits, failures, redirects,
//! dropped connections, large bodies and slow or capped bandwidth.

use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::errors::{product_error, rate_limited};
use crate::faults::Verdict;
use crate::server::ConnectionKiller;
use crate::state::AppState;

/// A rate-limit key that identifies a credential without keeping it.
fn credential_key(request: &Request) -> String {
    match request.headers().get(header::AUTHORIZATION) {
        Some(value) => {
            let digest = Sha256::digest(value.as_bytes());
            digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
        }
        None => "anonymous".to_string(),
    }
}

fn failure(path: &str, status: u16) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let reason = status.canonical_reason().unwrap_or("Error");
    product_error(path, status, reason)
}

/// A `301` to the same path and query under `/_sandbox/moved`, on the same host.
fn moved(request: &Request) -> Response {
    let target = request
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_string();
    let location = format!("/_sandbox/moved{target}");
    (
        StatusCode::MOVED_PERMANENTLY,
        [(header::LOCATION, location)],
    )
        .into_response()
}

/// Middleware: applies the faults to API requests (not to preflights); git's smart HTTP on Data
/// Center (`/scm`) takes the latency only, as a request over the same network.
pub async fn inject_faults(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_string();
    let api = path.starts_with("/2.0") || path.starts_with("/rest");
    let git = path.starts_with("/scm/");
    if !(api || git) || request.method() == Method::OPTIONS {
        return next.run(request).await;
    }
    let faults = state.faults();
    let delay = faults.delay();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    if git {
        return next.run(request).await;
    }
    // Cloud counts requests to repository paths per user and rolling hour, and answers its plain 429.
    let cloud_limit = match state.config().cloud.limits.requests_per_hour {
        0 => None,
        limit => Some(limit).filter(|_| path.starts_with("/2.0/repositories/")),
    };
    let drop = match faults.decide(&credential_key(&request), &path, cloud_limit) {
        Verdict::RateLimited => return faults.injected(rate_limited()),
        Verdict::Fail(status) => return faults.injected(failure(&path, status)),
        Verdict::Redirect => return faults.injected(moved(&request)),
        Verdict::Pass { drop } => drop,
    };
    if let Some(large) = faults.large_body(&path) {
        return faults.injected(large.response());
    }
    let killer = request.extensions().get::<ConnectionKiller>().cloned();
    let response = next.run(request).await;
    if drop {
        return match killer {
            Some(killer) => killer.kill().await,
            None => broken_body(response),
        };
    }
    match faults.shaping() {
        (None, 0) => response,
        (bandwidth, slow_ms) => throttle(response, bandwidth, slow_ms).await,
    }
}

/// Without a real connection to drop (in-process use), the body fails instead.
fn broken_body(response: Response) -> Response {
    let (parts, _) = response.into_parts();
    let stream = futures_util::stream::once(async {
        Err::<bytes::Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "connection dropped by fault injection",
        ))
    });
    Response::from_parts(parts, Body::from_stream(stream))
}

async fn throttle(response: Response, bandwidth: Option<u64>, slow_ms: u64) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "body error").into_response();
    };
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    let chunk = bandwidth
        .map(|b| (b / 10).max(1) as usize)
        .unwrap_or(bytes.len().max(1));
    let stream = futures_util::stream::unfold((bytes, true), move |(rest, first)| async move {
        if first && slow_ms > 0 {
            tokio::time::sleep(Duration::from_millis(slow_ms)).await;
        }
        if rest.is_empty() {
            return None;
        }
        let mut rest = rest;
        let piece = rest.split_to(chunk.min(rest.len()));
        if let Some(bps) = bandwidth {
            tokio::time::sleep(Duration::from_secs_f64(piece.len() as f64 / bps as f64)).await;
        }
        Some((Ok::<_, std::io::Error>(piece), (rest, false)))
    });
    Response::from_parts(parts, Body::from_stream(stream))
}
