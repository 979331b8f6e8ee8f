//! The connection and the project a push or a pull works with.

use std::rc::Rc;

use versioning_core::ValidConnection;

use crate::services::connection_store::ConnectionRecord;
use crate::services::project_record::{repository_key, StoredProject};
use crate::services::project_store::{ProjectStore, StoreError};
use crate::services::projects::load_existing;

/// Why a push or a pull cannot start: the project's connection is missing or cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectionProblem {
    /// The project has no saved connection.
    #[error("This project has no Bitbucket connection. Create one under Settings → Manage Integration → Versioning → Bitbucket.")]
    Missing,
    /// The browser session holds no token for it.
    #[error("This browser session has no token for the connection. Open the Bitbucket page, choose Edit and paste the token.")]
    NoToken,
    /// The saved connection does not pass the form's checks any more.
    #[error("The saved connection is not valid any more. Open the Bitbucket page and edit it.")]
    Invalid,
}

/// The connection with its token, or why a push or pull cannot start.
pub fn usable_connection(
    record: &Option<ConnectionRecord>,
    token: Option<String>,
) -> Result<ValidConnection, ConnectionProblem> {
    let record = record.as_ref().ok_or(ConnectionProblem::Missing)?;
    let token = token.ok_or(ConnectionProblem::NoToken)?;
    record
        .to_form(token)
        .to_connection(&[])
        .map_err(|_| ConnectionProblem::Invalid)
}

/// How bases and History name the repository of a connection.
pub fn repository_of(connection: &ValidConnection) -> String {
    repository_key(&connection.api_base_url, &connection.location.full_name())
}

/// The project a push or pull works on: the page's copy when given (`loaded`), else the store's.
pub async fn current_project(
    loaded: Option<Rc<StoredProject>>,
    store: &dyn ProjectStore,
    id: &str,
) -> Result<Rc<StoredProject>, StoreError> {
    match loaded {
        Some(stored) => Ok(stored),
        None => load_existing(store, id).await.map(Rc::new),
    }
}
