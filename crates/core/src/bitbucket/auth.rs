//! Credentials and the `Authorization` header they produce.
//!
//! Bitbucket Cloud API tokens go as HTTP Basic with the Atlassian account **email** as the user name;
//! Data Center tokens and passwords go as Basic with the Bitbucket **user name**; access tokens (Cloud
//! repository/project/workspace tokens, Data Center HTTP access tokens) go as `Bearer`. The token only ever
//! travels in this header: never in a URL, a log line or an error message.

use std::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use crate::connection::{is_email, AuthMode, Secret, ValidConnection};

/// Who the requests authenticate as. `Debug` never shows the token.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// Bearer or Basic.
    pub mode: AuthMode,
    /// The user name (an email for Cloud API tokens); unused for Bearer.
    pub username: String,
    token: Secret,
}

impl Credentials {
    /// Credentials from their parts.
    pub fn new(mode: AuthMode, username: &str, token: &str) -> Self {
        Credentials {
            mode,
            username: username.to_owned(),
            token: Secret::from(token),
        }
    }

    /// The credentials of a validated connection.
    pub fn from_connection(connection: &ValidConnection) -> Self {
        Credentials::new(
            connection.auth,
            &connection.username,
            connection.token.expose(),
        )
    }

    /// The value of the `Authorization` header: `Bearer <token>` or `Basic base64(username:token)`.
    pub fn authorization(&self) -> String {
        match self.mode {
            AuthMode::Bearer => format!("Bearer {}", self.token.expose()),
            AuthMode::Basic => format!("Basic {}", self.encoded_pair()),
        }
    }

    /// Whether the user name looks like an email address (what Cloud API tokens need), by the same
    /// rule as the connection form ([`is_email`]).
    pub fn username_is_email(&self) -> bool {
        is_email(&self.username)
    }

    /// Texts that must never be shown: the token and its encoded forms.
    pub(crate) fn secrets(&self) -> Vec<String> {
        crate::secrets::forms(&self.username, self.token.expose())
    }

    fn encoded_pair(&self) -> String {
        STANDARD.encode(format!("{}:{}", self.username, self.token.expose()))
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("mode", &self.mode)
            .field("username", &self.username)
            .field("token", &self.token)
            .finish()
    }
}
