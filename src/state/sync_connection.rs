//! The connection of a project as the push and pull dialogs (and pull requests) need it: the saved
//! record, the connection with its token, and what its last test found.

use std::rc::Rc;

use versioning_core::bitbucket::TestOutcome;
use versioning_core::ValidConnection;
use yew::prelude::*;

use crate::services::connection_store::ConnectionRecord;
use crate::services::sync::connection::{usable_connection, ConnectionProblem};
use crate::state::connections::use_connections;

/// The project's connection as a sync dialog needs it.
#[derive(Clone)]
pub struct SyncConnection {
    /// The saved connection, if any.
    pub record: Rc<Option<ConnectionRecord>>,
    /// The connection with its token, or why a sync cannot start.
    pub connection: Result<ValidConnection, ConnectionProblem>,
    /// What the last connection test found (branches, main branch, restrictions).
    pub outcome: Option<TestOutcome>,
}

impl SyncConnection {
    /// The repository's main branch, when the last test found it.
    pub fn main_branch(&self) -> Option<String> {
        self.outcome.as_ref().and_then(|o| o.main_branch.clone())
    }

    /// The branches the last test found.
    pub fn branches(&self) -> Vec<String> {
        self.outcome
            .as_ref()
            .map(|o| o.branches.clone())
            .unwrap_or_default()
    }
}

/// The connection of a project, read from the connection store once.
#[hook]
pub fn use_sync_connection(project_id: &str) -> SyncConnection {
    let connections = use_connections();
    let record = use_memo(
        (connections.clone(), project_id.to_owned()),
        |(store, id)| store.load(id),
    );
    let connection = usable_connection(&record, connections.session_token(project_id));
    let outcome = record
        .as_ref()
        .as_ref()
        .and_then(|r| r.last_test.as_ref())
        .map(|t| t.outcome.clone());
    SyncConnection {
        record,
        connection,
        outcome,
    }
}
