//! The middleware that resolves the caller of each API request.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::{cloud_caller, dc_caller, CallerKind, CredentialKind};
use crate::state::AppState;

/// Middleware: resolves the caller of `/2.0` and `/rest` requests, refusing bad credentials
/// with the product's 401, and records the credential kind on the response.
pub async fn authenticate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let now = crate::time::now_secs();
    let config = state.config();
    let caller = if path.starts_with("/2.0") {
        cloud_caller(config, request.headers(), now).map_err(IntoResponse::into_response)
    } else {
        dc_caller(config, request.headers(), now).map_err(IntoResponse::into_response)
    };
    let (mut response, kind) = match caller {
        Ok(caller) => {
            let kind = caller.kind;
            request.extensions_mut().insert(caller);
            (next.run(request).await, kind)
        }
        Err(response) => (response, CallerKind::Invalid),
    };
    response.extensions_mut().insert(CredentialKind(kind));
    response
}
