//! Absolute URLs built from the request's `Host`, and small identity helpers.

use axum::http::{header, Extensions, HeaderMap};
use sha2::{Digest, Sha256};

/// Request extension the server adds to every request it received over TLS (`--tls`), so that
/// absolute URLs and the own-origin check use `https://`.
#[derive(Clone, Copy, Debug)]
pub struct Https;

/// Whether the request came over TLS (it carries [`Https`]).
pub fn is_https(extensions: &Extensions) -> bool {
    extensions.get::<Https>().is_some()
}

/// `http://host:port` of the request (`Host` header; `localhost` when absent), `https://` when
/// it came over TLS.
pub fn origin(headers: &HeaderMap, https: bool) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    let scheme = if https { "https" } else { "http" };
    format!("{scheme}://{host}")
}

/// Host without the port, for SSH clone links.
pub fn hostname(origin: &str) -> String {
    let host = origin.split_once("://").map_or(origin, |(_, host)| host);
    match host.rsplit_once(':') {
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name.to_string(),
        _ => host.to_string(),
    }
}

/// A stable `{uuid}` derived from a name, so identities survive restarts.
pub fn uuid(name: &str) -> String {
    let h = Sha256::digest(name.as_bytes());
    let hex: String = h.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!(
        "{{{}-{}-4{}-a{}-{}}}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

/// A small stable number derived from a name (Data Center ids).
pub fn numeric_id(name: &str) -> u32 {
    let h = Sha256::digest(name.as_bytes());
    u32::from_be_bytes([h[0], h[1], h[2], h[3]]) % 100_000 + 1
}

/// Content type guessed from a file extension.
pub fn mime(path: &str) -> &'static str {
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "json" => "application/json",
        "md" => "text/markdown",
        "txt" | "csv" | "properties" | "feature" => "text/plain",
        "html" | "htm" => "text/html",
        "xml" => "application/xml",
        "yaml" | "yml" => "text/yaml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        _ => "application/octet-stream",
    }
}

/// Percent-encodes each segment of a path, keeping the slashes.
pub fn encode_path(path: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    path.split('/')
        .map(|s| percent_encoding::utf8_percent_encode(s, SET).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_stable_and_braced() {
        assert_eq!(uuid("ada"), uuid("ada"));
        assert_eq!(uuid("ada").len(), 38);
        assert_eq!(hostname("http://localhost:7990"), "localhost");
        assert_eq!(hostname("https://127.0.0.1:7990"), "127.0.0.1");
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, "localhost:7990".parse().unwrap());
        assert_eq!(origin(&headers, false), "http://localhost:7990");
        assert_eq!(origin(&headers, true), "https://localhost:7990");
        assert_eq!(encode_path("a b/c"), "a%20b/c");
    }
}
