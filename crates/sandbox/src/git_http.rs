//! Read-only git over HTTP (the smart protocol, and the dumb one when a client asks for it):
//! `git clone http://HOST/{workspace}/{slug}.git` (Cloud) and
//! `git clone http://HOST/scm/{projectkey}/{slug}.git` (Data Center), without authentication.
//! Requests are answered by `git http-backend` run as a CGI program on the bare repository;
//! pushes (`git-receive-pack`) are refused with 403.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::state::{cloud_key, dc_key, AppState};

/// Body of the 403 answered to pushes.
pub const PUSH_REFUSED: &str =
    "Pushing is not supported by the Bitbucket sandbox: commit through the REST API.\n";

/// A git request: the repository's store key and the path after `….git/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitPath {
    /// Store key (`cloud/ws/slug`, `dc/KEY/slug`).
    pub key: String,
    /// What is asked of the repository (`info/refs`, `git-upload-pack`, `HEAD`, `objects/…`).
    pub rest: String,
}

/// Finds the configured repository a git-over-HTTP path names, if any.
pub fn git_path(state: &AppState, path: &str) -> Option<GitPath> {
    let config = state.config();
    let (owner, slug_git, rest, dc) = match path.strip_prefix("/scm/") {
        Some(tail) => {
            let (owner, tail) = tail.split_once('/')?;
            let (slug, rest) = tail.split_once('/')?;
            (owner, slug, rest, true)
        }
        None => {
            let (owner, tail) = path.strip_prefix('/')?.split_once('/')?;
            let (slug, rest) = tail.split_once('/')?;
            (owner, slug, rest, false)
        }
    };
    let slug = slug_git.strip_suffix(".git")?;
    let key = if dc {
        let (project, repo) = config.dc_repo(owner, slug)?;
        dc_key(&project.key, &repo.slug)
    } else {
        let (ws, repo) = config.cloud_repo(owner, slug)?;
        cloud_key(&ws.slug, &repo.slug)
    };
    let safe = !rest.is_empty()
        && rest
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != "..");
    safe.then(|| GitPath {
        key,
        rest: rest.to_string(),
    })
}

/// Answers a git-over-HTTP request for `target`.
pub async fn serve(state: &AppState, target: GitPath, request: Request) -> Response {
    let query = request.uri().query().unwrap_or("").to_string();
    if target.rest == "git-receive-pack" || query.contains("service=git-receive-pack") {
        return (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            PUSH_REFUSED,
        )
            .into_response();
    }
    let limit = usize::try_from(state.faults().max_body_bytes()).unwrap_or(usize::MAX);
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, limit).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response();
    };
    let header = |name: &HeaderName| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let cgi = Cgi {
        root: state.store().root().to_path_buf(),
        path_info: format!("/{}.git/{}", target.key, target.rest),
        query,
        method: parts.method.to_string(),
        content_type: header(&header::CONTENT_TYPE),
        content_encoding: header(&header::CONTENT_ENCODING),
        git_protocol: header(&HeaderName::from_static("git-protocol")),
        body: body.to_vec(),
    };
    match tokio::task::spawn_blocking(move || cgi.run()).await {
        Ok(Ok(output)) => cgi_response(&output),
        Ok(Err(e)) => internal(&e.to_string()),
        Err(e) => internal(&e.to_string()),
    }
}

fn internal(message: &str) -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("git http-backend failed: {message}\n"),
    )
        .into_response()
}

/// One run of `git http-backend`.
struct Cgi {
    root: PathBuf,
    path_info: String,
    query: String,
    method: String,
    content_type: String,
    content_encoding: String,
    git_protocol: String,
    body: Vec<u8>,
}

impl Cgi {
    /// Runs the CGI program with the request on stdin; its whole stdout.
    fn run(self) -> std::io::Result<Vec<u8>> {
        let mut command = Command::new("git");
        command
            .arg("http-backend")
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &self.root)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_PROJECT_ROOT", &self.root)
            .env("GIT_HTTP_EXPORT_ALL", "1")
            .env("PATH_INFO", &self.path_info)
            .env("QUERY_STRING", &self.query)
            .env("REQUEST_METHOD", &self.method)
            .env("CONTENT_TYPE", &self.content_type)
            .env("CONTENT_LENGTH", self.body.len().to_string())
            .env("REMOTE_ADDR", "127.0.0.1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        if !self.content_encoding.is_empty() {
            command.env("HTTP_CONTENT_ENCODING", &self.content_encoding);
        }
        if !self.git_protocol.is_empty() {
            command.env("HTTP_GIT_PROTOCOL", &self.git_protocol);
        }
        let mut child = command.spawn()?;
        let mut stdin = child.stdin.take();
        let body = self.body;
        // Written from another thread so a large answer cannot block a large request.
        let writer = std::thread::spawn(move || {
            if let Some(stdin) = stdin.as_mut() {
                let _ = stdin.write_all(&body);
            }
        });
        let output = child.wait_with_output()?;
        let _ = writer.join();
        Ok(output.stdout)
    }
}

/// Turns CGI output (headers, a blank line, the body) into a response.
fn cgi_response(output: &[u8]) -> Response {
    let (head, body) = match find(output, b"\r\n\r\n") {
        Some(i) => (&output[..i], &output[i + 4..]),
        None => match find(output, b"\n\n") {
            Some(i) => (&output[..i], &output[i + 2..]),
            None => return internal("no CGI headers"),
        },
    };
    let mut response = Response::new(Body::from(body.to_vec()));
    for line in String::from_utf8_lossy(head).lines() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("status") {
            let code = value.split(' ').next().and_then(|c| c.parse().ok());
            if let Some(status) = code.and_then(|c| StatusCode::from_u16(c).ok()) {
                *response.status_mut() = status;
            }
        } else if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.trim().as_bytes()),
            HeaderValue::from_str(value),
        ) {
            response.headers_mut().append(name, value);
        }
    }
    response
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cgi_headers_set_status_and_content_type() {
        let response =
            cgi_response(b"Status: 404 Not Found\r\nContent-Type: text/plain\r\n\r\nnope");
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert_eq!(response.headers()[header::CONTENT_TYPE], "text/plain");
        let ok = cgi_response(b"Content-Type: application/x-git-upload-pack-advertisement\n\nx");
        assert_eq!(ok.status(), StatusCode::OK);
    }
}
