//! Runs core's connection test against Bitbucket, one request at a time, reporting each step.

use versioning_core::bitbucket::{ConnectionTest, StepReport, TestOutcome};
use versioning_core::ValidConnection;
use yew::Callback;

use crate::services::transport::{execute, Cancellation};

/// Runs every step until the first failure; `on_progress` sees the checklist after each answer.
/// Returns `None` when the test was cancelled.
pub async fn run_connection_test(
    connection: &ValidConnection,
    on_progress: &Callback<Vec<StepReport>>,
    cancellation: &Cancellation,
) -> Option<(Vec<StepReport>, Option<TestOutcome>)> {
    let mut test = ConnectionTest::new(connection);
    on_progress.emit(test.steps().to_vec());
    while let Some(request) = test.next_request() {
        match execute(&request, connection.location.flavour, cancellation).await {
            Ok(response) => test.handle_response(response),
            Err(_) if cancellation.is_cancelled() => return None,
            Err(error) => test.handle_failure(error),
        }
        on_progress.emit(test.steps().to_vec());
    }
    Some((test.steps().to_vec(), test.outcome()))
}
