//! Bitbucket Cloud's hourly request allowance, as one client can count it.
//!
//! Cloud allows about 1,000 requests to `/2.0/repositories/*` per user in any rolling hour (more only
//! for access tokens of large paid workspaces), and its 429 says neither how long to wait nor how many
//! are left. So the product counts what it sends with each token while the page is open, and refuses a
//! job whose estimate ([`super::Job::requests_ahead`]) would not fit in what is left, saying when enough
//! requests leave the hour. Other tools and tabs using the same account count too, unseen: the count
//! is a lower bound, and a 429 still stops a job ([`crate::bitbucket::ApiError::HourlyLimit`]).

use std::collections::{BTreeMap, VecDeque};

use crate::artifacts::sha256_hex;
use crate::bitbucket::{ApiError, ApiRequest};

/// The requests Bitbucket Cloud allows one user per rolling hour on repository paths.
pub const CLOUD_REQUESTS_PER_HOUR: usize = 1_000;

/// The length of the rolling window, in milliseconds.
pub const HOUR_MS: u64 = 3_600_000;

/// The requests one token sent in the last hour, by time sent (milliseconds since any fixed epoch).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HourlyAllowance {
    limit: usize,
    sent: VecDeque<u64>,
}

impl Default for HourlyAllowance {
    fn default() -> Self {
        HourlyAllowance::new(CLOUD_REQUESTS_PER_HOUR)
    }
}

impl HourlyAllowance {
    /// An allowance of `limit` requests per rolling hour, none used.
    pub fn new(limit: usize) -> Self {
        HourlyAllowance {
            limit,
            sent: VecDeque::new(),
        }
    }

    /// Counts `count` requests sent at `now`.
    pub fn record(&mut self, now: u64, count: usize) {
        self.forget(now);
        // Only the newest `limit` matter: older ones leave the hour first.
        let keep = count.min(self.limit);
        self.sent.extend(std::iter::repeat_n(now, keep));
        while self.sent.len() > self.limit {
            self.sent.pop_front();
        }
    }

    /// The requests left of the hour's allowance at `now`.
    pub fn left(&mut self, now: u64) -> usize {
        self.forget(now);
        self.limit - self.sent.len()
    }

    /// Whether `needed` more requests fit at `now`; when not, the error says how many are left and
    /// when enough will have left the hour.
    pub fn check(&mut self, now: u64, needed: usize) -> Result<(), ApiError> {
        let left = self.left(now);
        if needed <= left {
            return Ok(());
        }
        // The request whose leaving frees the last slot needed; none when the job needs more than the
        // whole allowance (it never fits).
        let retry_in_secs = (needed <= self.limit)
            .then(|| self.sent[needed - left - 1] + HOUR_MS - now)
            .map(|ms| ms.div_ceil(1000));
        Err(ApiError::HourlyLimit {
            needed: Some(needed),
            left,
            retry_in_secs,
        })
    }

    /// Seconds until the oldest request counted leaves the hour (`None` when none is counted).
    pub fn next_free_in_secs(&mut self, now: u64) -> Option<u64> {
        self.forget(now);
        self.sent
            .front()
            .map(|sent| (sent + HOUR_MS - now).div_ceil(1000))
    }

    /// Drops what left the hour before `now`.
    fn forget(&mut self, now: u64) {
        while self.sent.front().is_some_and(|sent| sent + HOUR_MS <= now) {
            self.sent.pop_front();
        }
    }
}

/// The allowances of every credential a page uses, each known by a SHA-256 fingerprint of its
/// `Authorization` header (never the token itself). Only requests to Cloud's repository paths count.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Allowances(BTreeMap<String, HourlyAllowance>);

impl Allowances {
    /// Whether a batch of `requests` fits at `now`, and with it the `ahead` requests its job expects
    /// to send from here to its end ([`super::Job::requests_ahead`]).
    pub fn check(
        &mut self,
        now: u64,
        requests: &[ApiRequest],
        ahead: Option<usize>,
    ) -> Result<(), ApiError> {
        let batch = requests.iter().filter(|r| counts(r)).count();
        match (batch, first_fingerprint(requests)) {
            (0, _) | (_, None) => Ok(()),
            (batch, Some(key)) => self
                .0
                .entry(key)
                .or_default()
                .check(now, batch.max(ahead.unwrap_or(0))),
        }
    }

    /// Counts the `requests` sent at `now`.
    pub fn record<'r>(&mut self, now: u64, requests: impl IntoIterator<Item = &'r ApiRequest>) {
        for request in requests.into_iter().filter(|r| counts(r)) {
            if let Some(key) = fingerprint(request) {
                self.0.entry(key).or_default().record(now, 1);
            }
        }
    }
}

/// Whether Cloud counts `request` against the hourly allowance: its repository paths.
fn counts(request: &ApiRequest) -> bool {
    request.url.contains("/2.0/repositories/")
}

fn fingerprint(request: &ApiRequest) -> Option<String> {
    request
        .header("Authorization")
        .map(|value| sha256_hex(value.as_bytes()))
}

fn first_fingerprint(requests: &[ApiRequest]) -> Option<String> {
    requests.iter().filter(|r| counts(r)).find_map(fingerprint)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: u64 = 60_000;

    #[test]
    fn requests_leave_the_allowance_an_hour_after_they_were_sent() {
        let mut allowance = HourlyAllowance::new(10);
        allowance.record(0, 4);
        allowance.record(10 * MINUTE, 6);
        assert_eq!(allowance.left(30 * MINUTE), 0);
        assert_eq!(allowance.next_free_in_secs(30 * MINUTE), Some(30 * 60));
        assert_eq!(allowance.left(HOUR_MS), 4);
        assert_eq!(allowance.left(HOUR_MS + 10 * MINUTE), 10);
        assert_eq!(allowance.next_free_in_secs(HOUR_MS + 10 * MINUTE), None);
    }

    #[test]
    fn a_job_that_does_not_fit_is_told_when_it_will() {
        let mut allowance = HourlyAllowance::new(10);
        allowance.record(0, 4);
        allowance.record(20 * MINUTE, 5);
        assert_eq!(allowance.check(30 * MINUTE, 1), Ok(()));
        // 1 left; 3 needed: two of the four sent at 0 must leave, at minute 60.
        assert_eq!(
            allowance.check(30 * MINUTE, 3),
            Err(ApiError::HourlyLimit {
                needed: Some(3),
                left: 1,
                retry_in_secs: Some(30 * 60),
            })
        );
        // 6 needed: five must leave, the last of them sent at minute 20.
        let Err(ApiError::HourlyLimit { retry_in_secs, .. }) = allowance.check(30 * MINUTE, 6)
        else {
            panic!("refused");
        };
        assert_eq!(retry_in_secs, Some(50 * 60));
        // More than the whole allowance never fits.
        let Err(ApiError::HourlyLimit { retry_in_secs, .. }) = allowance.check(30 * MINUTE, 11)
        else {
            panic!("refused");
        };
        assert_eq!(retry_in_secs, None);
    }

    fn request(url: &str, authorization: &str) -> ApiRequest {
        ApiRequest {
            method: crate::bitbucket::Method::Get,
            url: url.to_owned(),
            headers: vec![("Authorization".to_owned(), authorization.to_owned())],
            body: None,
            max_response_bytes: 1,
        }
    }

    #[test]
    fn each_credential_has_its_own_allowance_of_repository_requests() {
        let repository = "https://api.bitbucket.org/2.0/repositories/acme/tests/src/main/";
        let ada = request(repository, "Basic YWRh");
        let lee = request(repository, "Basic bGVl");
        let user = request("https://api.bitbucket.org/2.0/user", "Basic YWRh");
        let mut allowances = Allowances::default();
        allowances.record(0, std::iter::repeat_n(&ada, CLOUD_REQUESTS_PER_HOUR - 1));
        allowances.record(0, [&user, &user]);
        assert_eq!(
            allowances.check(0, std::slice::from_ref(&ada), None),
            Ok(())
        );
        let refused = allowances.check(0, std::slice::from_ref(&ada), Some(2));
        assert!(matches!(
            refused,
            Err(ApiError::HourlyLimit {
                needed: Some(2),
                left: 1,
                retry_in_secs: Some(3600)
            })
        ));
        assert_eq!(
            allowances.check(0, &[lee], Some(CLOUD_REQUESTS_PER_HOUR)),
            Ok(())
        );
        // Requests outside the repository paths never count, nor are refused.
        assert_eq!(allowances.check(0, &[user], Some(5_000)), Ok(()));
        assert!(
            !format!("{allowances:?}").contains("YWRh"),
            "no credential kept"
        );
    }

    #[test]
    fn a_burst_larger_than_the_allowance_keeps_only_what_counts() {
        let mut allowance = HourlyAllowance::new(3);
        allowance.record(0, 1_000_000);
        assert_eq!(allowance.left(0), 0);
        assert_eq!(allowance.left(HOUR_MS), 3);
    }
}
