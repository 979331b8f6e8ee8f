//! Where a project's Bitbucket connection is kept in standalone mode.
//!
//! The connection record (no secret in it) goes to `localStorage`; the token goes to `sessionStorage`
//! only, so it survives a reload of the tab but never outlives the browser session and is never written
//! to persistent storage. The record keeps the repository URL without any user name or password it was
//! pasted with, and a record that cannot be read is reported as damaged, never as "no connection".
//!
//! Each record carries a revision, checked when it is saved over, and the tabs of this origin announce
//! the connections they save or remove (see [`tab_changes`](crate::services::tab_changes)).

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use gloo_storage::{LocalStorage, SessionStorage, Storage};
use serde::{Deserialize, Serialize};
use versioning_core::bitbucket::TestOutcome;
use versioning_core::repo_url::without_credentials;
use versioning_core::{ConnectionForm, ValidConnection};

use crate::services::project_store::Expect;
use crate::services::tab_changes::{self, ChangeListener, TabChange};

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
    /// How many times the record was saved (0: never, or written before revisions existed). A save
    /// succeeds only when the store still holds this revision, and then stores `revision + 1`.
    #[serde(default)]
    pub revision: u64,
}

impl ConnectionRecord {
    /// The record as a store keeps it when it is saved over its revision: at the next revision, and its
    /// repository URL without any credentials pasted into it.
    pub fn saved(&self) -> ConnectionRecord {
        ConnectionRecord {
            repository_url: without_credentials(&self.repository_url),
            revision: self.revision + 1,
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
            revision: 0,
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

/// Why a connection could not be saved or removed. `Display` says why; the page says what was not done.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectionStoreError {
    /// The browser refused to store it (storage full or disabled); the previous connection is kept.
    #[error("The browser refused to store it (storage full or disabled); the previous connection is kept.")]
    Browser,
    /// Another tab saved or removed this project's connection since it was loaded here; nothing was written.
    #[error(
        "This connection was changed in another tab: reload to see it before changing it here."
    )]
    Conflict,
    /// The record could not be written as JSON.
    #[error("The connection could not be written ({0}).")]
    Unwritable(String),
    /// The embedding portal's storage refused or failed: its message, without any token.
    #[error("The portal's storage failed ({0}). Try again; if it persists, ask the portal's administrator.")]
    Portal(String),
}

/// The answer of a connection store's write, once the store holds it.
pub type ConnectionFuture<'a, T> =
    Pin<Box<dyn Future<Output = Result<T, ConnectionStoreError>> + 'a>>;

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
    /// Saves the record over the revision it was loaded at (`record.revision`, 0 for a new connection)
    /// with its token, and answers the record as stored (at `revision + 1`) once the store holds both.
    /// The token is written first: a write refused leaves the previous connection whole. When the store
    /// holds another revision (another tab saved or removed it), nothing is written and the answer is
    /// [`ConnectionStoreError::Conflict`].
    /// `token` is the connection's [`Secret`](versioning_core::connection::Secret), exposed by the caller: `connection.token.expose()`.
    fn save<'a>(
        &'a self,
        project: &'a str,
        record: &'a ConnectionRecord,
        token: &'a str,
    ) -> ConnectionFuture<'a, ConnectionRecord>;
    /// Removes the token, then the record, and answers once the store has removed both.
    fn remove<'a>(&'a self, project: &'a str) -> ConnectionFuture<'a, ()>;
}

/// Refuses a save over revision `loaded_at` when the store holds revision `current` (`None`: no record)
/// instead: another tab saved or removed the connection since.
pub fn check_revision(loaded_at: u64, current: Option<u64>) -> Result<(), ConnectionStoreError> {
    if Expect::Revision(loaded_at).holds(current) {
        Ok(())
    } else {
        Err(ConnectionStoreError::Conflict)
    }
}

/// The channel on which the tabs of this origin announce the connections they save or remove.
pub const CHANGES_CHANNEL: &str = "bitbucket-versioning:connections";

/// Tells the other tabs that the connection of `project` is now at `revision` (0: removed).
pub fn announce_change(project: &str, revision: u64) {
    tab_changes::announce(CHANGES_CHANNEL, project, revision);
}

/// Calls `on_change` for each connection another tab saves or removes, while the returned guard lives.
pub fn listen_for_connection_changes(on_change: impl FnMut(TabChange) + 'static) -> ChangeListener {
    tab_changes::listen(CHANGES_CHANNEL, on_change)
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

impl BrowserConnectionStore {
    /// Writes the token, then the record; a record refused puts the previous token back.
    fn write(
        &self,
        project: &str,
        record: &ConnectionRecord,
        token: &str,
    ) -> Result<ConnectionRecord, ConnectionStoreError> {
        // A damaged record is saved over (the page offers only Reset for it), as when there is none.
        let current = self.load_checked(project).ok().flatten();
        check_revision(record.revision, current.map(|c| c.revision))?;
        let stored = record.saved();
        let previous_token = self.session_token(project);
        SessionStorage::set(token_key(project), token)
            .map_err(|_| ConnectionStoreError::Browser)?;
        if LocalStorage::set(record_key(project), &stored).is_err() {
            match previous_token {
                // Best effort: the previous token was stored before, so it fits again.
                Some(previous) => {
                    let _ = SessionStorage::set(token_key(project), previous);
                }
                None => SessionStorage::delete(token_key(project)),
            }
            return Err(ConnectionStoreError::Browser);
        }
        announce_change(project, stored.revision);
        Ok(stored)
    }
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

    fn save<'a>(
        &'a self,
        project: &'a str,
        record: &'a ConnectionRecord,
        token: &'a str,
    ) -> ConnectionFuture<'a, ConnectionRecord> {
        let written = self.write(project, record, token);
        Box::pin(async move { written })
    }

    fn remove<'a>(&'a self, project: &'a str) -> ConnectionFuture<'a, ()> {
        SessionStorage::delete(token_key(project));
        LocalStorage::delete(record_key(project));
        announce_change(project, 0);
        Box::pin(async { Ok(()) })
    }
}

/// Now, as an ISO 8601 UTC timestamp.
pub fn now_iso() -> String {
    String::from(js_sys::Date::new_0().to_iso_string())
}
