//! The request-body limit of API paths (`max_body_bytes` of the fault settings, 64 MiB by
//! default): a larger body is answered 413 in the product's error shape and never processed.
//!
//! The body is read here, once, so handlers get it whole; axum's own 2 MiB default limit of its
//! form and JSON extractors is lifted by [`axum::extract::DefaultBodyLimit::disable`] on the API
//! routes, so this limit is the only one.

use axum::body::{Body, BodyDataStream, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use futures_util::StreamExt;

use crate::errors::product_error;
use crate::state::AppState;

/// How much of an oversized body is read and thrown away before answering, so that a client
/// still sending sees the 413 rather than a reset connection.
const DRAIN_CAP: u64 = 1024 * 1024 * 1024;

/// Why a body was not read whole.
enum Refusal {
    /// Longer than the limit.
    TooLarge,
    /// The client's body failed (e.g. the connection broke).
    Broken,
}

/// Middleware: refuses request bodies over the configured limit with 413.
pub async fn limit_body(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let limit = state.faults().max_body_bytes();
    let (parts, body) = request.into_parts();
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let stream = body.into_data_stream();
    let read = match declared {
        Some(n) if n > limit => Err(drain(stream).await),
        _ => read_at_most(stream, limit).await,
    };
    let path = parts.uri.path();
    match read {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Err(Refusal::TooLarge) => product_error(
            path,
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("The request body is larger than the limit of {limit} bytes."),
        ),
        Err(Refusal::Broken) => product_error(
            path,
            StatusCode::BAD_REQUEST,
            "The request body could not be read.",
        ),
    }
}

/// The whole body, or why not (an oversized body is drained first).
async fn read_at_most(mut stream: BodyDataStream, limit: u64) -> Result<Bytes, Refusal> {
    let mut out = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| Refusal::Broken)?;
        if (out.len() + chunk.len()) as u64 > limit {
            return Err(drain(stream).await);
        }
        out.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(out))
}

/// Reads and discards what is left of a body, up to [`DRAIN_CAP`] bytes.
async fn drain(mut stream: BodyDataStream) -> Refusal {
    let mut seen = 0u64;
    while let Some(Ok(chunk)) = stream.next().await {
        seen += chunk.len() as u64;
        if seen > DRAIN_CAP {
            break;
        }
    }
    Refusal::TooLarge
}
