//! Requests and responses as plain data: what the transport (fetch in the browser, a fake in tests) executes
//! and what it hands back.
//!
//! A request carries only the headers the Bitbucket APIs need. Anything else (`User-Agent`, custom `X-…`
//! headers) would make browsers send a CORS preflight that Bitbucket rejects.

use std::fmt;

/// The `Authorization` header name.
pub const AUTHORIZATION: &str = "Authorization";

/// HTTP methods the client uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// Read.
    Get,
    /// Create (Cloud commits and branches, Data Center branches).
    Post,
    /// Replace (Data Center file edits).
    Put,
}

impl Method {
    /// The method as written on the wire (`GET`, `POST`, `PUT`).
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One field of a `multipart/form-data` body.
#[derive(Clone, PartialEq, Eq)]
pub struct MultipartPart {
    /// The field name (a repository path for Cloud file fields, `message`, `branch`…).
    pub name: String,
    /// A file name, which makes the part a file upload.
    pub filename: Option<String>,
    /// The bytes, sent as they are.
    pub content: Vec<u8>,
    /// The part's content type (`text/plain; charset=utf-8`, `application/octet-stream`).
    pub content_type: String,
}

impl MultipartPart {
    /// A plain text field.
    pub fn text(name: &str, value: &str) -> Self {
        MultipartPart {
            name: name.to_owned(),
            filename: None,
            content: value.as_bytes().to_vec(),
            content_type: "text/plain; charset=utf-8".to_owned(),
        }
    }

    /// A file field carrying raw bytes.
    pub fn file(name: &str, filename: &str, content: Vec<u8>) -> Self {
        MultipartPart {
            name: name.to_owned(),
            filename: Some(filename.to_owned()),
            content,
            content_type: "application/octet-stream".to_owned(),
        }
    }
}

impl fmt::Debug for MultipartPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MultipartPart")
            .field("name", &self.name)
            .field("filename", &self.filename)
            .field("content_len", &self.content.len())
            .field("content_type", &self.content_type)
            .finish()
    }
}

/// A request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestBody {
    /// A JSON document (the request carries `Content-Type: application/json`).
    Json(String),
    /// `application/x-www-form-urlencoded` pairs, encoded by the transport.
    Form(Vec<(String, String)>),
    /// `multipart/form-data` parts; the transport sends them as one body made by [`super::multipart::encode`].
    Multipart(Vec<MultipartPart>),
}

/// A complete description of one HTTP request, ready to execute.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiRequest {
    /// The HTTP method.
    pub method: Method,
    /// The absolute URL, with path segments and query values already percent-encoded.
    pub url: String,
    /// The headers to send, exactly these and no others.
    pub headers: Vec<(String, String)>,
    /// The body, if any.
    pub body: Option<RequestBody>,
}

impl ApiRequest {
    /// The value of a header (names compare case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

impl fmt::Debug for ApiRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(name, value)| {
                let shown = if name.eq_ignore_ascii_case(AUTHORIZATION) {
                    "<redacted>"
                } else {
                    value.as_str()
                };
                (name.as_str(), shown)
            })
            .collect();
        f.debug_struct("ApiRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &headers)
            .field("body", &self.body)
            .finish()
    }
}

/// What the transport got back: status, headers and the raw body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiResponse {
    /// The HTTP status code.
    pub status: u16,
    /// The response headers the transport could read (browsers hide those Bitbucket does not expose).
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
}

impl ApiResponse {
    /// A response with a status and body and no headers (handy for tests and fakes).
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Self {
        ApiResponse {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// The same response with one more header.
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The value of a header (names compare case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}
