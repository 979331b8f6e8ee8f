//! The JSON-lines request log (stderr or a file) with a ring of recent entries for the control
//! endpoint. Secrets never reach it: known token strings and sensitive query values are masked.

use std::collections::VecDeque;
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use serde_json::{json, Value};

use crate::auth::CredentialKind;
use crate::state::AppState;

const RECENT: usize = 500;
const SENSITIVE: [&str; 8] = [
    "access_token",
    "token",
    "password",
    "secret",
    "key",
    "auth",
    "jwt",
    "signature",
];

/// Where request log lines go.
pub struct RequestLog {
    sink: Option<Mutex<Box<dyn Write + Send>>>,
    recent: Mutex<VecDeque<Value>>,
    secrets: Vec<String>,
}

impl RequestLog {
    /// A log to `file` (appended) or stderr; `quiet` keeps entries in memory only.
    pub fn new(
        file: Option<&Path>,
        quiet: bool,
        secrets: Vec<String>,
    ) -> std::io::Result<RequestLog> {
        let sink: Option<Box<dyn Write + Send>> = match (quiet, file) {
            (true, _) => None,
            (false, Some(path)) => Some(Box::new(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)?,
            )),
            (false, None) => Some(Box::new(std::io::stderr())),
        };
        Ok(RequestLog {
            sink: sink.map(Mutex::new),
            recent: Mutex::new(VecDeque::new()),
            secrets,
        })
    }

    /// Masks known secrets in free text.
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.to_string();
        for secret in self.secrets.iter().filter(|s| !s.is_empty()) {
            out = out.replace(secret.as_str(), "[redacted]");
        }
        out
    }

    /// Masks sensitive query values and known secrets.
    pub fn scrub_query(&self, query: &str) -> String {
        let pairs = form_urlencoded::parse(query.as_bytes()).map(|(k, v)| {
            let lower = k.to_ascii_lowercase();
            let hidden = SENSITIVE.iter().any(|s| lower.contains(s));
            (
                k.into_owned(),
                if hidden {
                    "[redacted]".to_string()
                } else {
                    self.scrub(&v)
                },
            )
        });
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            out.append_pair(&self.scrub(&k), &v);
        }
        out.finish()
    }

    /// Writes one entry.
    pub fn write(&self, mut entry: Value) {
        let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        // Numbered in the order written, so that a test can ask for what came after a point.
        let seq = recent
            .back()
            .and_then(|last| last["seq"].as_u64())
            .map_or(1, |last| last + 1);
        if let Value::Object(fields) = &mut entry {
            fields.insert("seq".to_owned(), seq.into());
        }
        if let Some(sink) = &self.sink {
            let mut sink = sink.lock().unwrap_or_else(|e| e.into_inner());
            let _ = writeln!(sink, "{entry}");
            let _ = sink.flush();
        }
        if recent.len() == RECENT {
            recent.pop_front();
        }
        recent.push_back(entry);
    }

    /// The last `limit` entries, oldest first.
    pub fn recent(&self, limit: usize) -> Vec<Value> {
        let recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        recent
            .iter()
            .skip(recent.len().saturating_sub(limit))
            .cloned()
            .collect()
    }
}

/// Middleware: logs every request once its response head is ready.
pub async fn log_requests(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let path = request.uri().path().to_string();
    let query = request.uri().query().unwrap_or("").to_string();
    let scheme = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(' ').next())
        .map(str::to_ascii_lowercase);
    let response = next.run(request).await;
    let log = state.log();
    let bytes = response
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .or_else(|| http_body::Body::size_hint(response.body()).exact());
    let credential = response
        .extensions()
        .get::<CredentialKind>()
        .map(|k| k.0.name());
    log.write(json!({
        "time": crate::time::iso8601(crate::time::now_secs(), 0),
        "method": method,
        "path": log.scrub(&path),
        "query": log.scrub_query(&query),
        "status": response.status().as_u16(),
        "duration_ms": started.elapsed().as_secs_f64() * 1000.0,
        "body_bytes": bytes,
        "credential": credential.unwrap_or("unresolved"),
        "auth_scheme": scheme.unwrap_or_else(|| "none".to_string()),
    }));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_numbered_in_the_order_written_past_the_ring() {
        let log = RequestLog::new(None, true, Vec::new()).unwrap();
        for _ in 0..RECENT + 2 {
            log.write(json!({ "path": "/2.0/user" }));
        }
        let recent = log.recent(2);
        assert_eq!(recent[0]["seq"], RECENT as u64 + 1);
        assert_eq!(recent[1]["seq"], RECENT as u64 + 2);
    }

    #[test]
    fn secrets_are_masked_in_queries() {
        let log = RequestLog::new(None, true, vec!["BBDC-x".into()]).unwrap();
        let q = log.scrub_query("access_token=abc&q=BBDC-x&page=2");
        assert!(!q.contains("abc") && !q.contains("BBDC-x"));
        assert!(q.contains("page=2"));
    }
}
