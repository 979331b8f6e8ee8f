//! CORS like the real services: Cloud (`/2.0`) answers any origin; Data Center never answers
//! CORS, on `/rest` or `/scm` (a browser reaches it through a relay: `relay/` in the repository).

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use crate::faults::WithoutCors;

/// Methods allowed by preflight answers.
pub const ALLOW_METHODS: &str = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
/// Request headers allowed on Cloud.
pub const ALLOW_HEADERS: &str =
    "Accept, Authorization, Content-Type, If-Match, If-Modified-Since, \
If-None-Match, If-Unmodified-Since, Origin, Range, X-Csrftoken, X-Requested-With";
/// Response headers readable by scripts.
pub const EXPOSE_HEADERS: &str =
    "Accept-Ranges, Content-Encoding, Content-Length, Content-Type, ETag, Last-Modified";

/// Middleware: answers preflights and decorates responses on Cloud's paths (`/2.0`).
pub async fn cors(request: Request, next: Next) -> Response {
    if !request.uri().path().starts_with("/2.0") {
        return next.run(request).await;
    }
    let has_origin = request.headers().contains_key(header::ORIGIN);
    let preflight = request.method() == Method::OPTIONS
        && request
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if preflight {
        let mut response = Response::new(Body::empty());
        *response.status_mut() = StatusCode::OK;
        insert_all(
            &mut response,
            [
                (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
                (header::ACCESS_CONTROL_ALLOW_METHODS, ALLOW_METHODS),
                (header::ACCESS_CONTROL_ALLOW_HEADERS, ALLOW_HEADERS),
                (header::ACCESS_CONTROL_MAX_AGE, "86400"),
                (header::ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSE_HEADERS),
            ],
        );
        return response;
    }
    let mut response = next.run(request).await;
    if has_origin && response.extensions().get::<WithoutCors>().is_none() {
        insert_all(
            &mut response,
            [
                (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
                (header::ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSE_HEADERS),
            ],
        );
    }
    response
}

/// Sets each header of `headers` on `response`, in order.
fn insert_all<const N: usize>(response: &mut Response, headers: [(HeaderName, &'static str); N]) {
    let h = response.headers_mut();
    for (name, value) in headers {
        h.insert(name, HeaderValue::from_static(value));
    }
}
