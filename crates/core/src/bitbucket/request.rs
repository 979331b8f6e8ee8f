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
    /// Raw bytes of a content type (git's push request), sent as they are.
    Bytes(RawBody),
}

/// A body sent as it is, with its `Content-Type`.
#[derive(Clone, PartialEq, Eq)]
pub struct RawBody {
    /// The `Content-Type` the transport sends with it.
    pub content_type: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

impl fmt::Debug for RawBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawBody")
            .field("content_type", &self.content_type)
            .field("len", &self.bytes.len())
            .finish()
    }
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
    /// The largest answer body the transport reads, in bytes ([`MAX_RESPONSE_BYTES`] unless the call
    /// says otherwise): a larger one is refused from its `Content-Length`, or cut off while it is read.
    pub max_response_bytes: u64,
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
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}

/// The largest answer of a request that names no other limit (16 MiB): a JSON page, a commit, an error.
/// Calls that read files, archives or patches set their own ([`ApiRequest::max_response_bytes`]).
pub const MAX_RESPONSE_BYTES: u64 = 16 * 1024 * 1024;

/// A body the transport did not read whole because it was larger than the request's limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyTooLarge {
    /// The limit, in bytes.
    pub limit: u64,
    /// The size the server announced (`Content-Length`), when it announced one.
    pub size: Option<u64>,
}

/// What the transport got back: status, headers and the raw body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiResponse {
    /// The HTTP status code.
    pub status: u16,
    /// The response headers the transport could read (browsers hide those Bitbucket does not expose).
    pub headers: Vec<(String, String)>,
    /// The body bytes (empty when the body was too large).
    pub body: Vec<u8>,
    /// Set when the body was larger than the request's limit and was not read whole.
    pub too_large: Option<BodyTooLarge>,
}

/// Reads an answer's body within a request's limit, chunk by chunk as the transport receives it: a body
/// announced larger than the limit is refused before any of it is read, one that grows past the limit
/// is refused at the chunk that crosses it, so at most the limit is ever held.
///
/// ```
/// use versioning_core::bitbucket::{BodyReader, BodyTooLarge};
/// let mut reader = BodyReader::new(8, Some("5")).unwrap();
/// reader.push(b"hello").unwrap();
/// assert_eq!(reader.push(b"world"), Err(BodyTooLarge { limit: 8, size: None }));
/// assert!(BodyReader::new(8, Some("9")).is_err());
/// ```
#[derive(Debug)]
pub struct BodyReader {
    limit: u64,
    body: Vec<u8>,
}

impl BodyReader {
    /// A reader of a body limited to `limit` bytes, whose `Content-Length` header, if any, is
    /// `content_length`; refused at once when that is over the limit.
    pub fn new(limit: u64, content_length: Option<&str>) -> Result<Self, BodyTooLarge> {
        let announced = content_length.and_then(|value| value.trim().parse::<u64>().ok());
        if let Some(size) = announced.filter(|&size| size > limit) {
            return Err(BodyTooLarge {
                limit,
                size: Some(size),
            });
        }
        // Never trust an announced size for more than the limit.
        let capacity = announced.unwrap_or(0).min(limit);
        Ok(BodyReader {
            limit,
            body: Vec::with_capacity(usize::try_from(capacity).unwrap_or(0)),
        })
    }

    /// Adds the next chunk; refused (and the body dropped) when it would take the body over the limit.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), BodyTooLarge> {
        let size = (self.body.len() as u64).saturating_add(chunk.len() as u64);
        if size > self.limit {
            self.body = Vec::new();
            return Err(BodyTooLarge {
                limit: self.limit,
                size: None,
            });
        }
        self.body.extend_from_slice(chunk);
        Ok(())
    }

    /// The body read.
    pub fn finish(self) -> Vec<u8> {
        self.body
    }
}

impl ApiResponse {
    /// A response with a status and body and no headers (handy for tests and fakes).
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Self {
        ApiResponse {
            status,
            headers: Vec::new(),
            body: body.into(),
            too_large: None,
        }
    }

    /// An answer whose body was not read because it was larger than the request's limit.
    pub fn too_large(status: u16, headers: Vec<(String, String)>, refused: BodyTooLarge) -> Self {
        ApiResponse {
            status,
            headers,
            body: Vec::new(),
            too_large: Some(refused),
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
