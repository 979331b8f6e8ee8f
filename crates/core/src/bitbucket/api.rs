//! The API a connection talks to, URL building, and [`Call`]: a request together with the way its answer is
//! read.
//!
//! Cloud paths are relative to `https://api.bitbucket.org/2.0`; Data Center paths to
//! `https://host[:port][/context]/rest` (so they start with `/api/latest/…` or `/branch-permissions/…`).

use std::fmt;
use std::sync::Arc;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::de::DeserializeOwned;

use super::auth::Credentials;
use super::error::{ApiError, ErrorContext, Operation};
use super::page::{read_cloud_page, read_data_center_page, Page};
use super::request::{
    ApiRequest, ApiResponse, Method, MultipartPart, RequestBody, AUTHORIZATION, MAX_RESPONSE_BYTES,
};
use crate::connection::ValidConnection;
use crate::repo_url::Flavour;

/// Everything except RFC 3986 "unreserved" characters gets percent-encoded.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Encodes one path segment or query value: `/`, `?`, `#`, `{`, spaces and the like all get encoded.
pub fn encode_component(text: &str) -> String {
    utf8_percent_encode(text, COMPONENT).to_string()
}

/// Encodes a repository file path: `/` stays the separator, each segment is encoded. Empty, `.` and `..`
/// segments are dropped: repository paths never contain them, and this keeps a request inside the
/// repository whatever the path says.
pub fn encode_file_path(path: &str) -> String {
    path.split('/')
        .filter(|segment| !matches!(*segment, "" | "." | ".."))
        .map(encode_component)
        .collect::<Vec<_>>()
        .join("/")
}

/// The Bitbucket API of one connection: where it is, which repository, and the credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Api {
    flavour: Flavour,
    base_url: String,
    owner: String,
    slug: String,
    credentials: Credentials,
}

impl Api {
    /// The API of a validated connection (its API base URL, flavour, owner, slug and credentials).
    pub fn new(connection: &ValidConnection) -> Self {
        Api {
            flavour: connection.location.flavour,
            base_url: connection.api_base_url.trim_end_matches('/').to_owned(),
            owner: connection.location.owner.clone(),
            slug: connection.location.slug.clone(),
            credentials: Credentials::from_connection(connection),
        }
    }

    /// Cloud or Data Center.
    pub fn flavour(&self) -> Flavour {
        self.flavour
    }

    /// The API base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The Cloud workspace or Data Center project key.
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// The repository slug.
    pub fn slug(&self) -> &str {
        &self.slug
    }

    /// The credentials requests are sent with.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// "`owner/slug`", as messages name the repository.
    pub(crate) fn repository_name(&self) -> String {
        format!("`{}/{}`", self.owner, self.slug)
    }

    /// The path of the repository resource, relative to the base URL.
    pub(crate) fn repository_path(&self) -> String {
        match self.flavour {
            Flavour::Cloud => format!(
                "/repositories/{}/{}",
                encode_component(&self.owner),
                encode_component(&self.slug)
            ),
            Flavour::DataCenter => self.data_center_path("api"),
        }
    }

    /// The repository's path in one of Data Center's REST APIs (`api`, `branch-utils`,
    /// `branch-permissions`): `/{api}/latest/projects/{key}/repos/{slug}`.
    pub(crate) fn data_center_path(&self, rest_api: &str) -> String {
        format!(
            "/{rest_api}/latest/projects/{}/repos/{}",
            encode_component(&self.owner),
            encode_component(&self.slug)
        )
    }

    /// A request for `path` (already encoded, relative to the base URL) with `query` pairs (raw values),
    /// the `Authorization` header, and `Accept: application/json` when `json` is set.
    pub(crate) fn request(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        json: bool,
    ) -> ApiRequest {
        let mut url = format!("{}{path}", self.base_url);
        let query: Vec<String> = query
            .iter()
            .map(|(name, value)| format!("{name}={}", encode_component(value)))
            .collect();
        if !query.is_empty() {
            url.push('?');
            url.push_str(&query.join("&"));
        }
        let mut headers = vec![(AUTHORIZATION.to_owned(), self.credentials.authorization())];
        if json {
            headers.push(("Accept".to_owned(), "application/json".to_owned()));
        }
        ApiRequest {
            method,
            url,
            headers,
            body: None,
            max_response_bytes: MAX_RESPONSE_BYTES,
        }
    }

    /// A request with a JSON body (adds `Content-Type: application/json`).
    pub(crate) fn json_request(
        &self,
        method: Method,
        path: &str,
        body: serde_json::Value,
    ) -> ApiRequest {
        let mut request = self.request(method, path, &[], true);
        request
            .headers
            .push(("Content-Type".to_owned(), "application/json".to_owned()));
        request.body = Some(RequestBody::Json(body.to_string()));
        request
    }

    /// A request with a multipart body. Data Center's XSRF protection needs `X-Atlassian-Token: no-check`
    /// on it; Cloud must not get that header (its CORS preflight would reject it).
    pub(crate) fn multipart_request(
        &self,
        method: Method,
        path: &str,
        parts: Vec<MultipartPart>,
    ) -> ApiRequest {
        let mut request = self.request(method, path, &[], true);
        if self.flavour == Flavour::DataCenter {
            request
                .headers
                .push(("X-Atlassian-Token".to_owned(), "no-check".to_owned()));
        }
        request.body = Some(RequestBody::Multipart(parts));
        request
    }

    /// The context errors of an `operation` on `subject` are explained with.
    pub(crate) fn context(&self, operation: Operation, subject: String) -> ErrorContext {
        ErrorContext::new(
            self.flavour,
            self.credentials.mode,
            self.credentials.username_is_email(),
            operation,
            subject,
            self.credentials.secrets(),
        )
    }

    /// A call on the repository: errors name it as the subject.
    pub(crate) fn call<T>(
        &self,
        request: ApiRequest,
        operation: Operation,
        subject: String,
        read: impl Fn(&ApiResponse) -> Option<T> + Send + Sync + 'static,
    ) -> Call<T> {
        Call {
            request,
            context: self.context(operation, subject),
            read: Arc::new(read),
        }
    }
}

impl Api {
    /// A call whose 2xx JSON body is read as `R` and converted into `T`.
    pub(crate) fn json_call<R, T>(
        &self,
        request: ApiRequest,
        operation: Operation,
        subject: String,
    ) -> Call<T>
    where
        R: DeserializeOwned + 'static,
        T: From<R> + 'static,
    {
        self.call(request, operation, subject, |response| {
            json::<R>(response).map(T::from)
        })
    }

    /// A call reading one page of a list (Cloud or Data Center envelope, by flavour) of `R`, converted
    /// into `T`.
    pub(crate) fn page_call<R, T>(
        &self,
        request: ApiRequest,
        operation: Operation,
        subject: String,
    ) -> Call<Page<T>>
    where
        R: DeserializeOwned + 'static,
        T: From<R> + 'static,
    {
        let read = match self.flavour {
            Flavour::Cloud => read_cloud_page::<R>,
            Flavour::DataCenter => read_data_center_page::<R>,
        };
        self.call(request, operation, subject, move |response| {
            read(response).map(|page| page.map(T::from))
        })
    }
}

type Reader<T> = Arc<dyn Fn(&ApiResponse) -> Option<T> + Send + Sync>;

/// One operation: the request to send and how to read its answer into our types.
pub struct Call<T> {
    /// The request for the transport.
    pub request: ApiRequest,
    context: ErrorContext,
    read: Reader<T>,
}

impl<T> Call<T> {
    /// Reads the answer: a 2xx body becomes `T`; anything else becomes the matching [`ApiError`].
    pub fn parse(&self, response: &ApiResponse) -> Result<T, ApiError> {
        if !response.is_success() || response.too_large.is_some() {
            return Err(ApiError::from_response(response, &self.context));
        }
        (self.read)(response).ok_or_else(|| ApiError::unexpected(response, &self.context))
    }

    /// What the call is about, for explaining failures.
    pub fn context(&self) -> &ErrorContext {
        &self.context
    }

    /// The same request, its answer read into `U` by `f` after `T` is read.
    pub(crate) fn map<U>(self, f: impl Fn(T) -> U + Send + Sync + 'static) -> Call<U>
    where
        T: 'static,
    {
        let read = self.read;
        Call {
            request: self.request,
            context: self.context,
            read: Arc::new(move |response| read(response).map(&f)),
        }
    }

    /// The same call, its answer limited to `bytes` (see [`ApiRequest::max_response_bytes`]).
    pub fn limited(mut self, bytes: u64) -> Self {
        self.request.max_response_bytes = bytes;
        self
    }

    /// The same reading for another request (the next page of a list).
    pub(crate) fn with_request(&self, request: ApiRequest) -> Call<T> {
        Call {
            request,
            context: self.context.clone(),
            read: Arc::clone(&self.read),
        }
    }
}

impl<T> Clone for Call<T> {
    fn clone(&self) -> Self {
        self.with_request(self.request.clone())
    }
}

impl<T> fmt::Debug for Call<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("request", &self.request)
            .field("context", &self.context)
            .finish_non_exhaustive()
    }
}

/// Reads a JSON body into `R` (extra fields are ignored by our serde types).
pub(crate) fn json<R: DeserializeOwned>(response: &ApiResponse) -> Option<R> {
    serde_json::from_slice(&response.body).ok()
}
