//! Requests in flight and their retries, shared by the sync jobs: an [`Attempt`] counts the tries of
//! one request, [`Retrying`] schedules retries and counts the requests sent.

use super::error::SyncError;
use crate::bitbucket::{ApiError, ApiRequest, Call};
use crate::sync::job::{JobStep, Phase, Progress};
use crate::sync::params::ScmParameters;
use crate::sync::retry::RetryPolicy;

/// One request in flight, with how often it was tried.
#[derive(Debug, Clone)]
pub(crate) struct Attempt {
    pub(crate) request: ApiRequest,
    pub(crate) tries: u32,
}

impl Attempt {
    /// `request`, not tried yet.
    pub(crate) fn new(request: ApiRequest) -> Self {
        Attempt { request, tries: 0 }
    }

    /// The request of `call`, not tried yet.
    pub(crate) fn of<T>(call: Call<T>) -> Self {
        Self::new(call.request)
    }
}

/// Retries shared by the sync jobs.
#[derive(Debug)]
pub(crate) struct Retrying {
    policy: RetryPolicy,
    pub(crate) wait: Option<u32>,
    pub(crate) progress: Progress,
}

impl Retrying {
    pub(crate) fn new(parameters: &ScmParameters, seed: u64) -> Self {
        Retrying {
            policy: RetryPolicy::new(
                parameters.scm_retry_count,
                parameters.scm_retry_base_delay_ms,
                seed,
            ),
            wait: None,
            progress: Progress::default(),
        }
    }

    /// Schedules a retry of `attempt` after `error`; false when it must not be retried.
    pub(crate) fn schedule(&mut self, attempt: &mut Attempt, error: &ApiError) -> bool {
        self.schedule_batch(&mut attempt.tries, error)
    }

    /// Schedules a retry of the failed requests of a batch (listing pages, downloads) that was tried
    /// `tries` times; false when it must not be retried.
    pub(crate) fn schedule_batch(&mut self, tries: &mut u32, error: &ApiError) -> bool {
        // `tries` counts the retries made so far; the policy numbers retries from 1.
        match self.policy.delay_ms(*tries + 1, error) {
            Some(delay) => {
                *tries += 1;
                self.wait = Some(delay);
                self.progress.retries += 1;
                true
            }
            None => false,
        }
    }

    /// After a batch whose failed requests ended with `error` (`None`: none failed): schedules their
    /// retry, or gives the error back when they may not be retried.
    pub(crate) fn retry_batch(
        &mut self,
        tries: &mut u32,
        error: Option<ApiError>,
    ) -> Result<(), ApiError> {
        match error {
            Some(error) if !self.schedule_batch(tries, &error) => Err(error),
            _ => Ok(()),
        }
    }

    pub(crate) fn send<T>(&mut self, requests: Vec<ApiRequest>, phase: Phase) -> JobStep<T> {
        self.progress.phase = phase;
        self.progress.requests += requests.len();
        JobStep::Send(requests)
    }

    /// The end of a job: its result, or `Cancelled` when it ended without one.
    /// Ends a job with its result, handed over (not copied: a pull's preview holds the whole project's
    /// files); asked again, it answers `Cancelled`.
    pub(crate) fn done<T>(
        &mut self,
        result: &mut Option<Result<T, SyncError>>,
    ) -> JobStep<Result<T, SyncError>> {
        self.progress.phase = Phase::Done;
        JobStep::Done(
            result
                .take()
                .unwrap_or(Err(SyncError::Api(ApiError::Cancelled))),
        )
    }

    pub(crate) fn take_wait<T>(&mut self) -> Option<JobStep<T>> {
        let wait = self.wait.take()?;
        self.progress.phase = Phase::WaitingToRetry;
        Some(JobStep::Wait(wait))
    }
}
