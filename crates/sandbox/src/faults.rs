//! Fault injection on `/2.0` and `/rest` (never on `/_sandbox` or static files): latency with
//! jitter, a bandwidth cap, slow bodies, a per-credential hourly rate limit, random or queued
//! 5xx answers, connections dropped after the request was processed, and large bodies made while they
//! are sent (a 200 MB file, a manifest of a million entries). Injected answers carry
//! the usual CORS headers, or none (`fault_cors`), as some proxies and rate limiters send them.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::Rng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::time::Instant;

use crate::errors::{rate_limited, CloudError, DcError};
use crate::server::ConnectionKiller;
use crate::state::AppState;

const HOUR: Duration = Duration::from_secs(3600);

/// The fault settings (the JSON of `GET/PUT /_sandbox/faults`). Missing fields take defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultSettings {
    /// Fixed delay before each answer, in milliseconds.
    pub latency_ms: u64,
    /// Extra random delay, uniformly 0..=jitter_ms.
    pub jitter_ms: u64,
    /// Response bodies are sent at most this fast (bytes per second).
    pub bandwidth_bytes_per_sec: Option<u64>,
    /// Delay between the response head and its body, in milliseconds.
    pub slow_body_ms: u64,
    /// Requests allowed per credential in a rolling hour; more get 429.
    pub rate_limit_per_hour: Option<u32>,
    /// Probability (0..1) that a request is answered with one of `error_statuses`.
    pub error_rate: f64,
    /// Statuses used by `error_rate`.
    pub error_statuses: Vec<u16>,
    /// The next requests answer these statuses, one each, in order (deterministic).
    pub fail_next: Vec<u16>,
    /// When set, `fail_next` applies only to requests whose path contains this text (e.g.
    /// `/diffstat/`); the others pass it by.
    pub fail_next_path: Option<String>,
    /// Probability (0..1) that the connection is dropped after the request was processed.
    pub drop_rate: f64,
    /// The next N requests are processed and then their connection is dropped.
    pub drop_next: u32,
    /// Largest request body accepted on `/2.0` and `/rest`, in bytes; larger bodies get 413.
    pub max_body_bytes: u64,
    /// The next N requests are answered `301 Moved Permanently` to the same path under
    /// `/_sandbox/moved` (as a renamed repository or a proxy would), before anything else happens.
    pub redirect_next: u32,
    /// Whether injected answers (429 of the rate limit, `fail_next`, `error_rate`) carry CORS headers.
    pub fault_cors: FaultCors,
    /// Answers replaced by large bodies made while they are sent (never held whole), as a hostile
    /// repository or proxy could serve them: the first whose `path` the request's path contains.
    pub large_bodies: Vec<LargeBody>,
}

/// A large `200 OK` answer to the requests whose path contains `path`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LargeBody {
    /// The text the request's path contains (e.g. `/.manifest.json`).
    pub path: String,
    /// What the body holds.
    pub content: LargeContent,
    /// Whether the answer announces its size in `Content-Length` (otherwise it is sent in chunks of
    /// unknown total length).
    #[serde(default)]
    pub announce_length: bool,
}

/// The content of a [`LargeBody`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LargeContent {
    /// `bytes` spaces.
    Bytes {
        /// The body's size.
        bytes: u64,
    },
    /// A manifest (`{"schema_version":1,"files":[…]}`) of `entries` test-case entries.
    Manifest {
        /// How many entries; at most 10,000,000.
        entries: u64,
    },
}

/// CORS headers on injected answers: `present` (default), as the sandbox's own answers, or
/// `absent`, as some proxies and rate limiters send them (a browser then cannot read the answer).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum FaultCors {
    /// The same CORS headers as any other answer of the path.
    #[default]
    Present,
    /// No CORS headers at all.
    Absent,
}

/// Marks a response that the CORS layer must leave without CORS headers.
#[derive(Debug, Clone, Copy)]
pub struct WithoutCors;

/// Default of [`FaultSettings::max_body_bytes`]: 64 MiB.
pub const DEFAULT_MAX_BODY_BYTES: u64 = 64 * 1024 * 1024;

impl Default for FaultSettings {
    fn default() -> Self {
        FaultSettings {
            latency_ms: 0,
            jitter_ms: 0,
            bandwidth_bytes_per_sec: None,
            slow_body_ms: 0,
            rate_limit_per_hour: None,
            error_rate: 0.0,
            error_statuses: vec![500, 502, 503],
            fail_next: Vec::new(),
            fail_next_path: None,
            drop_rate: 0.0,
            drop_next: 0,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            redirect_next: 0,
            fault_cors: FaultCors::Present,
            large_bodies: Vec::new(),
        }
    }
}

impl FaultSettings {
    /// Checks ranges and statuses.
    pub fn validate(&self) -> Result<(), String> {
        if !(0.0..=1.0).contains(&self.error_rate) || !(0.0..=1.0).contains(&self.drop_rate) {
            return Err("error_rate and drop_rate must be within 0..1".to_string());
        }
        let statuses = self.error_statuses.iter().chain(&self.fail_next);
        if let Some(bad) = statuses
            .into_iter()
            .find(|s| StatusCode::from_u16(**s).is_err() || **s < 400)
        {
            return Err(format!("{bad} is not an error status"));
        }
        if self.bandwidth_bytes_per_sec == Some(0) {
            return Err("bandwidth_bytes_per_sec must be positive".to_string());
        }
        if self.max_body_bytes == 0 {
            return Err("max_body_bytes must be positive".to_string());
        }
        let too_many = |large: &LargeBody| matches!(large.content, LargeContent::Manifest { entries } if entries > MAX_MANIFEST_ENTRIES);
        if self.large_bodies.iter().any(too_many) {
            return Err(format!(
                "a large manifest has at most {MAX_MANIFEST_ENTRIES} entries"
            ));
        }
        Ok(())
    }
}

/// What the injector decided for one request before running it.
#[derive(Debug, Clone, PartialEq)]
enum Verdict {
    Pass { drop: bool },
    RateLimited,
    Fail(u16),
    Redirect,
}

/// Live fault state: settings and rate-limit counters.
pub struct Faults {
    initial: FaultSettings,
    settings: Mutex<FaultSettings>,
    hits: Mutex<HashMap<String, VecDeque<Instant>>>,
    /// Bitbucket Cloud's own hourly limit on repository paths, counted apart from the fault's.
    cloud_hits: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl Faults {
    /// Faults starting with `initial` (restored by `reset`).
    pub fn new(initial: FaultSettings) -> Faults {
        Faults {
            settings: Mutex::new(initial.clone()),
            initial,
            hits: Mutex::new(HashMap::new()),
            cloud_hits: Mutex::new(HashMap::new()),
        }
    }

    /// Current settings.
    pub fn settings(&self) -> FaultSettings {
        self.settings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Replaces the settings.
    pub fn set(&self, settings: FaultSettings) {
        *self.settings.lock().unwrap_or_else(|e| e.into_inner()) = settings;
    }

    /// Restores start-up settings and clears counters.
    pub fn reset(&self) {
        self.set(self.initial.clone());
        self.hits.lock().unwrap_or_else(|e| e.into_inner()).clear();
        self.cloud_hits
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// The delay to apply to one request.
    pub fn delay(&self) -> Duration {
        let s = self.settings.lock().unwrap_or_else(|e| e.into_inner());
        let jitter = if s.jitter_ms > 0 {
            rand::rng().random_range(0..=s.jitter_ms)
        } else {
            0
        };
        Duration::from_millis(s.latency_ms + jitter)
    }

    /// What happens to a request of `credential` on `path`; `cloud_limit` is Cloud's hourly limit of
    /// requests to repository paths, when the path is one and the limit is on.
    fn decide(&self, credential: &str, path: &str, cloud_limit: Option<u32>) -> Verdict {
        if cloud_limit.is_some_and(|limit| over_limit(&self.cloud_hits, credential, limit)) {
            return Verdict::RateLimited;
        }
        let mut s = self.settings.lock().unwrap_or_else(|e| e.into_inner());
        if s.rate_limit_per_hour
            .is_some_and(|limit| over_limit(&self.hits, credential, limit))
        {
            return Verdict::RateLimited;
        }
        let targeted = s
            .fail_next_path
            .as_deref()
            .is_none_or(|part| path.contains(part));
        if targeted && !s.fail_next.is_empty() {
            return Verdict::Fail(s.fail_next.remove(0));
        }
        if s.redirect_next > 0 {
            s.redirect_next -= 1;
            return Verdict::Redirect;
        }
        let mut rng = rand::rng();
        if s.error_rate > 0.0 && !s.error_statuses.is_empty() && rng.random_bool(s.error_rate) {
            let i = rng.random_range(0..s.error_statuses.len());
            return Verdict::Fail(s.error_statuses[i]);
        }
        let drop = if s.drop_next > 0 {
            s.drop_next -= 1;
            true
        } else {
            s.drop_rate > 0.0 && rng.random_bool(s.drop_rate)
        };
        Verdict::Pass { drop }
    }

    /// The current request-body limit in bytes.
    pub fn max_body_bytes(&self) -> u64 {
        self.settings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .max_body_bytes
    }

    /// An injected answer, marked to go without CORS headers when `fault_cors` is `absent`.
    fn injected(&self, mut response: Response) -> Response {
        let cors = self
            .settings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .fault_cors;
        if cors == FaultCors::Absent {
            response.extensions_mut().insert(WithoutCors);
        }
        response
    }

    /// The large body that replaces the answer to a request of `path`, if any.
    fn large_body(&self, path: &str) -> Option<LargeBody> {
        let s = self.settings.lock().unwrap_or_else(|e| e.into_inner());
        s.large_bodies
            .iter()
            .find(|large| path.contains(&large.path))
            .cloned()
    }

    fn shaping(&self) -> (Option<u64>, u64) {
        let s = self.settings.lock().unwrap_or_else(|e| e.into_inner());
        (s.bandwidth_bytes_per_sec, s.slow_body_ms)
    }
}

/// Counts a request of `credential` in its rolling hour, unless `limit` requests were counted there
/// already: then answers that it is over the limit.
fn over_limit(
    hits: &Mutex<HashMap<String, VecDeque<Instant>>>,
    credential: &str,
    limit: u32,
) -> bool {
    let mut hits = hits.lock().unwrap_or_else(|e| e.into_inner());
    let now = Instant::now();
    if !hits.contains_key(credential) && hits.len() >= MAX_CREDENTIALS {
        make_room(&mut hits, now);
    }
    let window = hits.entry(credential.to_string()).or_default();
    while window
        .front()
        .is_some_and(|t| now.duration_since(*t) >= HOUR)
    {
        window.pop_front();
    }
    if window.len() >= limit as usize {
        return true;
    }
    window.push_back(now);
    false
}

/// Most credentials whose hits are remembered; beyond, the least recently seen are forgotten.
const MAX_CREDENTIALS: usize = 10_000;

/// Frees a place in the rate-limit counters: drops the credentials without a hit in the last hour
/// and, if none, the one seen least recently.
fn make_room(hits: &mut HashMap<String, VecDeque<Instant>>, now: Instant) {
    hits.retain(|_, w| w.back().is_some_and(|t| now.duration_since(*t) < HOUR));
    if hits.len() >= MAX_CREDENTIALS {
        let oldest = hits
            .iter()
            .min_by_key(|(_, w)| w.back().copied())
            .map(|(k, _)| k.clone());
        if let Some(key) = oldest {
            hits.remove(&key);
        }
    }
}

/// A rate-limit key that identifies a credential without keeping it.
fn credential_key(request: &Request) -> String {
    match request.headers().get(header::AUTHORIZATION) {
        Some(value) => {
            let digest = Sha256::digest(value.as_bytes());
            digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
        }
        None => "anonymous".to_string(),
    }
}

fn failure(path: &str, status: u16) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let reason = status.canonical_reason().unwrap_or("Error");
    product_error(path, status, reason)
}

/// A `301` to the same path and query under `/_sandbox/moved`, on the same host.
fn moved(request: &Request) -> Response {
    let target = request
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_string();
    let location = format!("/_sandbox/moved{target}");
    (
        StatusCode::MOVED_PERMANENTLY,
        [(header::LOCATION, location)],
    )
        .into_response()
}

/// An error answer in the error shape of the product that `path` belongs to (Cloud for `/2.0`,
/// Data Center otherwise, with no exception name).
pub fn product_error(path: &str, status: StatusCode, message: &str) -> Response {
    if path.starts_with("/2.0") {
        CloudError::new(status, message).into_response()
    } else {
        DcError {
            status,
            message: message.to_string(),
            exception: None,
        }
        .into_response()
    }
}

/// Middleware: applies the faults to API requests (not to preflights); git's smart HTTP on Data
/// Center (`/scm`) takes the latency only, as a request over the same network.
pub async fn inject_faults(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_string();
    let api = path.starts_with("/2.0") || path.starts_with("/rest");
    let git = path.starts_with("/scm/");
    if !(api || git) || request.method() == Method::OPTIONS {
        return next.run(request).await;
    }
    let faults = state.faults();
    let delay = faults.delay();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    if git {
        return next.run(request).await;
    }
    // Cloud counts requests to repository paths per user and rolling hour, and answers its plain 429.
    let cloud_limit = match state.config().cloud.limits.requests_per_hour {
        0 => None,
        limit => Some(limit).filter(|_| path.starts_with("/2.0/repositories/")),
    };
    let drop = match faults.decide(&credential_key(&request), &path, cloud_limit) {
        Verdict::RateLimited => return faults.injected(rate_limited()),
        Verdict::Fail(status) => return faults.injected(failure(&path, status)),
        Verdict::Redirect => return faults.injected(moved(&request)),
        Verdict::Pass { drop } => drop,
    };
    if let Some(large) = faults.large_body(&path) {
        return faults.injected(large.response());
    }
    let killer = request.extensions().get::<ConnectionKiller>().cloned();
    let response = next.run(request).await;
    if drop {
        return match killer {
            Some(killer) => killer.kill().await,
            None => broken_body(response),
        };
    }
    match faults.shaping() {
        (None, 0) => response,
        (bandwidth, slow_ms) => throttle(response, bandwidth, slow_ms).await,
    }
}

/// The most entries of a [`LargeContent::Manifest`] (their numbers have seven digits).
const MAX_MANIFEST_ENTRIES: u64 = 10_000_000;

/// Bytes of a large body made at a time.
const LARGE_CHUNK_BYTES: usize = 64 * 1024;

/// The start and the end of a large manifest, around its entries.
const MANIFEST_HEAD: &str = r#"{"schema_version":1,"files":["#;
const MANIFEST_TAIL: &str = "]}";

/// Entry `index` of a large manifest (all entries have the same length), with the comma before it but
/// for the first.
fn manifest_entry(index: u64) -> String {
    let comma = if index == 0 { "" } else { "," };
    format!(
        r#"{comma}{{"path":"test-artifacts/test-suites/large/{index:07}--t{index:07}.json","sha256":"{}","id":"t{index:07}","kind":"test_case"}}"#,
        "0".repeat(64)
    )
}

impl LargeBody {
    /// The body's length in bytes.
    fn length(&self) -> u64 {
        match self.content {
            LargeContent::Bytes { bytes } => bytes,
            LargeContent::Manifest { entries } => {
                let entry = manifest_entry(1).len() as u64;
                let commas = entries.min(1);
                (MANIFEST_HEAD.len() + MANIFEST_TAIL.len()) as u64 + entries * entry - commas
            }
        }
    }

    /// Chunk `index` of the body (of about [`LARGE_CHUNK_BYTES`]), `None` after the last.
    fn chunk(&self, index: u64) -> Option<bytes::Bytes> {
        match self.content {
            LargeContent::Bytes { bytes } => {
                let start = index.checked_mul(LARGE_CHUNK_BYTES as u64)?;
                let size = bytes.checked_sub(start).filter(|&rest| rest > 0)?;
                let size = size.min(LARGE_CHUNK_BYTES as u64) as usize;
                Some(bytes::Bytes::from(vec![b' '; size]))
            }
            LargeContent::Manifest { entries } => {
                let per_chunk = (LARGE_CHUNK_BYTES / manifest_entry(1).len()) as u64;
                let first = index * per_chunk;
                // One chunk more than the entries' for the head and tail of an empty manifest.
                let chunks = entries.div_ceil(per_chunk).max(1);
                if index >= chunks {
                    return None;
                }
                let mut text = if index == 0 {
                    MANIFEST_HEAD.to_string()
                } else {
                    String::new()
                };
                for entry in first..(first + per_chunk).min(entries) {
                    text.push_str(&manifest_entry(entry));
                }
                if index + 1 == chunks {
                    text.push_str(MANIFEST_TAIL);
                }
                Some(bytes::Bytes::from(text))
            }
        }
    }

    /// The answer, its body made chunk by chunk as it is sent.
    fn response(self) -> Response {
        let length = self.length();
        let announce = self.announce_length;
        let stream = futures_util::stream::unfold((self, 0u64), |(large, index)| async move {
            let chunk = large.chunk(index)?;
            Some((Ok::<_, std::io::Error>(chunk), (large, index + 1)))
        });
        let mut response = Response::new(Body::from_stream(stream));
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/octet-stream"),
        );
        if announce {
            headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
        }
        response
    }
}

/// Without a real connection to drop (in-process use), the body fails instead.
fn broken_body(response: Response) -> Response {
    let (parts, _) = response.into_parts();
    let stream = futures_util::stream::once(async {
        Err::<bytes::Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "connection dropped by fault injection",
        ))
    });
    Response::from_parts(parts, Body::from_stream(stream))
}

async fn throttle(response: Response, bandwidth: Option<u64>, slow_ms: u64) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "body error").into_response();
    };
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    let chunk = bandwidth
        .map(|b| (b / 10).max(1) as usize)
        .unwrap_or(bytes.len().max(1));
    let stream = futures_util::stream::unfold((bytes, true), move |(rest, first)| async move {
        if first && slow_ms > 0 {
            tokio::time::sleep(Duration::from_millis(slow_ms)).await;
        }
        if rest.is_empty() {
            return None;
        }
        let mut rest = rest;
        let piece = rest.split_to(chunk.min(rest.len()));
        if let Some(bps) = bandwidth {
            tokio::time::sleep(Duration::from_secs_f64(piece.len() as f64 / bps as f64)).await;
        }
        Some((Ok::<_, std::io::Error>(piece), (rest, false)))
    });
    Response::from_parts(parts, Body::from_stream(stream))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queued_failures_come_first_then_drops() {
        let faults = Faults::new(FaultSettings {
            fail_next: vec![503, 500],
            drop_next: 1,
            ..Default::default()
        });
        assert_eq!(faults.decide("a", "/2.0/user", None), Verdict::Fail(503));
        assert_eq!(faults.decide("a", "/2.0/user", None), Verdict::Fail(500));
        assert_eq!(
            faults.decide("a", "/2.0/user", None),
            Verdict::Pass { drop: true }
        );
        assert_eq!(
            faults.decide("a", "/2.0/user", None),
            Verdict::Pass { drop: false }
        );
    }

    #[test]
    fn queued_failures_can_wait_for_a_path() {
        let faults = Faults::new(FaultSettings {
            fail_next: vec![555],
            fail_next_path: Some("/diffstat/".to_string()),
            ..Default::default()
        });
        let diffstat = "/2.0/repositories/acme/checkout-tests/diffstat/a..b";
        assert_eq!(
            faults.decide("a", "/2.0/user", None),
            Verdict::Pass { drop: false }
        );
        assert_eq!(faults.decide("a", diffstat, None), Verdict::Fail(555));
        assert_eq!(
            faults.decide("a", diffstat, None),
            Verdict::Pass { drop: false }
        );
    }

    #[test]
    fn redirects_come_after_queued_failures() {
        let faults = Faults::new(FaultSettings {
            fail_next: vec![500],
            redirect_next: 1,
            ..Default::default()
        });
        assert_eq!(faults.decide("a", "/2.0/user", None), Verdict::Fail(500));
        assert_eq!(faults.decide("a", "/2.0/user", None), Verdict::Redirect);
        assert_eq!(
            faults.decide("a", "/2.0/user", None),
            Verdict::Pass { drop: false }
        );
    }

    #[test]
    fn rate_limit_counters_stay_bounded() {
        let faults = Faults::new(FaultSettings {
            rate_limit_per_hour: Some(5),
            ..Default::default()
        });
        for i in 0..MAX_CREDENTIALS + 50 {
            assert_eq!(
                faults.decide(&format!("k{i}"), "/2.0/user", None),
                Verdict::Pass { drop: false }
            );
        }
        let hits = faults.hits.lock().unwrap();
        assert!(hits.len() <= MAX_CREDENTIALS, "{}", hits.len());
        assert!(hits.contains_key(&format!("k{}", MAX_CREDENTIALS + 49)));
    }

    /// The whole body of `large`, chunk by chunk.
    fn whole(large: &LargeBody) -> Vec<u8> {
        (0..)
            .map_while(|index| large.chunk(index))
            .flat_map(|chunk| chunk.to_vec())
            .collect()
    }

    #[test]
    fn large_bodies_have_the_length_they_announce() {
        for content in [
            LargeContent::Bytes { bytes: 0 },
            LargeContent::Bytes { bytes: 200_001 },
            LargeContent::Manifest { entries: 0 },
            LargeContent::Manifest { entries: 1 },
            LargeContent::Manifest { entries: 1_234 },
        ] {
            let large = LargeBody {
                path: "/x".to_string(),
                content,
                announce_length: true,
            };
            let body = whole(&large);
            assert_eq!(body.len() as u64, large.length(), "{content:?}");
            if let LargeContent::Manifest { entries } = content {
                let manifest: serde_json::Value = serde_json::from_slice(&body).unwrap();
                assert_eq!(manifest["files"].as_array().unwrap().len() as u64, entries);
            }
        }
    }

    #[test]
    fn settings_are_validated() {
        assert!(FaultSettings {
            error_rate: 2.0,
            ..Default::default()
        }
        .validate()
        .is_err());
        assert!(FaultSettings {
            fail_next: vec![200],
            ..Default::default()
        }
        .validate()
        .is_err());
        assert!(FaultSettings::default().validate().is_ok());
    }
}
