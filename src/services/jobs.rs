//! Runs core's jobs (the connection test, push planning, push, pull) against Bitbucket: the requests each
//! step hands out go through the transport with the job's concurrency and timeout, back-offs are waited
//! out, archives are unpacked in one archive worker per job (started while they are on their way),
//! `on_progress` sees the job as each step starts (its requests in flight) and at the end, the job works
//! while its requests are in flight, and cancelling stops between requests and ends a back-off wait.
//! On Bitbucket Cloud, every request is counted against its token's hourly allowance while the page is
//! open, and a step that would not fit (with what its job expects to send after it) is answered with
//! the refusal instead of being sent.

use std::cell::RefCell;
use std::pin::pin;

use futures::future::{join, select};
use gloo_timers::future::TimeoutFuture;
use versioning_core::bitbucket::ApiError;
use versioning_core::sync::{Allowances, Job, JobStep};
use versioning_core::Flavour;

use crate::services::archive_worker::{unpack, ArchiveWorker};
use crate::services::transport::{execute_all_within, Cancellation};

thread_local! {
    /// Bitbucket Cloud's hourly allowance of each token this page used, while it is open.
    static ALLOWANCES: RefCell<Allowances> = RefCell::default();
}

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
                let now = js_sys::Date::now() as u64;
                let ahead = job.requests_ahead();
                let allowed = match flavour {
                    Flavour::Cloud => {
                        ALLOWANCES.with_borrow_mut(|a| a.check(now, &requests, ahead))
                    }
                    Flavour::DataCenter => Ok(()),
                };
                if let Err(refused) = allowed {
                    job.handle(requests.iter().map(|_| Err(refused.clone())).collect());
                    continue;
                }
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
                let sent = requests
                    .iter()
                    .zip(&answers)
                    .filter(|(_, answer)| !matches!(answer, Err(ApiError::Cancelled)));
                ALLOWANCES.with_borrow_mut(|a| a.record(now, sent.map(|(request, _)| request)));
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
