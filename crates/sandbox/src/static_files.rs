//! The fallback: unknown API paths answer each product's 404; other GET paths serve the built
//! single-page app (`--serve`), with `index.html` for unknown paths.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

use crate::errors::{CloudError, DcError};
use crate::state::AppState;

/// Answers requests no route matched.
pub async fn fallback(State(state): State<AppState>, request: Request) -> Response {
    let path = request.uri().path();
    if path.starts_with("/2.0/") || path == "/2.0" {
        return CloudError::not_found(format!("Resource not found: {path}")).into_response();
    }
    if path.starts_with("/rest/") || path == "/rest" {
        return DcError {
            status: StatusCode::NOT_FOUND,
            message: format!("No resource at {path}"),
            exception: None,
        }
        .into_response();
    }
    if path.starts_with("/_sandbox") {
        return (StatusCode::NOT_FOUND, "unknown control endpoint").into_response();
    }
    match state.serve_dir() {
        Some(dir) => {
            let service = ServeDir::new(dir).fallback(ServeFile::new(dir.join("index.html")));
            match service.oneshot(request).await {
                Ok(response) => response.map(Body::new),
                Err(e) => match e {},
            }
        }
        None => (StatusCode::NOT_FOUND, "Not found").into_response(),
    }
}
