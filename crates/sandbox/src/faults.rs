//! Fault injection on `/2.0` and `/rest` (never on `/_sandbox` or static files): latency with
//! jitter, a bandwidth cap, slow bodies, a per-credential hourly rate limit, random or queued
//! 5xx answers, connections dropped after the request was processed, and large bodies made while they
//! are sent (a 200 MB file, a manifest of a million entries). Injected answers carry
//! the usual CORS headers, or none (`fault_cors`), as some proxies and rate limiters send them.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::Response;
use rand::Rng;
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

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

/// The most entries of a [`LargeContent::Manifest`] (their numbers have seven digits).
const MAX_MANIFEST_ENTRIES: u64 = 10_000_000;

/// What the injector decided for one request before running it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Verdict {
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
    pub(crate) fn decide(&self, credential: &str, path: &str, cloud_limit: Option<u32>) -> Verdict {
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
    pub(crate) fn injected(&self, mut response: Response) -> Response {
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
    pub(crate) fn large_body(&self, path: &str) -> Option<LargeBody> {
        let s = self.settings.lock().unwrap_or_else(|e| e.into_inner());
        s.large_bodies
            .iter()
            .find(|large| path.contains(&large.path))
            .cloned()
    }

    /// The bandwidth cap (bytes per second) and the delay before a body, in milliseconds.
    pub(crate) fn shaping(&self) -> (Option<u64>, u64) {
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
