//! git over HTTP (the smart protocol, and the dumb one when a client asks for it):
//! `git clone http://HOST/{workspace}/{slug}.git` (Cloud) and
//! `git clone http://HOST/scm/{projectkey}/{slug}.git` (Data Center).
//! Requests are answered by `git http-backend` run as a CGI program on the bare repository.
//! Data Center takes pushes (`git-receive-pack`) from callers with write permission, and its
//! branch permissions refuse the ref updates they forbid as Data Center's pre-receive hook does
//! (the text on git's side band, `pre-receive hook declined` in the report); git itself compares
//! each ref with the old id the push names. Cloud refuses pushes with 403.
//!
//! Every request needs the repository's read permission, as a read of the REST API does
//! ([`crate::auth`]): without credentials, or with credentials the product refuses, the answer
//! is 401 with the product's Basic challenge, after which git sends the user's credentials (or
//! reports that they failed); credentials without read (Cloud: also an API token without the
//! read scope) get 403 with the product's text, as Bitbucket answers git in that case. Cloud
//! takes what Bitbucket Cloud takes over git: an API token with the username or
//! [`crate::auth::GIT_API_TOKEN_LOGIN`] (not the email), an access token with
//! [`crate::auth::GIT_ACCESS_TOKEN_LOGIN`] or as Bearer. Data Center takes what its REST API takes.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::auth::{cloud_git_caller, dc_caller, Caller, CallerKind, CredentialKind};
use crate::config::{Access, Config, DcRestrictionType, GitFilter, Repository};
use crate::errors::DcError;
use crate::restrictions::dc_write_blocker;
use crate::state::{cloud_key, dc_key, AppState};

/// Body of the 403 answered to pushes to Cloud repositories.
pub const PUSH_REFUSED: &str =
    "Pushing is not supported by the Bitbucket sandbox: commit through the REST API.\n";

/// Text of Bitbucket Cloud's 403 to git credentials without access to the repository.
pub const CLOUD_NO_ACCESS: &str = "The requested repository either does not exist or you do not \
have access. If you believe this repository exists and you have access, make sure you're \
authenticated.";

/// Body of the 401 answered to git requests without credentials.
pub const CREDENTIALS_NEEDED: &str =
    "This repository needs credentials: a username and a token with read access.\n";

/// The product whose paths and credentials a git request follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Product {
    /// Bitbucket Cloud: `/{workspace}/{slug}.git`.
    Cloud,
    /// Bitbucket Data Center: `/scm/{projectkey}/{slug}.git`.
    DataCenter,
}

impl Product {
    /// The `WWW-Authenticate` challenge of the product's 401.
    fn challenge(self) -> &'static str {
        match self {
            Product::Cloud => "Basic realm=\"Bitbucket.org HTTP\"",
            Product::DataCenter => "Basic realm=\"Atlassian Bitbucket\"",
        }
    }
}

/// A git request: the configured repository it names and the path after `….git/`.
#[derive(Debug, Clone)]
pub struct GitPath<'a> {
    /// Which product's repository.
    pub product: Product,
    /// The workspace slug or project key, as configured.
    pub container: &'a str,
    /// The repository's configuration.
    pub repo: &'a Repository,
    /// What is asked of the repository (`info/refs`, `git-upload-pack`, `HEAD`, `objects/…`).
    pub rest: String,
}

impl GitPath<'_> {
    /// The repository's store key (`cloud/ws/slug`, `dc/KEY/slug`).
    pub fn key(&self) -> String {
        match self.product {
            Product::Cloud => cloud_key(self.container, &self.repo.slug),
            Product::DataCenter => dc_key(self.container, &self.repo.slug),
        }
    }
}

/// Finds the configured repository a git-over-HTTP path names, if any.
pub fn git_path<'a>(state: &'a AppState, path: &str) -> Option<GitPath<'a>> {
    let config = state.config();
    let (owner, slug_git, rest, product) = match path.strip_prefix("/scm/") {
        Some(tail) => {
            let (owner, tail) = tail.split_once('/')?;
            let (slug, rest) = tail.split_once('/')?;
            (owner, slug, rest, Product::DataCenter)
        }
        None => {
            let (owner, tail) = path.strip_prefix('/')?.split_once('/')?;
            let (slug, rest) = tail.split_once('/')?;
            (owner, slug, rest, Product::Cloud)
        }
    };
    let slug = slug_git.strip_suffix(".git")?;
    let (container, repo) = match product {
        Product::DataCenter => config
            .dc_repo(owner, slug)
            .map(|(project, repo)| (project.key.as_str(), repo))?,
        Product::Cloud => config
            .cloud_repo(owner, slug)
            .map(|(ws, repo)| (ws.slug.as_str(), repo))?,
    };
    let safe = !rest.is_empty()
        && rest
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != "..");
    safe.then(|| GitPath {
        product,
        container,
        repo,
        rest: rest.to_string(),
    })
}

/// Why a git request is refused before `git http-backend` sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitRefusal {
    /// No credentials, or credentials the product refuses: 401 with the product's Basic
    /// challenge and the text.
    Unauthenticated(Product, String),
    /// Credentials that may not read the repository: 403 with the text.
    NotPermitted(String),
    /// A push to Cloud (commits go through the REST API): 403 with [`PUSH_REFUSED`].
    Push,
}

impl IntoResponse for GitRefusal {
    fn into_response(self) -> Response {
        let text = [(header::CONTENT_TYPE, "text/plain; charset=utf-8")];
        match self {
            GitRefusal::Unauthenticated(product, message) => (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, product.challenge())],
                text,
                line(message),
            )
                .into_response(),
            GitRefusal::NotPermitted(message) => {
                (StatusCode::FORBIDDEN, text, line(message)).into_response()
            }
            GitRefusal::Push => (StatusCode::FORBIDDEN, text, PUSH_REFUSED).into_response(),
        }
    }
}

/// `message` ending with a newline, as git prints a server's text.
fn line(mut message: String) -> String {
    if !message.ends_with('\n') {
        message.push('\n');
    }
    message
}

/// The caller named by a git request's credentials, resolved as the product resolves them.
fn caller(
    config: &Config,
    product: Product,
    headers: &HeaderMap,
    now: i64,
) -> Result<Caller, GitRefusal> {
    let refused = |message| GitRefusal::Unauthenticated(product, message);
    match product {
        Product::Cloud => cloud_git_caller(config, headers, now).map_err(|e| refused(e.message)),
        Product::DataCenter => dc_caller(config, headers, now).map_err(|e| refused(e.message)),
    }
}

/// Checks that `caller` may read the repository of `target`, as a REST read checks it.
fn check_read(target: &GitPath<'_>, caller: &Caller) -> Result<(), GitRefusal> {
    if caller.is_anonymous() {
        return Err(GitRefusal::Unauthenticated(
            target.product,
            CREDENTIALS_NEEDED.to_string(),
        ));
    }
    if target.product == Product::Cloud {
        let (granular, classic) = crate::cloud::READ;
        caller
            .require_scopes(granular, classic)
            .map_err(|e| GitRefusal::NotPermitted(e.message))?;
    }
    match caller.access(target.repo, target.container, &target.repo.slug) {
        Some(_) => Ok(()),
        None => Err(GitRefusal::NotPermitted(match target.product {
            Product::Cloud => CLOUD_NO_ACCESS.to_string(),
            Product::DataCenter => DcError::not_permitted().message,
        })),
    }
}

/// Answers a git-over-HTTP request for `target`, once its credentials may read the repository;
/// the response carries the credential kind for the request log.
pub async fn serve(state: &AppState, target: GitPath<'_>, request: Request) -> Response {
    let now = crate::time::now_secs();
    let (mut response, kind) = match caller(state.config(), target.product, request.headers(), now)
    {
        Err(refusal) => (refusal.into_response(), CallerKind::Invalid),
        Ok(caller) => {
            let answer = match check_read(&target, &caller) {
                Err(refusal) => refusal.into_response(),
                Ok(()) => answer(state, &target, &caller, request).await,
            };
            (answer, caller.kind)
        }
    };
    response.extensions_mut().insert(CredentialKind(kind));
    response
}

/// Checks that `caller` may push to the repository of `target`: Data Center only, with write
/// permission, as a push to Data Center needs.
fn check_push(target: &GitPath<'_>, caller: &Caller) -> Result<(), GitRefusal> {
    if target.product == Product::Cloud {
        return Err(GitRefusal::Push);
    }
    match caller.access(target.repo, target.container, &target.repo.slug) {
        Some(access) if access >= Access::Write => Ok(()),
        _ => Err(GitRefusal::NotPermitted(DcError::not_permitted().message)),
    }
}

/// Runs `git http-backend` for a request allowed to read the repository, and for a push that
/// [`check_push`] allows, with the refusal of the branch permissions it breaks, if any.
async fn answer(
    state: &AppState,
    target: &GitPath<'_>,
    caller: &Caller,
    request: Request,
) -> Response {
    let query = request.uri().query().unwrap_or("").to_string();
    let push = target.rest == "git-receive-pack" || query.contains("service=git-receive-pack");
    if push {
        if let Err(refusal) = check_push(target, caller) {
            return refusal.into_response();
        }
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
    let refusal = match push && target.rest == "git-receive-pack" {
        true => push_refusal(state.config(), target.repo, caller, &parts.headers, &body),
        false => None,
    };
    let cgi = Cgi {
        root: state.store().root().to_path_buf(),
        path_info: format!("/{}.git/{}", target.key(), target.rest),
        query,
        method: parts.method.to_string(),
        content_type: header(&header::CONTENT_TYPE),
        content_encoding: header(&header::CONTENT_ENCODING),
        git_protocol: header(&HeaderName::from_static("git-protocol")),
        body: body.to_vec(),
        pusher: push.then(|| pusher(caller)),
        refusal,
        // Bitbucket Cloud has no partial clone; Data Center's depends on its property.
        allow_filter: target.product == Product::DataCenter
            && state.config().datacenter.properties.allow_filter == GitFilter::Enabled,
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
    /// For a push: who pushes (receive-pack is enabled for them).
    pusher: Option<String>,
    /// For a push that a branch permission forbids: Data Center's text, which a pre-receive hook
    /// prints before it declines the push.
    refusal: Option<String>,
    /// Fetches may filter objects (`uploadpack.allowFilter`).
    allow_filter: bool,
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
        if let Some(pusher) = &self.pusher {
            command.env("REMOTE_USER", pusher);
        }
        let mut config = vec![("uploadpack.allowFilter", self.allow_filter.to_string())];
        if let Some(refusal) = &self.refusal {
            let hooks = refusal_hooks(&self.root)?;
            config.push(("core.hooksPath", hooks.to_string_lossy().into_owned()));
            command.env(REFUSAL_VARIABLE, refusal);
        }
        command.env("GIT_CONFIG_COUNT", config.len().to_string());
        for (index, (key, value)) in config.into_iter().enumerate() {
            command
                .env(format!("GIT_CONFIG_KEY_{index}"), key)
                .env(format!("GIT_CONFIG_VALUE_{index}"), value);
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

/// Who pushes, as `git http-backend` is told (`REMOTE_USER`): the user, or the token's name.
fn pusher(caller: &Caller) -> String {
    caller
        .user
        .clone()
        .or_else(|| caller.grant.as_ref().map(|g| g.name.clone()))
        .unwrap_or_default()
}

/// The environment variable that hands the refusal text to the pre-receive hook.
const REFUSAL_VARIABLE: &str = "SANDBOX_PUSH_REFUSAL";

/// The folder (in the data directory) of the pre-receive hook that prints the refusal and
/// declines the push, written when first needed.
fn refusal_hooks(root: &std::path::Path) -> std::io::Result<PathBuf> {
    let hooks = root.join("push-refusal-hooks");
    let hook = hooks.join("pre-receive");
    if !hook.exists() {
        std::fs::create_dir_all(&hooks)?;
        let script = format!("#!/bin/sh\nprintf '%s\\n' \"${REFUSAL_VARIABLE}\" >&2\nexit 1\n");
        let written = tempfile::NamedTempFile::new_in(&hooks)?;
        std::fs::write(written.path(), script)?;
        std::fs::set_permissions(
            written.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )?;
        written.persist(&hook).map_err(|e| e.error)?;
    }
    Ok(hooks)
}

/// The refusal of a push whose ref updates a branch permission forbids `caller` (Data Center's
/// text, one line per refused branch), or `None` when every update is allowed.
fn push_refusal(
    config: &Config,
    repo: &Repository,
    caller: &Caller,
    headers: &HeaderMap,
    body: &[u8],
) -> Option<String> {
    let gzipped = headers
        .get(header::CONTENT_ENCODING)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"gzip"));
    let body = match gzipped {
        true => {
            let mut plain = Vec::new();
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(body), &mut plain).ok()?;
            plain
        }
        false => body.to_vec(),
    };
    let lines: Vec<String> = updated_refs(&body)
        .iter()
        .filter_map(|name| {
            let branch = name.strip_prefix("refs/heads/")?;
            let restriction = dc_write_blocker(config, repo, branch, caller)?;
            restriction.dc_type.map(|kind| branch_refusal(kind, name))
        })
        .collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// Data Center's words for a push to a branch under a branch permission.
fn branch_refusal(kind: DcRestrictionType, name: &str) -> String {
    let reason = match kind {
        DcRestrictionType::PullRequestOnly => "can only be modified through pull requests".into(),
        DcRestrictionType::ReadOnly => "is read-only".into(),
        DcRestrictionType::NoDeletes
        | DcRestrictionType::FastForwardOnly
        | DcRestrictionType::NoCreates => format!("has a '{}' branch permission", kind.name()),
    };
    format!(
        "Branch {name} {reason}.\nCheck your branch permissions configuration with the project \
         administrator."
    )
}

/// The ref names of a receive-pack request's commands (`old new name`, the first followed by a
/// NUL and capabilities), read up to the flush that ends them.
fn updated_refs(body: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = body;
    while let Some(length) = rest
        .get(..4)
        .and_then(|digits| std::str::from_utf8(digits).ok())
        .and_then(|digits| usize::from_str_radix(digits, 16).ok())
        .filter(|&length| length >= 4 && length <= rest.len())
    {
        let command = &rest[4..length];
        let command = command
            .split(|&b| b == 0 || b == b'\n')
            .next()
            .unwrap_or_default();
        if let Some(name) = String::from_utf8_lossy(command).splitn(3, ' ').nth(2) {
            names.push(name.to_owned());
        }
        rest = &rest[length..];
    }
    names
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
