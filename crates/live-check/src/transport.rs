//! Sends requests over HTTPS (or plain HTTP to a loopback sandbox) the way the app's browser transport
//! does: exactly the request's headers (plus what a check adds on purpose, such as a browser's `Origin`),
//! no redirects followed, the answer read within the request's own limit. Every answer is remembered in
//! [`Exchange`]s, which the CORS and rate-limit checks read afterwards.

use std::io::Read;
use std::time::Duration;

use versioning_core::bitbucket::multipart;
use versioning_core::bitbucket::{ApiRequest, ApiResponse, BodyReader, RequestBody};

/// One request to send, in any method (the product's `GET`, `POST`, `PUT`; the checker's `DELETE` and
/// `OPTIONS`).
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// `GET`, `POST`, `PUT`, `DELETE`, `OPTIONS`.
    pub method: String,
    /// The absolute URL.
    pub url: String,
    /// The headers, exactly these.
    pub headers: Vec<(String, String)>,
    /// The body bytes, if any.
    pub body: Option<Vec<u8>>,
    /// The largest answer read.
    pub max_response_bytes: u64,
}

impl Outgoing {
    /// The product's request as its browser transport sends it (a multipart body encoded with its
    /// boundary in `Content-Type`, a form urlencoded).
    pub fn from_api(request: &ApiRequest) -> Outgoing {
        let mut headers = request.headers.clone();
        let body = match &request.body {
            None => None,
            Some(RequestBody::Json(text)) => Some(text.clone().into_bytes()),
            Some(RequestBody::Form(pairs)) => {
                headers.push((
                    "Content-Type".to_owned(),
                    "application/x-www-form-urlencoded;charset=UTF-8".to_owned(),
                ));
                let mut form = url::form_urlencoded::Serializer::new(String::new());
                for (name, value) in pairs {
                    form.append_pair(name, value);
                }
                Some(form.finish().into_bytes())
            }
            Some(RequestBody::Multipart(parts)) => {
                let encoded = multipart::encode(parts, random_u64());
                headers.push(("Content-Type".to_owned(), encoded.content_type));
                Some(encoded.body)
            }
            Some(RequestBody::Bytes(raw)) => {
                headers.push(("Content-Type".to_owned(), raw.content_type.clone()));
                Some(raw.bytes.clone())
            }
        };
        Outgoing {
            method: request.method.as_str().to_owned(),
            url: request.url.clone(),
            headers,
            body,
            max_response_bytes: request.max_response_bytes,
        }
    }

    /// The same request with a header set (replacing one of the same name).
    pub fn header(mut self, name: &str, value: &str) -> Outgoing {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

/// What one request got: kept for the checks that look at every answer.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The method.
    pub method: String,
    /// The URL (no secret is ever in one).
    pub url: String,
    /// The status.
    pub status: u16,
    /// The answer's headers.
    pub headers: Vec<(String, String)>,
    /// The start of the body (for 429s).
    pub body_start: String,
    /// Whether the request carried an `Origin`.
    pub had_origin: bool,
}

impl Exchange {
    /// A header's value (names compare case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The HTTP client of one run.
pub struct Transport {
    agent: ureq::Agent,
    /// Every answer, in order.
    pub exchanges: Vec<Exchange>,
    /// An `Origin` sent with every request (Cloud: as the browser sends its page's origin).
    pub origin: Option<String>,
    /// Print each request and its status.
    pub verbose: bool,
    /// Set once the service answered 429 twice in a row: nothing more is sent but the clean-up.
    pub stopped: Option<String>,
    /// Seconds to wait after a 429 without `Retry-After` before the one retry.
    pub retry_wait_seconds: u64,
}

/// Why a request got no answer.
pub type SendError = String;

impl Transport {
    /// A client with a per-request timeout, and extra trusted roots when `ca_pem` is given.
    pub fn new(timeout: Duration, ca_pem: Option<&[u8]>) -> Result<Transport, String> {
        let mut config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(timeout));
        if let Some(pem) = ca_pem {
            let mut certs = Vec::new();
            for item in ureq::tls::parse_pem(pem) {
                if let ureq::tls::PemItem::Certificate(cert) =
                    item.map_err(|e| format!("--ca-file: {e}"))?
                {
                    certs.push(cert);
                }
            }
            if certs.is_empty() {
                return Err("--ca-file holds no PEM certificate".to_owned());
            }
            let tls = ureq::tls::TlsConfig::builder()
                .root_certs(ureq::tls::RootCerts::new_with_certs(&certs))
                .build();
            config = config.tls_config(tls);
        }
        Ok(Transport {
            agent: config.build().new_agent(),
            exchanges: Vec::new(),
            origin: None,
            verbose: false,
            stopped: None,
            retry_wait_seconds: 1,
        })
    }

    /// Sends the product's request.
    pub fn api(&mut self, request: &ApiRequest) -> Result<ApiResponse, SendError> {
        self.send(Outgoing::from_api(request))
    }

    /// Sends a request. A 429 is remembered; after one with `Retry-After` of at most a minute (or
    /// without one, after [`Transport::retry_wait_seconds`]) the request is sent once more, and a second
    /// 429 stops the run (the product too ends a job at Cloud's hourly limit instead of insisting).
    pub fn send(&mut self, request: Outgoing) -> Result<ApiResponse, SendError> {
        if let Some(reason) = &self.stopped {
            return Err(format!("not sent: {reason}"));
        }
        let first = self.send_once(&request)?;
        if first.status != 429 {
            return Ok(first);
        }
        let wait = first
            .header("Retry-After")
            .and_then(|v| v.trim().parse::<u64>().ok())
            .unwrap_or(self.retry_wait_seconds);
        if wait > 60 {
            self.stopped = Some(format!(
                "Bitbucket answered 429 with Retry-After {wait}: the checker stopped there"
            ));
            return Ok(first);
        }
        eprintln!("  (429: waiting {wait} s, then sending it once more)");
        std::thread::sleep(Duration::from_secs(wait));
        let second = self.send_once(&request)?;
        if second.status == 429 {
            self.stopped = Some(
                "Bitbucket answered 429 twice in a row (its rate limit): the checker stopped there"
                    .to_owned(),
            );
        }
        Ok(second)
    }

    /// Sends a request even after the run stopped (the clean-up), without retrying.
    pub fn send_anyway(&mut self, request: Outgoing) -> Result<ApiResponse, SendError> {
        self.send_once(&request)
    }

    fn send_once(&mut self, request: &Outgoing) -> Result<ApiResponse, SendError> {
        let mut request = request.clone();
        if let Some(origin) = &self.origin {
            if !request
                .headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case("origin"))
            {
                request = request.header("Origin", origin);
            }
        }
        let mut builder = ureq::http::Request::builder()
            .method(request.method.as_str())
            .uri(request.url.as_str());
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let answer = match request.body.clone() {
            Some(body) => builder
                .body(body)
                .map_err(|e| e.to_string())
                .and_then(|r| self.agent.run(r).map_err(|e| e.to_string())),
            None => builder
                .body(())
                .map_err(|e| e.to_string())
                .and_then(|r| self.agent.run(r).map_err(|e| e.to_string())),
        };
        let mut answer = match answer {
            Ok(answer) => answer,
            Err(error) => {
                if self.verbose {
                    eprintln!("  {} {} -> no answer: {error}", request.method, request.url);
                }
                return Err(format!("no answer: {error}"));
            }
        };
        let status = answer.status().as_u16();
        let headers: Vec<(String, String)> = answer
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let length = answer
            .headers()
            .get("content-length")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let read = match BodyReader::new(request.max_response_bytes, length.as_deref()) {
            Ok(mut reader) => {
                let mut body = answer.body_mut().as_reader();
                let mut chunk = vec![0u8; 64 * 1024];
                loop {
                    match body.read(&mut chunk) {
                        Ok(0) => break Ok(reader.finish()),
                        Ok(n) => {
                            if let Err(refused) = reader.push(&chunk[..n]) {
                                break Err(refused);
                            }
                        }
                        Err(error) => return Err(format!("the answer broke off: {error}")),
                    }
                }
            }
            Err(refused) => Err(refused),
        };
        let response = match read {
            Ok(body) => ApiResponse {
                status,
                headers,
                body,
                too_large: None,
            },
            Err(refused) => ApiResponse::too_large(status, headers, refused),
        };
        if self.verbose {
            eprintln!("  {} {} -> {status}", request.method, request.url);
        }
        self.exchanges.push(Exchange {
            method: request.method.clone(),
            url: request.url.clone(),
            status,
            headers: response.headers.clone(),
            body_start: String::from_utf8_lossy(&response.body[..response.body.len().min(300)])
                .into_owned(),
            had_origin: request
                .headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case("origin")),
        });
        Ok(response)
    }
}

/// 64 random bits (a multipart boundary, a run's name): the standard library's per-process random keys,
/// mixed with the time.
pub fn random_u64() -> u64 {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = RandomState::new().build_hasher();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    hasher.write_u128(now);
    hasher.write_u32(std::process::id());
    hasher.finish()
}
