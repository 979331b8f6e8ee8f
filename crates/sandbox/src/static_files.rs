//! The fallback: unknown API paths answer each product's 404; git-over-HTTP paths of the
//! configured repositories are answered by [`git_http`]; other GET paths serve the built
//! single-page app (`--serve`), with `index.html` for unknown paths.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

use crate::errors::{CloudError, DcError};
use crate::git_http;
use crate::state::AppState;

/// Answers requests no route matched.
pub async fn fallback(State(state): State<AppState>, request: Request) -> Response {
    let path = request.uri().path().to_string();
    let path = path.as_str();
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
    if let Some(target) = git_http::git_path(&state, path) {
        return git_http::serve(&state, target, request).await;
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
