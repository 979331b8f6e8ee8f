//! One run against one repository: the product's `Remote`, the HTTP client, the report, the names this run
//! writes to, and what it created (removed at the end, also when a check failed).

use std::collections::BTreeMap;

use serde_json::Value;
use versioning_core::bitbucket::{encode_component, ApiRequest, ApiResponse, Call, Pager};
use versioning_core::roles::{permit_push, Role, WritePermit};
use versioning_core::sync::Remote;

use crate::report::{snippet, Check, Report, Status};
use crate::transport::{Outgoing, Transport};

/// A branch or tag this run created (or may have: a write without an answer counts too).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Created {
    /// A branch.
    Branch(String),
    /// A tag.
    Tag(String),
}

/// The state of one run.
pub struct Run {
    /// The product's view of the repository: every request is built by it.
    pub remote: Remote,
    /// The HTTP client.
    pub http: Transport,
    /// The checks so far.
    pub report: Report,
    /// The scratch branch every commit goes to: `live-check/<random>`.
    pub branch: String,
    /// The branch the "new branch" check creates: `live-check/<random>-new`.
    pub new_branch: String,
    /// The tag the tag check creates: `live-check/<random>-v1`.
    pub tag: String,
    /// A tag that must never be created (Data Center's XSRF check): `live-check/<random>-xsrf`.
    pub refused_tag: String,
    /// What to remove at the end.
    pub created: Vec<Created>,
    /// The main branch and its tip, once known.
    pub main: Option<(String, String)>,
    /// The files this run wrote under `live-check/` on the scratch branch, as they are now.
    pub files: BTreeMap<String, Vec<u8>>,
    /// The scratch branch's tip, once it exists.
    pub tip: Option<String>,
    /// Skip Data Center's upload-limit probe (a 5 MiB file).
    pub skip_upload_probe: bool,
    /// The commits that wrote [`TOUCHED`], oldest first.
    pub touched: Vec<String>,
}

/// The file whose commits the versions check lists.
pub const TOUCHED: &str = "live-check/one.json";

/// The folder of the scratch branch every file of the run goes to.
pub const FOLDER: &str = "live-check";

impl Run {
    /// A run whose names end in `suffix`.
    pub fn new(remote: Remote, http: Transport, report: Report, suffix: &str) -> Run {
        Run {
            remote,
            http,
            report,
            branch: format!("live-check/{suffix}"),
            new_branch: format!("live-check/{suffix}-new"),
            tag: format!("live-check/{suffix}-v1"),
            refused_tag: format!("live-check/{suffix}-xsrf"),
            created: Vec::new(),
            main: None,
            files: BTreeMap::new(),
            tip: None,
            skip_upload_probe: false,
            touched: Vec::new(),
        }
    }

    /// Whether the run was stopped (a repeated 429): later checks are skipped.
    pub fn stopped(&self) -> Option<String> {
        self.http.stopped.clone()
    }

    /// Adds a check, unless the run stopped before it could be settled: then it is skipped and says so.
    pub fn add(&mut self, check: Check) {
        let check = match (self.stopped(), check.status) {
            (Some(reason), Status::Fail) if check.observed.contains("not sent:") => {
                check.skip(reason)
            }
            _ => check,
        };
        self.report.add(check);
    }

    /// Sends the product's request of a call and reads the answer as the product does.
    pub fn call<T>(&mut self, call: &Call<T>) -> Result<(T, ApiResponse), String> {
        let response = self.http.api(&call.request)?;
        match call.parse(&response) {
            Ok(value) => Ok((value, response)),
            Err(_) => Err(refusal(&response)),
        }
    }

    /// Sends a request, describing a missing answer.
    pub fn send(&mut self, request: Outgoing) -> Result<ApiResponse, String> {
        self.http.send(request)
    }

    /// Every page of a list, as the product walks it; with the answers.
    pub fn pages<T>(&mut self, mut pager: Pager<T>) -> Result<(Vec<T>, Vec<ApiResponse>), String> {
        let mut values = Vec::new();
        let mut answers = Vec::new();
        while let Some(request) = pager.next_request() {
            let response = self.http.api(&request)?;
            match pager.handle_response(&response) {
                Ok(page) => values.extend(page),
                Err(_) => return Err(refusal(&response)),
            }
            answers.push(response);
        }
        Ok((values, answers))
    }

    /// The role check's permit to write to `branch` (as a Quality Lead, who may push anywhere).
    pub fn permit(&self, branch: &str) -> WritePermit {
        let main = self.main.as_ref().map(|(name, _)| name.as_str());
        permit_push(&[Role::QualityLead], branch, main)
            .expect("a Quality Lead may push to any branch")
    }

    /// The main branch's tip (known after the connection test).
    pub fn main_tip(&self) -> String {
        self.main.as_ref().map(|m| m.1.clone()).unwrap_or_default()
    }

    /// Remembers a branch or tag to remove at the end.
    pub fn created(&mut self, what: Created) {
        if !self.created.contains(&what) {
            self.created.push(what);
        }
    }

    /// The files under `prefix` (a folder or a file) this run wrote.
    pub fn files_under(&self, prefixes: &[&str]) -> BTreeMap<String, Vec<u8>> {
        self.files
            .iter()
            .filter(|(path, _)| {
                prefixes.iter().any(|p| {
                    path.as_str() == *p
                        || path
                            .strip_prefix(p)
                            .is_some_and(|rest| rest.starts_with('/'))
                })
            })
            .map(|(p, c)| (p.clone(), c.clone()))
            .collect()
    }
}

/// An answer in a few words: the status, and Bitbucket's message (Cloud `error.message`, Data Center
/// `errors[0].message` with its exception) or the start of the body.
pub fn describe(response: &ApiResponse) -> String {
    if let Some(refused) = response.too_large {
        return format!(
            "HTTP {} with a body over the {} bytes this request reads",
            response.status, refused.limit
        );
    }
    if response.is_success() {
        return format!("HTTP {}", response.status);
    }
    let json: Option<Value> = serde_json::from_slice(&response.body).ok();
    let message = json.as_ref().and_then(|v| {
        if let Some(message) = v["error"]["message"].as_str() {
            return Some(format!("\"{}\"", snippet(message, 200)));
        }
        let error = &v["errors"][0];
        error["message"].as_str().map(|m| {
            let exception = error["exceptionName"]
                .as_str()
                .map(|e| format!(" ({})", e.rsplit('.').next().unwrap_or(e)))
                .unwrap_or_default();
            format!("\"{}\"{exception}", snippet(m, 200))
        })
    });
    let message = message.unwrap_or_else(|| {
        let text = String::from_utf8_lossy(&response.body);
        match text.trim() {
            "" => "empty body".to_owned(),
            text => format!("body \"{}\"", snippet(text, 160)),
        }
    });
    format!("HTTP {}: {message}", response.status)
}

/// Why the product could not read an answer: [`describe`]d, or a success whose body it cannot read.
pub fn refusal(response: &ApiResponse) -> String {
    match response.is_success() && response.too_large.is_none() {
        true => format!(
            "HTTP {} with a body the product cannot read: \"{}\"",
            response.status,
            snippet(&String::from_utf8_lossy(&response.body), 160)
        ),
        false => describe(response),
    }
}

/// `url` with query pairs added (values encoded as the product encodes them).
pub fn with_query(url: &str, pairs: &[(&str, &str)]) -> String {
    let mut url = url.to_owned();
    for (name, value) in pairs {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(name);
        url.push('=');
        url.push_str(&encode_component(value));
    }
    url
}

/// `url` with the query parameter `name` set to `value` in place.
pub fn set_query(url: &str, name: &str, value: &str) -> String {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let prefix = format!("{name}=");
    let mut found = false;
    let pairs: Vec<String> = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            if pair.starts_with(&prefix) {
                found = true;
                format!("{prefix}{}", encode_component(value))
            } else {
                pair.to_owned()
            }
        })
        .collect();
    let mut pairs = pairs;
    if !found {
        pairs.push(format!("{prefix}{}", encode_component(value)));
    }
    format!("{path}?{}", pairs.join("&"))
}

/// A product request as an [`Outgoing`], ready for the headers a check adds.
pub fn outgoing(request: &ApiRequest) -> Outgoing {
    Outgoing::from_api(request)
}

/// The paths of a set of files, for messages.
pub fn paths<'a>(files: impl IntoIterator<Item = &'a String>) -> String {
    let names: Vec<&str> = files.into_iter().map(String::as_str).collect();
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}

/// A JSON body's number field.
pub fn json_number(response: &ApiResponse, field: &str) -> Option<u64> {
    serde_json::from_slice::<Value>(&response.body)
        .ok()
        .and_then(|v| v[field].as_u64())
}

/// The content of a test file: small JSON, different per path and version.
pub fn content(path: &str, version: u32) -> Vec<u8> {
    format!("{{\n  \"live-check\": \"{path}\",\n  \"version\": {version}\n}}\n").into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_pairs_are_added_and_replaced_as_the_product_encodes_them() {
        let url = "https://api.example/2.0/r/refs/branches?pagelen=100&sort=name";
        assert_eq!(
            set_query(url, "pagelen", "101"),
            "https://api.example/2.0/r/refs/branches?pagelen=101&sort=name"
        );
        assert_eq!(
            with_query(url, &[("path", "a b/c.json"), ("path", "d")]),
            format!("{url}&path=a%20b%2Fc.json&path=d")
        );
        assert_eq!(
            with_query("https://x/y", &[("merge", "true")]),
            "https://x/y?merge=true"
        );
        assert_eq!(
            set_query("https://x/y", "limit", "5"),
            "https://x/y?limit=5"
        );
    }

    #[test]
    fn answers_are_described_by_their_product_messages() {
        let cloud = ApiResponse::new(
            400,
            r#"{"type":"error","error":{"message":"Invalid pagelen"}}"#,
        );
        assert_eq!(describe(&cloud), "HTTP 400: \"Invalid pagelen\"");
        let dc = ApiResponse::new(
            409,
            r#"{"errors":[{"message":"stale","exceptionName":"com.atlassian.bitbucket.content.FileOutOfDateException"}]}"#,
        );
        assert_eq!(
            describe(&dc),
            "HTTP 409: \"stale\" (FileOutOfDateException)"
        );
        assert_eq!(
            describe(&ApiResponse::new(403, "XSRF check failed")),
            "HTTP 403: body \"XSRF check failed\""
        );
        assert_eq!(describe(&ApiResponse::new(204, "")), "HTTP 204");
        assert!(refusal(&ApiResponse::new(200, "<html>")).contains("cannot read"));
    }
}
