//! The JSON-lines request log (stderr or a file) with a ring of recent entries for the control
//! endpoint. Secrets never reach it: known token strings and sensitive query values are masked.

use std::collections::VecDeque;
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

use serde_json::Value;

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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
