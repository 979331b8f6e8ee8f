//! The fallback: unknown API paths answer each product's 404; git-over-HTTP paths of the
//! configured repositories are answered by [`git_http`]; other GET paths serve the built
//! single-page app (`--serve`), with `index.html` for unknown paths. Every file of the app goes
//! out with the app's Content-Security-Policy as a header ([`app_policy`]) and
//! `X-Content-Type-Options: nosniff`.

use std::sync::LazyLock;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

use crate::control;
use crate::errors::{CloudError, DcError};
use crate::git_http;
use crate::state::AppState;

/// The app's page, whose `<meta>` Content-Security-Policy [`app_policy`] sends as a header.
const INDEX_HTML: &str = include_str!("../../../index.html");

/// What only a header can add to the policy: pages of the app's own origin may frame it (a
/// portal serving it beside its own pages), no other site may.
pub const FRAME_ANCESTORS: &str = "frame-ancestors 'self'";

/// The Content-Security-Policy header sent with every file of the app: the policy the app's
/// `index.html` carries in its `<meta>` element (which a browser cannot take `frame-ancestors`
/// from), then [`FRAME_ANCESTORS`]. Both apply to the page, so the header only adds to the
/// meta policy.
pub fn app_policy() -> &'static str {
    static POLICY: LazyLock<String> = LazyLock::new(|| header_policy(INDEX_HTML));
    &POLICY
}

/// The meta policy of `html` followed by [`FRAME_ANCESTORS`] (only the latter without one).
fn header_policy(html: &str) -> String {
    let meta = html
        .split_once(r#"http-equiv="Content-Security-Policy" content=""#)
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(policy, _)| policy.trim_end_matches([';', ' ']));
    match meta {
        Some(policy) => format!("{policy}; {FRAME_ANCESTORS}"),
        None => FRAME_ANCESTORS.to_string(),
    }
}

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
        return match control::own_origin(&request) {
            Ok(()) => (StatusCode::NOT_FOUND, "unknown control endpoint").into_response(),
            Err(refusal) => refusal.into_response(),
        };
    }
    if let Some(target) = git_http::git_path(&state, path) {
        return git_http::serve(&state, target, request).await;
    }
    match state.serve_dir() {
        Some(dir) => {
            let service = ServeDir::new(dir).fallback(ServeFile::new(dir.join("index.html")));
            let Ok(mut response) = service.oneshot(request).await;
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(app_policy()),
            );
            headers.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            response.map(Body::new)
        }
        None => (StatusCode::NOT_FOUND, "Not found").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_policy_is_the_meta_policy_of_the_app_with_frame_ancestors() {
        let policy = app_policy();
        assert!(policy.starts_with("default-src 'self'; "), "{policy}");
        assert!(
            policy.contains("script-src 'self' 'wasm-unsafe-eval'"),
            "{policy}"
        );
        assert!(
            policy.ends_with("'none'; frame-ancestors 'self'"),
            "{policy}"
        );
        assert_eq!(header_policy("<html></html>"), FRAME_ANCESTORS);
    }
}
