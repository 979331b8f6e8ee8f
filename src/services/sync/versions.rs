//! The commits of a branch that touched the artifacts, to choose one to pull.

use versioning_core::bitbucket::{Api, CommitSummary};
use versioning_core::sync::{BranchVersions, SyncError};
use versioning_core::ValidConnection;

use crate::services::jobs::run_job;
use crate::services::transport::{Cancellation, REQUEST_TIMEOUT_MS};

/// The commits of `branch` that touched the artifacts; `None` when cancelled.
pub async fn branch_versions(
    connection: &ValidConnection,
    branch: &str,
    cancellation: &Cancellation,
) -> Option<Result<Vec<CommitSummary>, SyncError>> {
    let mut versions = BranchVersions::new(Api::new(connection), branch.trim());
    let flavour = connection.location.flavour;
    run_job(
        &mut versions,
        flavour,
        REQUEST_TIMEOUT_MS,
        cancellation,
        &|_| (),
    )
    .await
}
