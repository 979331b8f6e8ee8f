//! Where a project's Bitbucket connection is kept in standalone mode.
//!
//! The connection record (no secret in it) goes to `localStorage`; the token goes to `sessionStorage`
//! only, so it survives a reload of the tab but never outlives the browser session and is never written
//! to persistent storage. The record keeps the repository URL without any user name or password it was
//! pasted with, and a record that cannot be read is reported as damaged, never as "no connection".

use std::fmt;

use gloo_storage::{LocalStorage, SessionStorage, Storage};
use serde::{Deserialize, Serialize};
use versioning_core::bitbucket::TestOutcome;
use versioning_core::repo_url::without_credentials;
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
    /// Repository URL as entered, without the user name or password it may have been pasted with.
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
    /// The record as a store keeps it: its repository URL without any credentials pasted into it.
    pub fn to_store(&self) -> ConnectionRecord {
        ConnectionRecord {
            repository_url: without_credentials(&self.repository_url),
            ..self.clone()
        }
    }

    /// The record of a validated connection, created now.
    pub fn new(
        form: &ConnectionForm,
        connection: &ValidConnection,
        created_at: String,
        last_test: LastTest,
    ) -> Self {
        ConnectionRecord {
            name: connection.name.clone(),
            repository_url: without_credentials(&form.repository_url),
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

/// A saved connection that exists but cannot be read (edited by hand, written by an incompatible
/// version, or truncated). It must not be taken for "not connected": saving over it would lose it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DamagedRecord {
    /// Why it cannot be read (the JSON error, without the record's content).
    pub reason: String,
}

impl fmt::Display for DamagedRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "The saved Bitbucket connection of this project is damaged and cannot be read ({}). \
             Reset removes it so that you can create the connection again.",
            self.reason
        )
    }
}

impl std::error::Error for DamagedRecord {}

/// Reads a stored record: `None` (nothing stored) is "not connected", text that is not a record is
/// [`DamagedRecord`]. A repository URL stored with credentials (by an older version) comes back without
/// them.
pub fn parse_record(stored: Option<&str>) -> Result<Option<ConnectionRecord>, DamagedRecord> {
    stored
        .map(read_record)
        .transpose()
        .map(|read| read.map(|(record, _)| record))
}

/// A stored record, and whether its repository URL had credentials that were removed.
fn read_record(text: &str) -> Result<(ConnectionRecord, bool), DamagedRecord> {
    let mut record: ConnectionRecord =
        serde_json::from_str(text).map_err(|error| DamagedRecord {
            reason: format!(
                "{} at line {} column {}",
                match error.classify() {
                    serde_json::error::Category::Io => "unreadable",
                    serde_json::error::Category::Syntax => "not valid JSON",
                    serde_json::error::Category::Data => "not a connection record",
                    serde_json::error::Category::Eof => "cut short",
                },
                error.line(),
                error.column()
            ),
        })?;
    let clean = without_credentials(&record.repository_url);
    let changed = clean != record.repository_url;
    record.repository_url = clean;
    Ok((record, changed))
}

/// Storage of connections, per project. An embedding portal supplies its own implementation.
pub trait ConnectionStore {
    /// The saved connection of a project; `None` both when there is none and when it is damaged (see
    /// [`ConnectionStore::load_checked`], which tells them apart).
    fn load(&self, project: &str) -> Option<ConnectionRecord>;
    /// The saved connection of a project: `Ok(None)` when there is none, `Err` when one is stored but
    /// cannot be read.
    fn load_checked(&self, project: &str) -> Result<Option<ConnectionRecord>, DamagedRecord> {
        Ok(self.load(project))
    }
    /// The token for this browser session, if the user gave it in this session.
    fn session_token(&self, project: &str) -> Option<String>;
    /// Saves the record and keeps the token for the session (in session storage only).
    /// `token` is the connection's [`Secret`](versioning_core::connection::Secret), exposed by the caller: `connection.token.expose()`.
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
        self.load_checked(project).ok().flatten()
    }

    fn load_checked(&self, project: &str) -> Result<Option<ConnectionRecord>, DamagedRecord> {
        let key = record_key(project);
        let Some(text) = LocalStorage::raw().get_item(&key).ok().flatten() else {
            return Ok(None);
        };
        let (record, changed) = read_record(&text)?;
        if changed {
            // An older version stored the URL with its credentials: keep it only without them.
            let _ = LocalStorage::set(&key, &record);
        }
        Ok(Some(record))
    }

    fn session_token(&self, project: &str) -> Option<String> {
        SessionStorage::get(token_key(project)).ok()
    }

    fn save(&self, project: &str, record: &ConnectionRecord, token: &str) -> Result<(), String> {
        let failed = |_| {
            "The browser refused to save the connection (storage full or disabled).".to_string()
        };
        LocalStorage::set(record_key(project), record.to_store()).map_err(failed)?;
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
