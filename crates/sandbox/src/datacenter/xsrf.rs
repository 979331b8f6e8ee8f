//! Atlassian's XSRF protection on `/rest`, as Data Center's filter applies it.

use axum::extract::Request;
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::form::{self, FormKind};
use crate::links::{is_https, origin};

/// Middleware: Atlassian's XSRF protection on `/rest`, 403 "XSRF check failed" (plain text, as
/// the real filter) when [`passes_xsrf_checks`] says no.
pub async fn xsrf(request: Request, next: Next) -> Response {
    if request.uri().path().starts_with("/rest") && !passes_xsrf_checks(&request) {
        return (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "text/plain")],
            "XSRF check failed",
        )
            .into_response();
    }
    next.run(request).await
}

/// Data Center's two XSRF rules. A `POST` from a browser (its `User-Agent` says so) passes only
/// when its `Origin` or `Referer` is Data Center's own origin, whatever `X-Atlassian-Token` says
/// (other methods pass: the real filter only logs them). Any mutating request with a form,
/// multipart or plain-text body needs `X-Atlassian-Token: no-check`.
pub fn passes_xsrf_checks(request: &Request) -> bool {
    let headers = request.headers();
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    if request.method() == Method::POST
        && text(header::USER_AGENT).is_some_and(is_browser)
        && !text(header::ORIGIN)
            .into_iter()
            .chain(text(header::REFERER))
            .any(|from| is_within_origin(from, &origin(headers, is_https(request.extensions()))))
    {
        return false;
    }
    let mutating = matches!(
        *request.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    let simple = form::kind(request) != FormKind::Other
        || text(header::CONTENT_TYPE)
            .is_some_and(|v| v.to_ascii_lowercase().starts_with("text/plain"));
    let opted_out = headers
        .get("x-atlassian-token")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("no-check"));
    !(mutating && simple && !opted_out)
}

/// Whether a `User-Agent` is a browser's, as Atlassian's filter reads it (`Mozilla/…`, `Opera…`).
fn is_browser(user_agent: &str) -> bool {
    user_agent.contains("Mozilla") || user_agent.starts_with("Opera")
}

/// Whether `url` (an `Origin`, or a `Referer`'s full URL) is `origin` or a URL within it.
fn is_within_origin(url: &str, origin: &str) -> bool {
    url.strip_prefix(origin)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '?', '#']))
}
