//! The checks of Cloud's CORS headers on its answers, and of its 429 (the hourly limit).

use std::collections::BTreeSet;

use serde_json::Value;
use versioning_core::bitbucket::cloud::{self, CommitFiles};

use crate::report::{snippet, Check};
use crate::run::Run;

/// A simple GET from another origin: the answer allows that origin.
pub fn cors_get(run: &mut Run) {
    let check = Check::new(
        "cloud.cors-get",
        "api.bitbucket.org answers a page on another origin: a GET carrying an Origin gets \
         Access-Control-Allow-Origin.",
        "Access-Control-Allow-Origin: * (or the Origin sent)",
    );
    let request = cloud::repository(run.remote.api()).request;
    let check = match run.http.api(&request) {
        Err(error) => check.fail(error),
        Ok(response) => {
            let allow = response
                .header("Access-Control-Allow-Origin")
                .map(str::to_owned);
            let expose = response
                .header("Access-Control-Expose-Headers")
                .unwrap_or("none")
                .to_owned();
            let origin = run.http.origin.clone().unwrap_or_default();
            let ok = allow.as_deref().is_some_and(|a| a == "*" || a == origin);
            check.verdict(
                ok,
                format!(
                    "HTTP {}, Access-Control-Allow-Origin {}, Expose-Headers {expose}",
                    response.status,
                    allow.unwrap_or_else(|| "absent".to_owned())
                ),
            )
        }
    };
    run.add(check);
}

/// A preflight of a write from another origin: the answer allows its method and headers.
pub fn cors_preflight(run: &mut Run) {
    let check = Check::new(
        "cloud.cors-preflight",
        "A commit from the page needs a preflight: OPTIONS …/src for POST with Authorization and \
         Content-Type is answered with both headers allowed (a `*` does not cover Authorization).",
        "HTTP 200 or 204, Allow-Origin present, Allow-Methods with POST, Allow-Headers naming \
         Authorization and Content-Type",
    );
    let commit = CommitFiles {
        message: String::new(),
        author: None,
        parent: None,
        files: Vec::new(),
        deletions: Vec::new(),
    };
    let permit = run.permit(&run.branch.clone());
    let url = run.remote.writer(&permit).commit_files(&commit).request.url;
    let origin = run.http.origin.clone().unwrap_or_default();
    let request = crate::transport::Outgoing {
        method: "OPTIONS".to_owned(),
        url,
        headers: vec![
            ("Origin".to_owned(), origin),
            (
                "Access-Control-Request-Method".to_owned(),
                "POST".to_owned(),
            ),
            (
                "Access-Control-Request-Headers".to_owned(),
                "authorization,content-type".to_owned(),
            ),
        ],
        body: None,
        max_response_bytes: 1 << 20,
    };
    let check = match run.send(request) {
        Err(error) => check.fail(error),
        Ok(response) => {
            let header = |name: &str| response.header(name).unwrap_or("").to_ascii_lowercase();
            let headers = header("Access-Control-Allow-Headers");
            let methods = header("Access-Control-Allow-Methods");
            let names = |list: &str, name: &str| list.split(',').any(|h| h.trim() == name);
            let ok = (200..300).contains(&response.status)
                && response.header("Access-Control-Allow-Origin").is_some()
                && (names(&methods, "post") || names(&methods, "*"))
                && names(&headers, "authorization")
                && (names(&headers, "content-type") || names(&headers, "*"));
            check.verdict(
                ok,
                format!(
                    "HTTP {}, Allow-Origin {}, Allow-Methods \"{methods}\", Allow-Headers \"{headers}\"",
                    response.status,
                    response.header("Access-Control-Allow-Origin").unwrap_or("absent")
                ),
            )
        }
    };
    run.add(check);
}

/// After the clean-up: every answer to a request that carried an Origin carried
/// Access-Control-Allow-Origin (429s are the rate-limit check's).
pub fn cors_every_answer(run: &mut Run) {
    let check = Check::new(
        "cloud.cors-every-answer",
        "Every Cloud answer the product may read carries CORS, its refusals (400, 403, 404, 409) \
         included, so that the page can show them (429s: see cloud.rate-limit-429).",
        "Access-Control-Allow-Origin on every answer of this run",
    );
    let with_origin: Vec<_> = run
        .http
        .exchanges
        .iter()
        .filter(|e| e.had_origin && e.status != 429)
        .collect();
    let missing: Vec<String> = with_origin
        .iter()
        .filter(|e| e.header("Access-Control-Allow-Origin").is_none())
        .map(|e| format!("{} {} → {}", e.method, e.url, e.status))
        .collect();
    let statuses: BTreeSet<u16> = with_origin.iter().map(|e| e.status).collect();
    let check = match missing.as_slice() {
        [] => check.pass(format!(
            "{} answers, statuses {:?}, each with it",
            with_origin.len(),
            statuses
        )),
        missing => check.fail(format!(
            "{} of {} answers without it, e.g. {}",
            missing.len(),
            with_origin.len(),
            missing
                .iter()
                .take(3)
                .cloned()
                .collect::<Vec<_>>()
                .join("; ")
        )),
    };
    run.add(check);
}

/// After the clean-up: what a 429 looked like, when one came (the checker never provokes one).
pub fn rate_limit(run: &mut Run) {
    let check = Check::new(
        "cloud.rate-limit-429",
        "Cloud's 429 (its hourly limit) is plain text \"Rate limit for this resource has been exceeded\" \
         without Retry-After, which the product reads as the hourly limit (it ends the job), with CORS so \
         that the page can read it.",
        "plain-text body, no Retry-After, Access-Control-Allow-Origin present (reading: body=plain \
         retry-after=absent cors=present)",
    );
    let Some(seen) = run.http.exchanges.iter().find(|e| e.status == 429).cloned() else {
        return run.add(check.skip(
            "no 429 during this run (the checker does not provoke one: run it again when the hourly \
             limit is near, or read the product's own 429s)",
        ));
    };
    let body = seen.body_start.trim();
    let kind = if serde_json::from_str::<Value>(body).is_ok() {
        "json"
    } else if body.contains("Rate limit for this resource has been exceeded") {
        "plain"
    } else {
        "other"
    };
    let retry = seen
        .header("Retry-After")
        .map_or("absent".to_owned(), |v| v.trim().to_owned());
    let cors = match seen.header("Access-Control-Allow-Origin") {
        Some(_) => "present",
        None => "absent",
    };
    let reading = format!("body={kind} retry-after={retry} cors={cors}");
    let limits: Vec<String> = seen
        .headers
        .iter()
        .filter(|(n, _)| n.to_ascii_lowercase().starts_with("x-ratelimit"))
        .map(|(n, v)| format!("{n}: {v}"))
        .collect();
    let observed = format!(
        "{} {} → 429, Content-Type {}, body \"{}\", X-RateLimit headers: {}",
        seen.method,
        seen.url,
        seen.header("Content-Type").unwrap_or("none"),
        snippet(body, 120),
        if limits.is_empty() {
            "none".to_owned()
        } else {
            limits.join(", ")
        }
    );
    run.add(match reading.as_str() {
        "body=plain retry-after=absent cors=present" => check.reading(&reading).pass(observed),
        _ => check.differs(&reading, observed),
    });
}
