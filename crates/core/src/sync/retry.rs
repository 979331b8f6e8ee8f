//! When and how long to wait before trying a request again.
//!
//! 429 and 5xx answers and requests left without an answer (timeout, dropped connection) are retried with
//! exponential backoff and jitter, honouring `Retry-After`. A commit left without an answer is never sent
//! again blindly: the branch tip is read first (see [`super::push`]), so a commit is never made twice.

use crate::artifacts::rng::SplitMix64;
use crate::bitbucket::ApiError;

/// The longest single wait, in milliseconds; a `Retry-After` beyond it ends the job instead.
pub const MAX_DELAY_MS: u64 = 120_000;

/// How a failed request is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Bitbucket refused it before doing anything (429): sending it again is safe.
    Refused,
    /// No usable answer (5xx, timeout, network): it may or may not have been carried out.
    Unknown,
    /// A definite answer that retrying cannot change (400, 401, 403, 404, 409…).
    Final,
}

impl Failure {
    /// Classifies an error.
    pub fn of(error: &ApiError) -> Failure {
        match error {
            ApiError::RateLimited { .. } => Failure::Refused,
            ApiError::Server { .. } | ApiError::Timeout | ApiError::Network { .. } => {
                Failure::Unknown
            }
            _ => Failure::Final,
        }
    }
}

/// Retries and delays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub retries: u32,
    /// The first delay in milliseconds; doubled for each further retry.
    pub base_delay_ms: u32,
    random: SplitMix64,
}

impl RetryPolicy {
    /// A policy; `seed` makes its jitter reproducible (any value, e.g. the time).
    pub fn new(retries: u32, base_delay_ms: u32, seed: u64) -> Self {
        RetryPolicy {
            retries,
            base_delay_ms,
            random: SplitMix64::new(seed),
        }
    }

    /// The wait before retry number `attempt` (1 for the first retry) after `error`, or `None` when the
    /// request must not be retried (a final answer, retries used up, or a `Retry-After` too long to wait).
    pub fn delay_ms(&mut self, attempt: u32, error: &ApiError) -> Option<u32> {
        if Failure::of(error) == Failure::Final || attempt == 0 || attempt > self.retries {
            return None;
        }
        let exponential =
            u64::from(self.base_delay_ms).saturating_mul(1u64 << (attempt - 1).min(20));
        // "Equal jitter": half the delay fixed, half random, so that parallel clients spread out.
        let half = exponential / 2;
        let jittered = half + self.random.next_u64() % (half + 1);
        let retry_after = match error {
            ApiError::RateLimited {
                retry_after: Some(seconds),
                ..
            } => seconds.saturating_mul(1000),
            _ => 0,
        };
        if retry_after > MAX_DELAY_MS {
            return None;
        }
        Some(jittered.max(retry_after).min(MAX_DELAY_MS) as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Flavour;

    fn limited(retry_after: Option<u64>) -> ApiError {
        ApiError::RateLimited {
            flavour: Flavour::Cloud,
            retry_after,
        }
    }

    #[test]
    fn delays_grow_exponentially_within_their_jitter() {
        let mut policy = RetryPolicy::new(4, 100, 7);
        for attempt in 1..=4 {
            let full = 100u32 << (attempt - 1);
            let delay = policy.delay_ms(attempt, &ApiError::Timeout).unwrap();
            assert!((full / 2..=full).contains(&delay), "{attempt}: {delay}");
        }
        assert_eq!(policy.delay_ms(5, &ApiError::Timeout), None);
    }

    #[test]
    fn retry_after_is_honoured_and_a_too_long_one_ends_the_job() {
        let mut policy = RetryPolicy::new(3, 100, 1);
        assert_eq!(policy.delay_ms(1, &limited(Some(7))), Some(7_000));
        assert_eq!(policy.delay_ms(1, &limited(Some(3_600))), None);
        assert!(policy.delay_ms(1, &limited(None)).unwrap() <= 100);
    }

    #[test]
    fn final_answers_are_not_retried() {
        let mut policy = RetryPolicy::new(3, 100, 1);
        let conflict = ApiError::Conflict { message: None };
        assert_eq!(policy.delay_ms(1, &conflict), None);
        assert_eq!(Failure::of(&conflict), Failure::Final);
        assert_eq!(Failure::of(&limited(None)), Failure::Refused);
        assert_eq!(
            Failure::of(&ApiError::Server { status: 503 }),
            Failure::Unknown
        );
    }
}
