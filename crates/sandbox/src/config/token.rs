//! Tokens of the configuration: kinds, scopes, owners and expiry.

use serde::{Deserialize, Serialize};

/// The kind of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TokenKind {
    /// Cloud user API token (Basic `email:token`, granular scopes).
    CloudApi,
    /// Cloud repository access token (Bearer, classic scopes).
    CloudRepository,
    /// Cloud workspace access token (Bearer, classic scopes).
    CloudWorkspace,
    /// Data Center user HTTP access token (Bearer or Basic `username:token`).
    DcUser,
    /// Data Center project HTTP access token (Bearer only).
    DcProject,
    /// Data Center repository HTTP access token (Bearer only).
    DcRepository,
}

impl TokenKind {
    /// The kebab-case name used in configuration, logs and tables.
    pub fn name(self) -> &'static str {
        match self {
            TokenKind::CloudApi => "cloud-api",
            TokenKind::CloudRepository => "cloud-repository",
            TokenKind::CloudWorkspace => "cloud-workspace",
            TokenKind::DcUser => "dc-user",
            TokenKind::DcProject => "dc-project",
            TokenKind::DcRepository => "dc-repository",
        }
    }
}

/// A credential.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Token {
    /// The secret string sent by clients.
    pub secret: String,
    /// The kind.
    pub kind: TokenKind,
    /// Owner (user tokens).
    #[serde(default)]
    pub user: Option<String>,
    /// Token name (resource tokens act as a pseudo-user of that name).
    #[serde(default)]
    pub name: Option<String>,
    /// Resource: `workspace/slug`, `workspace`, `KEY/slug` or `KEY`.
    #[serde(default)]
    pub repository: Option<String>,
    /// Scopes (Cloud).
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Data Center resource token permission (`REPO_READ`, `REPO_WRITE`, `REPO_ADMIN`).
    #[serde(default)]
    pub permission: Option<String>,
    /// Last valid day, `YYYY-MM-DD` (UTC); the token is refused after it.
    #[serde(default)]
    pub expires: Option<String>,
}

impl Token {
    /// Whether the token has expired at `now` (seconds since the epoch).
    pub fn is_expired(&self, now: i64) -> bool {
        match self.expires.as_deref().and_then(crate::time::parse_date) {
            Some(day) => now >= (day + 1) * 86_400,
            None => false,
        }
    }
}
