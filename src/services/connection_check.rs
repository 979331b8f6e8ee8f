//! Runs core's connection test against Bitbucket as a job, reporting the checklist after each answer.

use versioning_core::bitbucket::{ConnectionTest, StepReport, TestOutcome};
use versioning_core::ValidConnection;
use yew::Callback;

use crate::services::jobs::run_job;
use crate::services::transport::{Cancellation, REQUEST_TIMEOUT_MS};

/// Runs every step until the first failure; `on_progress` sees the checklist after each answer.
/// Returns `None` when the test was cancelled.
pub async fn run_connection_test(
    connection: &ValidConnection,
    on_progress: &Callback<Vec<StepReport>>,
    cancellation: &Cancellation,
) -> Option<(Vec<StepReport>, Option<TestOutcome>)> {
    let mut test = ConnectionTest::new(connection);
    let report = |test: &ConnectionTest| on_progress.emit(test.steps().to_vec());
    run_job(
        &mut test,
        connection.location.flavour,
        REQUEST_TIMEOUT_MS,
        cancellation,
        &report,
    )
    .await
}
