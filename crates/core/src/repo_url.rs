//! Parsing of the repository URLs people paste into the connection form.
//!
//! Accepted forms: HTTPS clone and browse URLs of Bitbucket Cloud and Data Center (with ports and context
//! paths), SSH URLs (`ssh://`, `git+ssh://`, scp-like `git@host:ws/repo.git`), the `bitbucket:ws/repo`
//! shorthand, and any of these after a pasted `git clone` prefix. User names or passwords inside a URL are
//! dropped (and reported, so the form can warn about pasting secrets); [`without_credentials`] gives the
//! URL to store and show. Input longer than [`MAX_URL_CHARS`] is refused before any parsing, and parsing
//! is linear in the length of the input. Percent-encoded characters of a Data Center context path are
//! kept as they are, and `.` or `..` path segments are refused rather than resolved.

use std::fmt;

use serde::Serialize;
use url::Url;

/// The longest repository URL accepted, in characters. Real clone and browse URLs are far shorter; longer
/// text is refused before it is parsed.
pub const MAX_URL_CHARS: usize = 2048;

/// Cloud's default branch types (its branching model): a browse URL `/src/feature/x/…` names the branch
/// `feature/x`. Other branch names with a `/` are only known from `?at=` or a `/branch/<name>` URL.
const BRANCH_TYPE_PREFIXES: [&str; 4] = ["feature", "bugfix", "release", "hotfix"];

/// The two Bitbucket products, which speak different REST APIs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flavour {
    /// Bitbucket Cloud (`bitbucket.org`, REST API 2.0).
    Cloud,
    /// Bitbucket Data Center / Server (self-hosted, `/rest/api/latest`).
    DataCenter,
}

impl Flavour {
    /// The product name as users know it.
    pub fn label(self) -> &'static str {
        match self {
            Flavour::Cloud => "Bitbucket Cloud",
            Flavour::DataCenter => "Bitbucket Data Center",
        }
    }
}

/// Where a repository lives, as parsed from a URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct RepositoryLocation {
    /// Cloud or Data Center.
    pub flavour: Flavour,
    /// Host name of the web/HTTP server (`bitbucket.org`, `bitbucket.example.com`).
    pub host: String,
    /// Explicit HTTP(S) port of the web server, when the URL named one (never the SSH port).
    pub port: Option<u16>,
    /// Data Center context path such as `/bitbucket` (empty when none; always empty for Cloud).
    pub context_path: String,
    /// Cloud workspace, Data Center project key (upper case), or `~user` for a personal repository.
    pub owner: String,
    /// Repository slug.
    pub slug: String,
    /// Base URL of the REST API, without a trailing slash: `https://api.bitbucket.org/2.0` or
    /// `https://host[:port][/context]/rest`.
    pub api_base_url: String,
    /// A branch or other ref named by the URL (`#branch`, `?at=`, `/src/<ref>/`), if any.
    pub git_ref: Option<String>,
    /// The URL carried a user name and/or password, which were dropped.
    pub had_credentials: bool,
    /// The URL was an SSH URL: the API host and port are derived, not read from it.
    pub from_ssh: bool,
}

impl RepositoryLocation {
    /// A one-line summary for the form's preview, e.g.
    /// ``Bitbucket Cloud · workspace `acme` · repository `checkout-tests` ``.
    pub fn summary(&self) -> String {
        match self.flavour {
            Flavour::Cloud => format!(
                "{} · workspace `{}` · repository `{}`",
                self.flavour.label(),
                self.owner,
                self.slug
            ),
            Flavour::DataCenter => {
                let owner = if self.owner.starts_with('~') {
                    format!("personal repository of `{}`", &self.owner[1..])
                } else {
                    format!("project `{}`", self.owner)
                };
                format!(
                    "{} · {} · {owner} · repository `{}`",
                    self.flavour.label(),
                    self.web_origin(),
                    self.slug
                )
            }
        }
    }

    /// `owner/slug`, as Bitbucket shows a repository's full name.
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.slug)
    }

    fn web_origin(&self) -> String {
        match self.port {
            Some(port) => format!("{}:{port}", self.host),
            None => self.host.clone(),
        }
    }
}

/// Why a pasted text is not a repository URL we can use. Each message says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RepositoryUrlError {
    /// Nothing was entered.
    #[error("Enter the repository URL: in Bitbucket open the repository, choose Clone and copy the HTTPS URL.")]
    Empty,
    /// Longer than [`MAX_URL_CHARS`]: refused before parsing.
    #[error("This text is {length} characters long; a repository URL has at most {max}. Copy the HTTPS clone URL again from the repository's Clone dialog.", max = MAX_URL_CHARS)]
    TooLong {
        /// The length of what was entered, in characters.
        length: usize,
    },
    /// A `.` or `..` path segment, which would silently point to another place.
    #[error("This URL contains a \".\" or \"..\" path segment, which would point to another repository. Copy the URL exactly as Bitbucket shows it.")]
    DotSegment,
    /// The text is not a URL at all.
    #[error("This is not a URL. Copy the HTTPS clone URL from the repository's Clone dialog, e.g. https://bitbucket.org/workspace/repository.git.")]
    NotAUrl,
    /// A scheme Bitbucket does not serve repositories over.
    #[error(
        "`{0}://` URLs are not supported. Use the HTTPS clone URL (https://…) or the SSH URL."
    )]
    UnsupportedScheme(String),
    /// Plain HTTP to a non-local host would send the token unencrypted.
    #[error("Use https://. Plain http:// would send your token unencrypted; it is accepted only for a local sandbox on localhost or 127.0.0.1.")]
    InsecureHttp,
    /// A Cloud URL that names a workspace but no repository.
    #[error("This URL names the workspace `{0}` but no repository. Open the repository itself and copy its clone URL.")]
    MissingRepository(String),
    /// A link to something inside a repository that is not the repository (a download, a pull request…).
    #[error(
        "This is a link to {0}, not to a repository. Copy the repository's clone URL instead."
    )]
    NotARepository(&'static str),
    /// The path does not have any of the shapes Bitbucket uses for repositories.
    #[error("This URL does not point to a Bitbucket repository. Expected https://bitbucket.org/<workspace>/<repository> or, for Data Center, https://<host>/scm/<project>/<repository>.git or …/projects/<KEY>/repos/<repository>.")]
    UnrecognisedPath,
    /// A workspace, project or repository name with characters Bitbucket never uses.
    #[error("`{0}` is not a valid Bitbucket workspace, project or repository name: use the URL exactly as Bitbucket shows it.")]
    InvalidName(String),
}

/// Parses a pasted repository URL into its Bitbucket location.
///
/// ```
/// use versioning_core::{parse_repository_url, Flavour};
///
/// let cloud = parse_repository_url("git clone https://ada@bitbucket.org/acme/checkout-tests.git").unwrap();
/// assert_eq!(cloud.flavour, Flavour::Cloud);
/// assert_eq!((cloud.owner.as_str(), cloud.slug.as_str()), ("acme", "checkout-tests"));
/// assert_eq!(cloud.api_base_url, "https://api.bitbucket.org/2.0");
///
/// let dc = parse_repository_url("https://git.example.com:8443/bitbucket/scm/qa/regression.git").unwrap();
/// assert_eq!(dc.flavour, Flavour::DataCenter);
/// assert_eq!(dc.owner, "QA");
/// assert_eq!(dc.api_base_url, "https://git.example.com:8443/bitbucket/rest");
/// ```
pub fn parse_repository_url(input: &str) -> Result<RepositoryLocation, RepositoryUrlError> {
    let input = input.trim();
    if input.chars().take(MAX_URL_CHARS + 1).count() > MAX_URL_CHARS {
        return Err(RepositoryUrlError::TooLong {
            length: input.chars().count(),
        });
    }
    let text = strip_clone_command(input);
    if text.is_empty() {
        return Err(RepositoryUrlError::Empty);
    }
    let (text, fragment_ref) = match text.split_once('#') {
        Some((before, after)) => (before, Some(after).filter(|r| !r.is_empty())),
        None => (text, None),
    };
    let raw = split_raw(text)?;
    let mut location = locate(&raw)?;
    if location.git_ref.is_none() {
        location.git_ref = fragment_ref.map(str::to_owned);
    }
    Ok(location)
}

/// The URL as it may be stored and shown: a pasted `git clone` prefix and any user name or password
/// removed (the SSH user `git`, which every SSH clone URL carries, is kept). The rest is unchanged.
///
/// ```
/// use versioning_core::repo_url::without_credentials;
///
/// assert_eq!(
///     without_credentials("https://x-token-auth:s3cr3t@bitbucket.org/acme/checkout-tests.git"),
///     "https://bitbucket.org/acme/checkout-tests.git"
/// );
/// assert_eq!(without_credentials("git@bitbucket.org:acme/x.git"), "git@bitbucket.org:acme/x.git");
/// ```
pub fn without_credentials(input: &str) -> String {
    let text = strip_clone_command(input.trim());
    if let Some(rest) = text.strip_prefix("bitbucket:") {
        return match rest.rsplit_once('@') {
            Some((_, path)) => format!("bitbucket:{path}"),
            None => text.to_owned(),
        };
    }
    if let Some((scheme, rest)) = text.split_once("://") {
        let end = rest.find(['/', '\\', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        return match authority.rsplit_once('@') {
            Some((user, host)) => {
                let ssh = matches!(scheme.to_ascii_lowercase().as_str(), "ssh" | "git+ssh");
                let kept = if ssh && user == "git" { "git@" } else { "" };
                format!("{scheme}://{kept}{host}{tail}")
            }
            None => text.to_owned(),
        };
    }
    match text.rsplit_once('@') {
        Some((user, rest)) if user != "git" => rest.to_owned(),
        _ => text.to_owned(),
    }
}

/// Whether a raw path has a `.` or `..` segment (also percent-encoded, and with `\` as separator, as
/// URL parsers read it).
fn has_dot_segment(path: &str) -> bool {
    path.split(['/', '\\']).any(|segment| {
        if segment.len() > 6 {
            return false;
        }
        let decoded = percent_encoding::percent_decode_str(segment).decode_utf8_lossy();
        decoded == "." || decoded == ".."
    })
}

/// Removes a pasted `git clone [options]` prefix and keeps the first token that looks like a URL.
fn strip_clone_command(text: &str) -> &str {
    let Some(rest) = text.strip_prefix("git clone") else {
        return text;
    };
    rest.split_whitespace()
        .find(|token| token.contains("://") || token.contains('@') || token.contains(':'))
        .unwrap_or("")
}

/// A URL split into the parts we reason about, before deciding the flavour.
struct RawUrl {
    kind: Transport,
    host: String,
    port: Option<u16>,
    /// Path segments, percent-decoded, without empty ones.
    segments: Vec<String>,
    /// The same segments as they were written (percent-encoding kept), for the context path.
    raw_segments: Vec<String>,
    query_at: Option<String>,
    had_credentials: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Transport {
    Https,
    Http,
    Ssh,
    Shorthand,
}

fn split_raw(text: &str) -> Result<RawUrl, RepositoryUrlError> {
    if let Some(rest) = text.strip_prefix("bitbucket:") {
        return shorthand(rest);
    }
    match text.split_once("://") {
        Some((scheme, rest)) => match scheme.to_ascii_lowercase().as_str() {
            "https" | "git+https" => web_url(&format!("https://{rest}"), Transport::Https),
            "http" | "git+http" => web_url(&format!("http://{rest}"), Transport::Http),
            "ssh" | "git+ssh" => ssh_url(rest),
            other => Err(RepositoryUrlError::UnsupportedScheme(other.to_owned())),
        },
        None => scp_like(text),
    }
}

fn shorthand(rest: &str) -> Result<RawUrl, RepositoryUrlError> {
    let (had_credentials, path) = match rest.rsplit_once('@') {
        Some((_, path)) => (true, path),
        None => (false, rest),
    };
    if has_dot_segment(path) {
        return Err(RepositoryUrlError::DotSegment);
    }
    Ok(RawUrl {
        kind: Transport::Shorthand,
        host: "bitbucket.org".into(),
        port: None,
        segments: segments(path),
        raw_segments: segments(path),
        query_at: None,
        had_credentials,
    })
}

fn web_url(text: &str, kind: Transport) -> Result<RawUrl, RepositoryUrlError> {
    // The URL parser resolves dot segments; look for them in the text as written.
    let after_scheme = text.split_once("://").map_or(text, |(_, rest)| rest);
    let before_query = after_scheme
        .split(['?', '#'])
        .next()
        .unwrap_or(after_scheme);
    let path = before_query
        .find(['/', '\\'])
        .map_or("", |start| &before_query[start..]);
    if has_dot_segment(path) {
        return Err(RepositoryUrlError::DotSegment);
    }
    let url = Url::parse(text).map_err(|_| RepositoryUrlError::NotAUrl)?;
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or(RepositoryUrlError::NotAUrl)?
        .to_ascii_lowercase();
    if kind == Transport::Http && !is_loopback(&host) {
        return Err(RepositoryUrlError::InsecureHttp);
    }
    let query_at = url
        .query_pairs()
        .find(|(key, _)| key == "at")
        .map(|(_, value)| value.into_owned());
    let raw_segments: Vec<String> = url
        .path_segments()
        .map(|parts| parts.filter(|p| !p.is_empty()).map(str::to_owned).collect())
        .unwrap_or_default();
    let decoded = raw_segments
        .iter()
        .map(|p| {
            percent_encoding::percent_decode_str(p)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect();
    Ok(RawUrl {
        kind,
        host,
        port: url.port(),
        segments: decoded,
        raw_segments,
        query_at,
        had_credentials: !url.username().is_empty() || url.password().is_some(),
    })
}

/// `ssh://[user@]host[:port]/path` and the npm-style `ssh://host:path`.
fn ssh_url(rest: &str) -> Result<RawUrl, RepositoryUrlError> {
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let (had_credentials, host_port) = match authority.rsplit_once('@') {
        Some((user, host)) => (user != "git", host),
        None => (false, authority),
    };
    let (host, path) = match host_port.split_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => (host, path.to_owned()),
        // `ssh://bitbucket.org:ws/repo`: a colon path, as in the scp-like form.
        Some((host, first)) => (host, format!("{first}/{path}")),
        None => (host_port, path.to_owned()),
    };
    ssh_parts(host, &path, had_credentials)
}

/// `[user[:password]@]host:path`, the form `git clone git@bitbucket.org:ws/repo.git` uses.
fn scp_like(text: &str) -> Result<RawUrl, RepositoryUrlError> {
    let (had_credentials, rest) = match text.rsplit_once('@') {
        Some((user, rest)) => (user != "git", rest),
        None => (false, text),
    };
    let (host, path) = rest.split_once(':').ok_or(RepositoryUrlError::NotAUrl)?;
    ssh_parts(host, path, had_credentials)
}

fn ssh_parts(host: &str, path: &str, had_credentials: bool) -> Result<RawUrl, RepositoryUrlError> {
    let host = host.to_ascii_lowercase();
    let valid_host = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '[' | ']' | ':'));
    if !valid_host {
        return Err(RepositoryUrlError::NotAUrl);
    }
    if has_dot_segment(path) {
        return Err(RepositoryUrlError::DotSegment);
    }
    Ok(RawUrl {
        kind: Transport::Ssh,
        host,
        port: None,
        segments: segments(path),
        raw_segments: segments(path),
        query_at: None,
        had_credentials,
    })
}

fn segments(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Hosts that serve Bitbucket Cloud repositories.
fn is_cloud_host(host: &str) -> bool {
    matches!(
        host,
        "bitbucket.org" | "www.bitbucket.org" | "bitbucket.com" | "www.bitbucket.com"
    )
}

/// `localhost`, `127.x.y.z` and `[::1]`: where a local sandbox runs.
pub fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host == "[::1]"
        || host == "::1"
        || host
            .strip_prefix("127.")
            .is_some_and(|rest| rest.split('.').all(|p| p.parse::<u8>().is_ok()))
}

fn locate(raw: &RawUrl) -> Result<RepositoryLocation, RepositoryUrlError> {
    if let Some(found) = data_center_path(&raw.segments, raw.kind == Transport::Ssh) {
        if !is_cloud_host(&raw.host) {
            return data_center(raw, found);
        }
    }
    let local_web = is_loopback(&raw.host) && raw.kind != Transport::Ssh;
    if is_cloud_host(&raw.host) || raw.kind == Transport::Shorthand || local_web {
        return cloud(raw);
    }
    if raw.kind == Transport::Ssh && raw.segments.len() == 2 {
        // Data Center SSH URLs carry the project key and slug right after the host.
        let found = DcPath {
            context: 0,
            owner: raw.segments[0].clone(),
            slug: raw.segments[1].clone(),
        };
        return data_center(raw, found);
    }
    Err(RepositoryUrlError::UnrecognisedPath)
}

struct DcPath {
    /// How many segments before the match form the context path.
    context: usize,
    owner: String,
    slug: String,
}

/// Finds `…/scm/<key>/<slug>.git`, `…/projects/<KEY>/repos/<slug>` or `…/users/<name>/repos/<slug>`.
/// Linear in the number of segments: nothing is copied until a match is found.
fn data_center_path(segments: &[String], ssh: bool) -> Option<DcPath> {
    for (index, segment) in segments.iter().enumerate() {
        let rest = &segments[index + 1..];
        let context = index;
        let found = match (segment.as_str(), rest) {
            ("scm", [owner, slug, ..]) if !ssh => Some((owner.clone(), slug.clone())),
            ("projects", [key, repos, slug, ..]) if repos == "repos" => {
                Some((key.clone(), slug.clone()))
            }
            ("users", [user, repos, slug, ..]) if repos == "repos" => {
                Some((format!("~{user}"), slug.clone()))
            }
            _ => None,
        };
        if let Some((owner, slug)) = found {
            return Some(DcPath {
                context,
                owner,
                slug,
            });
        }
    }
    None
}

fn data_center(raw: &RawUrl, found: DcPath) -> Result<RepositoryLocation, RepositoryUrlError> {
    check_name(&found.owner)?;
    check_name(strip_git_suffix(&found.slug))?;
    let owner = match found.owner.strip_prefix('~') {
        Some(user) => format!("~{}", user.to_ascii_lowercase()),
        None => found.owner.to_ascii_uppercase(),
    };
    // The context path as written: decoding it would send requests to another path.
    let context_path: String = raw.raw_segments[..found.context.min(raw.raw_segments.len())]
        .iter()
        .map(|s| format!("/{s}"))
        .collect();
    let scheme = if raw.kind == Transport::Http {
        "http"
    } else {
        "https"
    };
    let port = if raw.kind == Transport::Ssh {
        None
    } else {
        raw.port
    };
    let origin = match port {
        Some(port) => format!("{scheme}://{}:{port}", raw.host),
        None => format!("{scheme}://{}", raw.host),
    };
    Ok(RepositoryLocation {
        flavour: Flavour::DataCenter,
        host: raw.host.clone(),
        port,
        api_base_url: format!("{origin}{context_path}/rest"),
        context_path,
        owner,
        slug: strip_git_suffix(&found.slug).to_owned(),
        git_ref: raw.query_at.clone(),
        had_credentials: raw.had_credentials,
        from_ssh: raw.kind == Transport::Ssh,
    })
}

fn cloud(raw: &RawUrl) -> Result<RepositoryLocation, RepositoryUrlError> {
    let (workspace, slug, rest) = match raw.segments.as_slice() {
        [] => return Err(RepositoryUrlError::UnrecognisedPath),
        [workspace] => return Err(RepositoryUrlError::MissingRepository(workspace.clone())),
        [workspace, slug, rest @ ..] => (workspace, slug, rest),
    };
    let git_ref = match rest {
        [] => None,
        // `/branch/<name>`: everything after `branch` is the name, slashes included.
        [kind, name @ ..] if kind == "branch" && !name.is_empty() => Some(name.join("/")),
        [kind, first, more @ ..] if kind == "src" || kind == "raw" => {
            Some(raw.query_at.clone().unwrap_or_else(|| src_ref(first, more)))
        }
        [kind, ..] if kind == "src" || kind == "commits" || kind == "branches" => None,
        [kind, ..] if kind == "get" || kind == "downloads" => {
            return Err(RepositoryUrlError::NotARepository("a download"))
        }
        [kind, ..] if kind == "pull-requests" => None,
        _ => return Err(RepositoryUrlError::UnrecognisedPath),
    };
    let slug = strip_git_suffix(slug);
    check_name(workspace)?;
    check_name(slug)?;
    let local = is_loopback(&raw.host);
    let api_base_url = if local {
        let scheme = if raw.kind == Transport::Http {
            "http"
        } else {
            "https"
        };
        match raw.port {
            Some(port) => format!("{scheme}://{}:{port}/2.0", raw.host),
            None => format!("{scheme}://{}/2.0", raw.host),
        }
    } else {
        "https://api.bitbucket.org/2.0".to_owned()
    };
    Ok(RepositoryLocation {
        flavour: Flavour::Cloud,
        host: if local {
            raw.host.clone()
        } else {
            "bitbucket.org".into()
        },
        port: if local { raw.port } else { None },
        context_path: String::new(),
        owner: workspace.clone(),
        slug: slug.to_owned(),
        api_base_url,
        git_ref,
        had_credentials: raw.had_credentials,
        from_ssh: raw.kind == Transport::Ssh,
    })
}

/// The ref of a `/src/<ref>/<path>` URL: the first segment, or `<type>/<name>` for Cloud's branch types
/// (`feature/x`, `bugfix/y`…), whose names always have a slash.
fn src_ref(first: &str, more: &[String]) -> String {
    match more.first() {
        Some(name) if BRANCH_TYPE_PREFIXES.contains(&first) => format!("{first}/{name}"),
        _ => first.to_owned(),
    }
}

fn strip_git_suffix(slug: &str) -> &str {
    slug.strip_suffix(".git").unwrap_or(slug)
}

/// Workspace, project and repository names: letters, digits, `-`, `_`, `.`, and `~` for personal owners.
fn check_name(name: &str) -> Result<(), RepositoryUrlError> {
    let body = name.strip_prefix('~').unwrap_or(name);
    let valid = !body.is_empty()
        && body != "."
        && body != ".."
        && body
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if valid {
        Ok(())
    } else {
        Err(RepositoryUrlError::InvalidName(
            name.chars().take(60).collect(),
        ))
    }
}

impl fmt::Display for RepositoryLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.summary())
    }
}
