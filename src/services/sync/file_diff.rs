//! The line diff of one file of a push preview: the branch's version (read by commit hash) against the
//! local one.

use versioning_core::artifacts::FileSource;
use versioning_core::bitbucket::{Api, ApiError};
use versioning_core::sync::{line_diff, Action, DiffLine, PushPlan, Remote, TooLargeToCompare};
use versioning_core::ValidConnection;

use crate::services::transport::{execute, Cancellation};

/// Why a diff cannot be shown. `Display` is the message for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiffError {
    /// The branch's version could not be read.
    #[error(transparent)]
    Read(#[from] ApiError),
    /// A side is too large to compare.
    #[error(transparent)]
    TooLarge(#[from] TooLargeToCompare),
}

/// The diff of change `index` of `plan` with 3 lines of context, at most `max_lines` lines (`true` when
/// cut there), read with `connection`.
pub async fn branch_diff(
    connection: &ValidConnection,
    plan: &PushPlan,
    index: usize,
    max_lines: usize,
) -> Result<(Vec<DiffLine>, bool), DiffError> {
    let change = &plan.changes.changes[index];
    let local = plan
        .local
        .get(&change.path)
        .map(|file| file.bytes().into_owned())
        .unwrap_or_default();
    let remote_path = match &change.action {
        Action::Add => None,
        Action::Rename { from } => Some(from.clone()),
        _ => Some(change.path.clone()),
    };
    let remote = match remote_path {
        None => Vec::new(),
        Some(path) => {
            let call = Remote::new(Api::new(connection)).read_file(&plan.tip.id, &path);
            let flavour = connection.location.flavour;
            let response = execute(&call.request, flavour, &Cancellation::new()).await?;
            call.parse(&response)?
        }
    };
    // A branch's file too large to read, or either side too large to compare, is said so.
    Ok(line_diff(&remote, &local, 3, max_lines)?)
}
