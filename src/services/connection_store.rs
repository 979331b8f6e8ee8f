//! Where a project's Bitbucket connection is kept in standalone mode.
//!
//! The connection record (no secret in it) goes to `localStorage`; the token goes to `sessionStorage`
//! only, so it survives a reload of the tab but never outlives the browser session and is never written
//! to persistent storage.

use gloo_storage::{LocalStorage, SessionStorage, Storage};
use serde::{Deserialize, Serialize};
use versioning_core::bitbucket::TestOutcome;
use versioning_core::{ConnectionForm, ValidConnection};

/// The result of the last successful connection test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastTest {
    /// When it ran (ISO 8601, UTC).
    pub tested_at: String,
    /// What it found.
    pub outcome: TestOutcome,
}

/// A saved connection, without its token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionRecord {
    /// Connection Name.
    pub name: String,
    /// Repository URL as entered.
    pub repository_url: String,
    /// Username or email.
    pub username: String,
    /// Whether the token is sent as Bearer.
    pub pat: bool,
    /// The optional API base URL override.
    pub api_base_url: String,
    /// When the connection was created (ISO 8601, UTC).
    pub created_at: String,
    /// The last successful connection test.
    #[serde(default)]
    pub last_test: Option<LastTest>,
}

impl ConnectionRecord {
    /// The record of a validated connection, created now.
    pub fn new(
        form: &ConnectionForm,
        connection: &ValidConnection,
        created_at: String,
        last_test: LastTest,
    ) -> Self {
        ConnectionRecord {
            name: connection.name.clone(),
            repository_url: form.repository_url.trim().to_owned(),
            username: connection.username.clone(),
            pat: form.pat,
            api_base_url: form.api_base_url.trim().to_owned(),
            created_at,
            last_test: Some(last_test),
        }
    }

    /// The form this record was made from, with the given token.
    pub fn to_form(&self, token: String) -> ConnectionForm {
        ConnectionForm {
            name: self.name.clone(),
            token,
            pat: self.pat,
            repository_url: self.repository_url.clone(),
            username: self.username.clone(),
            api_base_url: self.api_base_url.clone(),
        }
    }
}

/// Storage of connections, per project. An embedding portal supplies its own implementation.
pub trait ConnectionStore {
    /// The saved connection of a project.
    fn load(&self, project: &str) -> Option<ConnectionRecord>;
    /// The token for this browser session, if the user gave it in this session.
    fn session_token(&self, project: &str) -> Option<String>;
    /// Saves the record and keeps the token for the session.
    fn save(&self, project: &str, record: &ConnectionRecord, token: &str) -> Result<(), String>;
    /// Removes the record and the token.
    fn remove(&self, project: &str);
}

/// The standalone browser store: `localStorage` for records, `sessionStorage` for tokens.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BrowserConnectionStore;

fn record_key(project: &str) -> String {
    format!("bitbucket-versioning/connection/{project}")
}

fn token_key(project: &str) -> String {
    format!("bitbucket-versioning/session-token/{project}")
}

impl ConnectionStore for BrowserConnectionStore {
    fn load(&self, project: &str) -> Option<ConnectionRecord> {
        LocalStorage::get(record_key(project)).ok()
    }

    fn session_token(&self, project: &str) -> Option<String> {
        SessionStorage::get(token_key(project)).ok()
    }

    fn save(&self, project: &str, record: &ConnectionRecord, token: &str) -> Result<(), String> {
        let failed = |_| {
            "The browser refused to save the connection (storage full or disabled).".to_string()
        };
        LocalStorage::set(record_key(project), record).map_err(failed)?;
        SessionStorage::set(token_key(project), token).map_err(failed)
    }

    fn remove(&self, project: &str) {
        LocalStorage::delete(record_key(project));
        SessionStorage::delete(token_key(project));
    }
}

/// Now, as an ISO 8601 UTC timestamp.
pub fn now_iso() -> String {
    String::from(js_sys::Date::new_0().to_iso_string())
}
