//! Runs core's jobs (the connection test, push planning, push, pull) against Bitbucket: the requests each
//! step hands out go through the transport with the job's concurrency and timeout, back-offs are waited
//! out, archives are unpacked in one archive worker per job (started while they are on their way),
//! `on_progress` sees the job as each step starts (its requests in flight) and at the end, the job works
//! while its requests are in flight, and cancelling stops between requests and ends a back-off wait.

use std::pin::pin;

use futures::future::{join, select};
use gloo_timers::future::TimeoutFuture;
use versioning_core::sync::{Job, JobStep};
use versioning_core::Flavour;

use crate::services::archive_worker::{unpack, ArchiveWorker};
use crate::services::transport::{execute_all_within, Cancellation};

/// Drives `job` to its end; `None` when it was cancelled.
pub async fn run_job<J: Job>(
    job: &mut J,
    flavour: Flavour,
    timeout_ms: u32,
    cancellation: &Cancellation,
    on_progress: &dyn Fn(&J),
) -> Option<J::Output> {
    // The archive worker, started while the folder is listed and its archives download, so that it is
    // ready when they come; every archive round of the job uses it.
    let mut unpacker = None;
    loop {
        if cancellation.is_cancelled() {
            return None;
        }
        let step = job.next();
        // After `next`, so that the step whose requests are in flight shows as running.
        on_progress(job);
        match step {
            JobStep::Send(requests) => {
                if job.may_unpack() {
                    ready(&mut unpacker);
                }
                let sending = execute_all_within(
                    &requests,
                    flavour,
                    job.concurrency(),
                    timeout_ms,
                    cancellation,
                );
                // `join` polls the requests first, which sends them; the job's own work then runs while
                // they are in flight.
                let (answers, ()) = join(sending, async { job.while_waiting() }).await;
                if cancellation.is_cancelled() {
                    return None;
                }
                job.handle(answers);
            }
            JobStep::Unpack(zips) => {
                ready(&mut unpacker);
                let files = unpack(unpacker.as_ref(), &zips).await;
                if cancellation.is_cancelled() {
                    return None;
                }
                job.unpacked(files);
            }
            // A back-off (up to minutes) ends early on Cancel.
            JobStep::Wait(millis) => {
                select(TimeoutFuture::new(millis), pin!(cancellation.cancelled())).await;
            }
            JobStep::Done(output) => return Some(output),
        }
    }
}

/// Starts the archive worker unless it runs already.
fn ready(unpacker: &mut Option<ArchiveWorker>) {
    if unpacker.is_none() {
        *unpacker = ArchiveWorker::start().ok();
    }
}
