//! The parts of a request every API handler reads, extracted at once.

use axum::extract::rejection::ExtensionRejection;
use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Uri};
use axum::{Extension, Json};
use serde_json::Value;

use crate::auth::Caller;
use crate::errors::CloudError;
use crate::query::{cloud_page, Params};
use crate::state::AppState;

/// An API request as the handlers see it: the shared state, the caller found by the
/// authentication middleware, the request headers and the URI as the client sent it.
pub struct Call {
    /// The shared state.
    pub state: AppState,
    /// Who is calling.
    pub caller: Caller,
    /// The request headers.
    pub headers: HeaderMap,
    /// The original request URI (path and query).
    pub uri: Uri,
    /// Whether the request came over TLS (`--tls`).
    pub https: bool,
}

impl Call {
    /// `http(s)://host:port` of the request, for absolute links.
    pub fn origin(&self) -> String {
        crate::links::origin(&self.headers, self.https)
    }

    /// The query parameters of the request.
    pub fn params(&self) -> Params {
        Params::from_uri(&self.uri)
    }

    /// A Cloud page of `values` for this request (see [`cloud_page`]), linked to its path: `pagelen`
    /// defaults to `default_pagelen`, and one above Cloud's maximum gets what the configuration's
    /// [`crate::config::CloudReadings::pagelen_above_max`] says. Bad paging parameters: 400.
    pub fn cloud_page(
        &self,
        values: Vec<Value>,
        default_pagelen: usize,
    ) -> Result<Json<Value>, CloudError> {
        let base = format!("{}{}", self.origin(), self.uri.path());
        let above_max = self.state.config().cloud.readings.pagelen_above_max;
        cloud_page(values, &self.params(), &base, (default_pagelen, above_max))
            .map(Json)
            .map_err(CloudError::bad_request)
    }

    /// The caller's git identity (name, email): the user's, or for a resource access token its
    /// name and `noreply@example.com`. `None` for anonymous callers.
    pub fn identity(&self) -> Option<(String, String)> {
        match (&self.caller.user, &self.caller.grant) {
            (Some(u), _) => self
                .state
                .config()
                .user(u)
                .map(|u| (u.name.clone(), u.email.clone())),
            (None, Some(g)) => Some((g.name.clone(), "noreply@example.com".to_string())),
            (None, None) => None,
        }
    }
}

impl FromRequestParts<AppState> for Call {
    type Rejection = ExtensionRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Extension(caller) = Extension::<Caller>::from_request_parts(parts, state).await?;
        let Ok(OriginalUri(uri)) = OriginalUri::from_request_parts(parts, state).await;
        Ok(Call {
            state: state.clone(),
            caller,
            headers: parts.headers.clone(),
            uri,
            https: crate::links::is_https(&parts.extensions),
        })
    }
}
