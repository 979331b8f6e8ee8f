//! Pull requests through the transport: opening one after a push (with the role check's permit) and
//! recording it on the push's History row, and reading once the state of the History's open ones.

use std::rc::Rc;

use versioning_core::bitbucket::pull_requests::{self, NewPullRequest, PullRequest};
use versioning_core::bitbucket::{Api, ApiError};
use versioning_core::roles::{permit_pull_request, Denial, Role};
use versioning_core::ValidConnection;

use crate::services::project_store::{ProjectStore, StoreError};
use crate::services::projects::{load_existing, StoredProject};
use crate::services::transport::{execute, execute_all, Cancellation};

/// How many state reads of the History are in flight at once.
const READS_IN_FLIGHT: usize = 4;

/// Why a pull request was not opened, or not recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    /// The role check refused it.
    #[error("{0}")]
    Denied(Denial),
    /// Bitbucket refused it, or did not answer (its words, as the error map explains them).
    #[error("{0}")]
    Bitbucket(ApiError),
    /// Opened, but this browser could not record it on the push's History row.
    #[error("The pull request #{id} was opened, but this browser could not record it in the History ({error}).")]
    NotRecorded {
        /// The pull request's id.
        id: u64,
        /// Why the record was not saved.
        error: StoreError,
    },
}

/// Opens `new` with the connection's credentials for a user holding `roles`: one request, after the role
/// check.
pub async fn open_pull_request(
    connection: &ValidConnection,
    roles: &[Role],
    new: &NewPullRequest,
) -> Result<PullRequest, OpenError> {
    let permit = permit_pull_request(roles).map_err(OpenError::Denied)?;
    let call = pull_requests::open(&Api::new(connection), &permit, new);
    let flavour = connection.location.flavour;
    let response = execute(&call.request, flavour, &Cancellation::new())
        .await
        .map_err(OpenError::Bitbucket)?;
    call.parse(&response).map_err(OpenError::Bitbucket)
}

/// Records `pull_request` on the last push row of its source branch in the project's History, and saves
/// the record; answers it as now stored.
pub async fn record_pull_request(
    store: &dyn ProjectStore,
    project_id: &str,
    pull_request: &PullRequest,
) -> Result<Rc<StoredProject>, OpenError> {
    let not_recorded = |error| OpenError::NotRecorded {
        id: pull_request.id,
        error,
    };
    let mut stored = load_existing(store, project_id)
        .await
        .map_err(not_recorded)?;
    stored.record_pull_request(pull_request.clone());
    store.save(&stored).await.map_err(not_recorded)?;
    // The store now holds the next revision.
    stored.revision += 1;
    Ok(Rc::new(stored))
}

/// Reads each of the pull requests `ids` once, a few at a time: each with its state or why it could not be
/// read.
pub async fn read_pull_requests(
    connection: &ValidConnection,
    ids: &[u64],
) -> Vec<(u64, Result<PullRequest, ApiError>)> {
    let api = Api::new(connection);
    let calls: Vec<_> = ids.iter().map(|id| pull_requests::get(&api, *id)).collect();
    let requests: Vec<_> = calls.iter().map(|call| call.request.clone()).collect();
    let flavour = connection.location.flavour;
    let answers = execute_all(&requests, flavour, READS_IN_FLIGHT, &Cancellation::new()).await;
    ids.iter()
        .zip(calls.iter().zip(answers))
        .map(|(id, (call, answer))| (*id, answer.and_then(|response| call.parse(&response))))
        .collect()
}
