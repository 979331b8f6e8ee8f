//! Runs core's sync jobs (push planning, push, pull) against Bitbucket: the requests each step hands out
//! go through the transport with the job's concurrency and the project's timeout, back-offs are waited
//! out, progress is reported after every step, and cancelling stops between requests.

use gloo_timers::future::TimeoutFuture;
use versioning_core::sync::{Job, JobStep, Progress};
use versioning_core::Flavour;
use yew::Callback;

use crate::services::transport::{execute_all_within, Cancellation};

/// Drives `job` to its end; `None` when it was cancelled.
pub async fn run_job<J: Job>(
    job: &mut J,
    flavour: Flavour,
    timeout_ms: u32,
    cancellation: &Cancellation,
    on_progress: &Callback<Progress>,
) -> Option<J::Output> {
    loop {
        if cancellation.is_cancelled() {
            return None;
        }
        match job.next() {
            JobStep::Send(requests) => {
                on_progress.emit(job.progress());
                let answers = execute_all_within(
                    &requests,
                    flavour,
                    job.concurrency(),
                    timeout_ms,
                    cancellation,
                )
                .await;
                if cancellation.is_cancelled() {
                    return None;
                }
                job.handle(answers);
            }
            JobStep::Wait(millis) => {
                on_progress.emit(job.progress());
                TimeoutFuture::new(millis).await;
            }
            JobStep::Done(output) => {
                on_progress.emit(job.progress());
                return Some(output);
            }
        }
    }
}
