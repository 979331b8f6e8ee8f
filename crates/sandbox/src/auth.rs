//! Who is calling: credentials parsed from `Authorization`, checked the way Bitbucket does in 2026,
//! and the caller's access to repositories.

use axum::http::{header, HeaderMap};
use base64::Engine;

use crate::config::{Access, Config, Token, TokenKind, User};
use crate::errors::{CloudError, DcError, TOKEN_INVALID};

/// A token bound to a resource (repository, workspace or project) rather than a person.
#[derive(Debug, Clone)]
pub struct ResourceGrant {
    /// Pseudo-user name (the token's name).
    pub name: String,
    /// `workspace/slug`, `workspace`, `KEY/slug` or `KEY`.
    pub resource: String,
    /// Access on that resource.
    pub access: Access,
}

/// The authenticated caller of one request.
#[derive(Debug, Clone, Default)]
pub struct Caller {
    /// The person, for user credentials.
    pub user: Option<String>,
    /// The resource, for resource access tokens.
    pub grant: Option<ResourceGrant>,
    /// Scopes of a Cloud token (`None`: not scope-limited).
    pub scopes: Option<Vec<String>>,
    /// How the caller authenticated, for the request log.
    pub kind: CallerKind,
}

/// How a request authenticated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CallerKind {
    /// No credentials.
    #[default]
    Anonymous,
    /// Data Center username and password.
    Password,
    /// A token of this kind.
    Token(TokenKind),
    /// Credentials that were refused.
    Invalid,
}

impl CallerKind {
    /// The name the request log uses (`none`, `password`, `cloud-api`, `dc-user`, `invalid` …).
    pub fn name(self) -> &'static str {
        match self {
            CallerKind::Anonymous => "none",
            CallerKind::Password => "password",
            CallerKind::Token(kind) => kind.name(),
            CallerKind::Invalid => "invalid",
        }
    }
}

/// The credential kind of a request, attached to responses for the request log.
#[derive(Debug, Clone, Copy)]
pub struct CredentialKind(pub CallerKind);

enum Credentials {
    None,
    Basic(String, String),
    Bearer(String),
    Other,
}

fn credentials(headers: &HeaderMap) -> Credentials {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return Credentials::None;
    };
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    let rest = rest.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        return Credentials::Bearer(rest.to_string());
    }
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(rest)
            .ok()
            .and_then(|b| String::from_utf8(b).ok());
        if let Some((user, pass)) = decoded.as_deref().and_then(|d| d.split_once(':')) {
            return Credentials::Basic(user.to_string(), pass.to_string());
        }
    }
    Credentials::Other
}

fn token<'a>(config: &'a Config, secret: &str) -> Option<&'a Token> {
    config.tokens.iter().find(|t| t.secret == secret)
}

fn grant(token: &Token, access: Access) -> ResourceGrant {
    ResourceGrant {
        name: token
            .name
            .clone()
            .unwrap_or_else(|| "Access token".to_string()),
        resource: token.repository.clone().unwrap_or_default(),
        access,
    }
}

/// Cloud classic scopes → access (`repository:admin` ⊃ `repository:write` ⊃ `repository`).
fn classic_access(scopes: &[String]) -> Option<Access> {
    let has = |s: &str| scopes.iter().any(|x| x == s);
    if has("repository:admin") {
        Some(Access::Admin)
    } else if has("repository:write") {
        Some(Access::Write)
    } else if has("repository") {
        Some(Access::Read)
    } else {
        None
    }
}

/// Resolves Cloud credentials: Basic `email:api-token`, Bearer resource access tokens.
pub fn cloud_caller(config: &Config, headers: &HeaderMap, now: i64) -> Result<Caller, CloudError> {
    match credentials(headers) {
        Credentials::None => Ok(Caller::default()),
        Credentials::Basic(login, secret) => cloud_api_token(config, &secret, now, |user| {
            user.email.eq_ignore_ascii_case(&login)
        }),
        Credentials::Bearer(secret) => cloud_access_token(config, &secret, now),
        Credentials::Other => Err(CloudError::bad_credentials()),
    }
}

/// The login of Basic credentials that carry a Cloud API token over git, for any user.
pub const GIT_API_TOKEN_LOGIN: &str = "x-bitbucket-api-token-auth";
/// The login of Basic credentials that carry a Cloud access token over git.
pub const GIT_ACCESS_TOKEN_LOGIN: &str = "x-token-auth";

/// Resolves the credentials of a git request to a Cloud repository, as Bitbucket Cloud takes
/// them over HTTPS: Basic with an API token and the user's username or
/// [`GIT_API_TOKEN_LOGIN`] (not the email, which only the REST API takes), Basic
/// [`GIT_ACCESS_TOKEN_LOGIN`] with an access token, or Bearer with an access token.
pub fn cloud_git_caller(
    config: &Config,
    headers: &HeaderMap,
    now: i64,
) -> Result<Caller, CloudError> {
    match credentials(headers) {
        Credentials::Basic(login, secret) if login == GIT_ACCESS_TOKEN_LOGIN => {
            cloud_access_token(config, &secret, now)
        }
        Credentials::Basic(login, secret) => cloud_api_token(config, &secret, now, |user| {
            login == GIT_API_TOKEN_LOGIN || user.username == login
        }),
        _ => cloud_caller(config, headers, now),
    }
}

/// A Cloud API token sent with Basic: its user, when `login` fits that user (`login_fits`).
fn cloud_api_token(
    config: &Config,
    secret: &str,
    now: i64,
    login_fits: impl Fn(&User) -> bool,
) -> Result<Caller, CloudError> {
    let token = token(config, secret)
        .filter(|t| t.kind == TokenKind::CloudApi)
        .ok_or_else(CloudError::bad_credentials)?;
    let user = token.user.as_deref().and_then(|u| config.user(u));
    let user = user
        .filter(|u| login_fits(u))
        .ok_or_else(CloudError::bad_credentials)?;
    if token.is_expired(now) || token.scopes.is_empty() {
        return Err(CloudError::new(
            axum::http::StatusCode::UNAUTHORIZED,
            TOKEN_INVALID,
        ));
    }
    Ok(Caller {
        user: Some(user.username.clone()),
        grant: None,
        scopes: Some(token.scopes.clone()),
        kind: CallerKind::Token(TokenKind::CloudApi),
    })
}

/// A Cloud repository or workspace access token: its pseudo-user with the token's classic access.
fn cloud_access_token(config: &Config, secret: &str, now: i64) -> Result<Caller, CloudError> {
    let invalid = || CloudError::new(axum::http::StatusCode::UNAUTHORIZED, TOKEN_INVALID);
    let token = token(config, secret)
        .filter(|t| {
            matches!(
                t.kind,
                TokenKind::CloudRepository | TokenKind::CloudWorkspace
            )
        })
        .filter(|t| !t.is_expired(now))
        .ok_or_else(invalid)?;
    let access = classic_access(&token.scopes).ok_or_else(invalid)?;
    Ok(Caller {
        user: None,
        grant: Some(grant(token, access)),
        scopes: Some(token.scopes.clone()),
        kind: CallerKind::Token(token.kind),
    })
}

/// Resolves Data Center credentials: Basic `username:password|user-token`, Bearer HTTP access tokens.
pub fn dc_caller(config: &Config, headers: &HeaderMap, now: i64) -> Result<Caller, DcError> {
    match credentials(headers) {
        Credentials::None => Ok(Caller {
            kind: CallerKind::Anonymous,
            ..Caller::default()
        }),
        Credentials::Basic(login, secret) => {
            let user = config.user(&login).ok_or_else(DcError::bad_credentials)?;
            if user.password.as_deref() == Some(secret.as_str()) {
                return Ok(Caller {
                    user: Some(user.username.clone()),
                    kind: CallerKind::Password,
                    ..Caller::default()
                });
            }
            token(config, &secret)
                .filter(|t| {
                    t.kind == TokenKind::DcUser && t.user.as_deref() == Some(login.as_str())
                })
                .filter(|t| !t.is_expired(now))
                .ok_or_else(DcError::bad_credentials)?;
            Ok(Caller {
                user: Some(user.username.clone()),
                kind: CallerKind::Token(TokenKind::DcUser),
                ..Caller::default()
            })
        }
        Credentials::Bearer(secret) => {
            let token = token(config, &secret)
                .filter(|t| {
                    matches!(
                        t.kind,
                        TokenKind::DcUser | TokenKind::DcProject | TokenKind::DcRepository
                    )
                })
                .filter(|t| !t.is_expired(now))
                .ok_or_else(DcError::bad_credentials)?;
            if token.kind == TokenKind::DcUser {
                return Ok(Caller {
                    user: token.user.clone(),
                    kind: CallerKind::Token(TokenKind::DcUser),
                    ..Caller::default()
                });
            }
            let access = token
                .permission
                .as_deref()
                .and_then(Access::from_dc)
                .unwrap_or(Access::Read);
            Ok(Caller {
                grant: Some(grant(token, access)),
                kind: CallerKind::Token(token.kind),
                ..Caller::default()
            })
        }
        Credentials::Other => Err(DcError::bad_credentials()),
    }
}

impl Caller {
    /// Whether anyone authenticated.
    pub fn is_anonymous(&self) -> bool {
        self.user.is_none() && self.grant.is_none()
    }

    /// Access on the repository `container/slug` (container = workspace or project key).
    pub fn access(
        &self,
        config: &crate::config::Repository,
        container: &str,
        slug: &str,
    ) -> Option<Access> {
        if let Some(user) = &self.user {
            return config.permissions.get(user).copied();
        }
        let grant = self.grant.as_ref()?;
        let full = format!("{container}/{slug}");
        let matches = grant.resource.eq_ignore_ascii_case(&full)
            || grant.resource.eq_ignore_ascii_case(container);
        matches.then_some(grant.access)
    }

    /// Checks Cloud scopes: granular scopes for API tokens, classic ones (with implication) for
    /// access tokens. Callers without scopes (anonymous) pass; the handler decides for them.
    pub fn require_scopes(&self, granular: &[&str], classic: &[&str]) -> Result<(), CloudError> {
        let Some(scopes) = &self.scopes else {
            return Ok(());
        };
        let (required, ok) = if self.grant.is_some() {
            let ok = classic
                .iter()
                .all(|need| scopes.iter().any(|s| classic_satisfies(s, need)));
            (classic, ok)
        } else {
            (
                granular,
                granular.iter().all(|need| scopes.iter().any(|s| s == need)),
            )
        };
        if ok {
            Ok(())
        } else {
            Err(CloudError::missing_scopes(required, scopes))
        }
    }
}

/// Whether a granted classic scope covers a needed one (admin ⊃ write ⊃ read).
fn classic_satisfies(granted: &str, need: &str) -> bool {
    match need {
        "repository" => matches!(
            granted,
            "repository" | "repository:write" | "repository:admin"
        ),
        "repository:write" => matches!(granted, "repository:write" | "repository:admin"),
        "pullrequest" => matches!(granted, "pullrequest" | "pullrequest:write"),
        _ => granted == need,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(user: &str, pass: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let value = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
        headers.insert(
            header::AUTHORIZATION,
            format!("Basic {value}").parse().unwrap(),
        );
        headers
    }

    #[test]
    fn cloud_api_tokens_need_the_email_not_the_username() {
        let config = Config::demo();
        let ok = cloud_caller(
            &config,
            &basic("ada@example.com", "ATATT-demo-ada-cloud"),
            0,
        )
        .unwrap();
        assert_eq!(ok.user.as_deref(), Some("ada"));
        let err = cloud_caller(&config, &basic("ada", "ATATT-demo-ada-cloud"), 0).unwrap_err();
        assert_eq!(err.status, 401);
        assert!(err.challenge);
    }

    #[test]
    fn classic_scopes_imply_lower_ones() {
        let config = Config::demo();
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            "Bearer ATCTT-demo-repo-checkout-tests".parse().unwrap(),
        );
        let caller = cloud_caller(&config, &headers, 0).unwrap();
        assert!(caller.require_scopes(&[], &["repository"]).is_ok());
        assert!(caller.require_scopes(&[], &["repository:write"]).is_ok());
        assert!(caller.require_scopes(&[], &["repository:admin"]).is_err());
    }
}
