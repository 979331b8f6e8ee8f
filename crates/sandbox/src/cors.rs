//! CORS like the real services: Cloud (`/2.0`) answers any origin; Data Center (`/rest`)
//! answers no CORS at all unless switched on (`--dc-cors` or the control endpoint).

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use crate::faults::WithoutCors;
use crate::state::AppState;

/// Methods allowed by preflight answers.
pub const ALLOW_METHODS: &str = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
/// Request headers allowed on Cloud.
pub const CLOUD_ALLOW_HEADERS: &str =
    "Accept, Authorization, Content-Type, If-Match, If-Modified-Since, \
If-None-Match, If-Unmodified-Since, Origin, Range, X-Csrftoken, X-Requested-With";
/// Request headers allowed on Data Center when CORS is on (adds `X-Atlassian-Token`).
pub const DC_ALLOW_HEADERS: &str = "Accept, Authorization, Content-Type, If-Match, If-Modified-Since, \
If-None-Match, If-Unmodified-Since, Origin, Range, X-Atlassian-Token, X-Csrftoken, X-Requested-With";
/// Response headers readable by scripts.
pub const EXPOSE_HEADERS: &str =
    "Accept-Ranges, Content-Encoding, Content-Length, Content-Type, ETag, Last-Modified";

/// Middleware: answers preflights and decorates responses on the paths that have CORS.
pub async fn cors(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let allow_headers = if path.starts_with("/2.0") {
        CLOUD_ALLOW_HEADERS
    } else if path.starts_with("/rest") && state.dc_cors() {
        DC_ALLOW_HEADERS
    } else {
        return next.run(request).await;
    };
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
                (header::ACCESS_CONTROL_ALLOW_HEADERS, allow_headers),
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
