//! Requests in flight and their retries, shared by the sync jobs: an [`Attempt`] counts the tries of
//! one request, [`Retrying`] schedules retries and counts the requests sent.

use super::error::SyncError;
use crate::bitbucket::{ApiError, ApiRequest, ApiResponse, Call};
use crate::sync::job::{JobStep, Phase, Progress};
use crate::sync::params::ScmParameters;
use crate::sync::retry::RetryPolicy;

/// One call in flight: its request, how its answer is read, and how often it was tried.
pub(crate) struct Attempt<T> {
    pub(crate) call: Call<T>,
    pub(crate) tries: u32,
}

impl<T> Attempt<T> {
    /// `call`, not tried yet.
    pub(crate) fn new(call: Call<T>) -> Self {
        Attempt { call, tries: 0 }
    }

    /// Reads `answer` as the call reads it.
    pub(crate) fn read(&self, answer: Result<ApiResponse, ApiError>) -> Result<T, ApiError> {
        answer.and_then(|response| self.call.parse(&response))
    }
}

impl<T> Clone for Attempt<T> {
    fn clone(&self) -> Self {
        Attempt {
            call: self.call.clone(),
            tries: self.tries,
        }
    }
}

impl<T> std::fmt::Debug for Attempt<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Attempt")
            .field("call", &self.call)
            .field("tries", &self.tries)
            .finish()
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
    pub(crate) fn schedule<T>(&mut self, attempt: &mut Attempt<T>, error: &ApiError) -> bool {
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
