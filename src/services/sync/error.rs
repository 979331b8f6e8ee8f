//! Why a push or a pull stopped.

use versioning_core::sync::SyncError;

use crate::services::project_store::StoreError;
use crate::services::sync::connection::ConnectionProblem;
use crate::services::sync::pull::ApplyError;

/// Why a push or a pull stopped. `Display` is the message for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncJobError {
    /// The project's connection cannot be used.
    #[error(transparent)]
    Connection(#[from] ConnectionProblem),
    /// The browser's store failed reading the project.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// What to push or pull is not valid, planning or sending failed, or the policy refused.
    #[error(transparent)]
    Sync(#[from] SyncError),
    /// A push was cancelled, and what landed could not be read afterwards.
    #[error("The push was cancelled before what landed in Bitbucket could be read. Preview the push again: it shows what is still to write.")]
    PushCancelledUnread,
    /// A push landed, but the store refused to record it.
    #[error("The push landed in Bitbucket, but this browser could not record it ({0}). The next push compares with the branch again.")]
    PushNotRecorded(StoreError),
    /// A pull's preview could not be applied; nothing local changed.
    #[error("Nothing was changed. {0}")]
    PullNotApplied(ApplyError),
}
