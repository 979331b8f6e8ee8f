//! The SCM parameters of a project: how many requests run at once, how large a commit may be, how long a
//! request may take and how often a failed one is tried again.

use std::fmt;

use serde::{Deserialize, Serialize};

/// One tunable parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScmParameter {
    /// Reads in flight at once (downloads of a pull, listings).
    ExportWorkerCount,
    /// Files in one Cloud commit; a larger change becomes a chain of commits.
    FilesPerCommit,
    /// Megabytes in one Cloud commit; a larger change becomes a chain of commits.
    MegabytesPerCommit,
    /// Seconds before one request is abandoned.
    RequestTimeoutSeconds,
    /// Retries of a request refused with 429 or 5xx, or left without an answer.
    RetryCount,
    /// The first retry's delay; each further retry waits twice as long (with jitter).
    RetryBaseDelayMs,
}

impl ScmParameter {
    /// Every parameter, in the order the panel shows them.
    pub const ALL: [ScmParameter; 6] = [
        ScmParameter::ExportWorkerCount,
        ScmParameter::FilesPerCommit,
        ScmParameter::MegabytesPerCommit,
        ScmParameter::RequestTimeoutSeconds,
        ScmParameter::RetryCount,
        ScmParameter::RetryBaseDelayMs,
    ];

    /// The parameter's name as the portal stores it.
    pub fn key(self) -> &'static str {
        match self {
            ScmParameter::ExportWorkerCount => "scm_export_worker_count",
            ScmParameter::FilesPerCommit => "scm_files_per_commit",
            ScmParameter::MegabytesPerCommit => "scm_megabytes_per_commit",
            ScmParameter::RequestTimeoutSeconds => "scm_request_timeout_seconds",
            ScmParameter::RetryCount => "scm_retry_count",
            ScmParameter::RetryBaseDelayMs => "scm_retry_base_delay_ms",
        }
    }

    /// A short label.
    pub fn label(self) -> &'static str {
        match self {
            ScmParameter::ExportWorkerCount => "Requests in flight",
            ScmParameter::FilesPerCommit => "Files per commit",
            ScmParameter::MegabytesPerCommit => "Megabytes per commit",
            ScmParameter::RequestTimeoutSeconds => "Request timeout (seconds)",
            ScmParameter::RetryCount => "Retries",
            ScmParameter::RetryBaseDelayMs => "First retry delay (ms)",
        }
    }

    /// When to change it.
    pub fn help(self) -> &'static str {
        match self {
            ScmParameter::ExportWorkerCount => "Lower it when Bitbucket answers 429 (too many requests) during pulls; raise it on a fast, distant server.",
            ScmParameter::FilesPerCommit => "Lower it when large pushes to Bitbucket Cloud fail with 500 or time out; each part is then its own commit. Above about 1,000, Cloud may not show a commit's change in time, and a restore reads its files one by one.",
            ScmParameter::MegabytesPerCommit => "Lower it when a proxy in front of Bitbucket refuses large requests (413).",
            ScmParameter::RequestTimeoutSeconds => "Raise it on slow networks or for very large commits that time out.",
            ScmParameter::RetryCount => "Raise it on unreliable networks; 0 stops at the first failure.",
            ScmParameter::RetryBaseDelayMs => "Raise it when Bitbucket keeps answering 429 right after a retry.",
        }
    }

    /// The default value.
    pub fn default_value(self) -> u32 {
        match self {
            ScmParameter::ExportWorkerCount => 20,
            // A restore from Cloud reads a commit's whole change in one diff, which Cloud must produce
            // in limited time (diffs of about 1,000 files have been seen to time out).
            ScmParameter::FilesPerCommit => 500,
            ScmParameter::MegabytesPerCommit => 8,
            ScmParameter::RequestTimeoutSeconds => 30,
            ScmParameter::RetryCount => 4,
            ScmParameter::RetryBaseDelayMs => 500,
        }
    }

    /// The allowed range, both ends included.
    pub fn range(self) -> (u32, u32) {
        match self {
            ScmParameter::ExportWorkerCount => (1, 50),
            ScmParameter::FilesPerCommit => (1, 10_000),
            ScmParameter::MegabytesPerCommit => (1, 64),
            ScmParameter::RequestTimeoutSeconds => (5, 600),
            ScmParameter::RetryCount => (0, 10),
            ScmParameter::RetryBaseDelayMs => (50, 30_000),
        }
    }

    /// Reads a value typed by the user.
    pub fn parse(self, text: &str) -> Result<u32, ParameterError> {
        let (min, max) = self.range();
        let value: u32 = text.trim().parse().map_err(|_| ParameterError {
            parameter: self,
            problem: ParameterProblem::NotANumber,
        })?;
        if !(min..=max).contains(&value) {
            return Err(ParameterError {
                parameter: self,
                problem: ParameterProblem::OutOfRange,
            });
        }
        Ok(value)
    }
}

/// What is wrong with a typed value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParameterProblem {
    /// Not a whole number.
    NotANumber,
    /// Outside the allowed range.
    OutOfRange,
}

/// A value the panel cannot accept. `Display` says what is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub struct ParameterError {
    /// Which parameter.
    pub parameter: ScmParameter,
    /// What is wrong.
    pub problem: ParameterProblem,
}

impl fmt::Display for ParameterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (min, max) = self.parameter.range();
        write!(
            f,
            "{}: enter a whole number from {min} to {max}.",
            self.parameter.label()
        )
    }
}

/// How push and pull talk to Bitbucket. The product has one way, [`Strategy::Planned`]; a build with the
/// `benchmark-strategies` feature (the benchmarks') adds the per-file ways other clients work, to compare
/// them through the same code. It is never shown in the SCM panel (it is not one of [`ScmParameter::ALL`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// C, the product: a push writes only what changed, in as few commits as the product allows; a pull
    /// downloads only what differs, checked against the manifest.
    #[default]
    Planned,
    /// A, a naive client: one request and one commit per file, one request at a time; a pull lists the
    /// folder and reads every file, one at a time.
    #[cfg(feature = "benchmark-strategies")]
    PerFileSequential,
    /// B: one request and one commit per file, with `scm_export_worker_count` requests in flight; a pull
    /// lists the folder and reads every file.
    #[cfg(feature = "benchmark-strategies")]
    PerFileParallel,
}

#[cfg(feature = "benchmark-strategies")]
impl Strategy {
    /// Every strategy, the product's first.
    pub const ALL: [Strategy; 3] = [
        Strategy::Planned,
        Strategy::PerFileSequential,
        Strategy::PerFileParallel,
    ];

    /// The strategy named `key`: `planned`, `per_file_sequential` or `per_file_parallel` (as stored), or
    /// the benchmark's letters `C`, `A` or `B` (any case, surrounding spaces ignored).
    pub fn from_key(key: &str) -> Option<Strategy> {
        match key.trim().to_ascii_lowercase().as_str() {
            "planned" | "c" => Some(Strategy::Planned),
            "per_file_sequential" | "a" => Some(Strategy::PerFileSequential),
            "per_file_parallel" | "b" => Some(Strategy::PerFileParallel),
            _ => None,
        }
    }

    /// The name as stored (the inverse of [`Strategy::from_key`]).
    pub fn key(self) -> &'static str {
        match self {
            Strategy::Planned => "planned",
            Strategy::PerFileSequential => "per_file_sequential",
            Strategy::PerFileParallel => "per_file_parallel",
        }
    }
}

impl Strategy {
    /// Whether it is the product's own strategy (the default, never stored; always, without the
    /// `benchmark-strategies` feature).
    pub fn is_planned(&self) -> bool {
        *self == Strategy::Planned
    }
}

/// The SCM parameters of a project, each within its range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScmParameters {
    /// `scm_export_worker_count`.
    pub scm_export_worker_count: u32,
    /// `scm_files_per_commit`.
    pub scm_files_per_commit: u32,
    /// `scm_megabytes_per_commit`.
    pub scm_megabytes_per_commit: u32,
    /// `scm_request_timeout_seconds`.
    pub scm_request_timeout_seconds: u32,
    /// `scm_retry_count`.
    pub scm_retry_count: u32,
    /// `scm_retry_base_delay_ms`.
    pub scm_retry_base_delay_ms: u32,
    /// How push and pull work: always the product's, but in the benchmarks' build; never shown in the SCM
    /// panel, stored only when it is not [`Strategy::Planned`].
    #[serde(default, skip_serializing_if = "Strategy::is_planned")]
    pub strategy: Strategy,
}

impl Default for ScmParameters {
    fn default() -> Self {
        let mut parameters = ScmParameters {
            scm_export_worker_count: 0,
            scm_files_per_commit: 0,
            scm_megabytes_per_commit: 0,
            scm_request_timeout_seconds: 0,
            scm_retry_count: 0,
            scm_retry_base_delay_ms: 0,
            strategy: Strategy::Planned,
        };
        for parameter in ScmParameter::ALL {
            parameters.set(parameter, parameter.default_value());
        }
        parameters
    }
}

impl ScmParameters {
    /// The value of one parameter.
    pub fn get(&self, parameter: ScmParameter) -> u32 {
        match parameter {
            ScmParameter::ExportWorkerCount => self.scm_export_worker_count,
            ScmParameter::FilesPerCommit => self.scm_files_per_commit,
            ScmParameter::MegabytesPerCommit => self.scm_megabytes_per_commit,
            ScmParameter::RequestTimeoutSeconds => self.scm_request_timeout_seconds,
            ScmParameter::RetryCount => self.scm_retry_count,
            ScmParameter::RetryBaseDelayMs => self.scm_retry_base_delay_ms,
        }
    }

    /// Sets one parameter, clamped into its range.
    pub fn set(&mut self, parameter: ScmParameter, value: u32) {
        let (min, max) = parameter.range();
        let value = value.clamp(min, max);
        let slot = match parameter {
            ScmParameter::ExportWorkerCount => &mut self.scm_export_worker_count,
            ScmParameter::FilesPerCommit => &mut self.scm_files_per_commit,
            ScmParameter::MegabytesPerCommit => &mut self.scm_megabytes_per_commit,
            ScmParameter::RequestTimeoutSeconds => &mut self.scm_request_timeout_seconds,
            ScmParameter::RetryCount => &mut self.scm_retry_count,
            ScmParameter::RetryBaseDelayMs => &mut self.scm_retry_base_delay_ms,
        };
        *slot = value;
    }

    /// The same parameters with every value clamped into its range (for values read from storage).
    pub fn clamped(mut self) -> Self {
        for parameter in ScmParameter::ALL {
            self.set(parameter, self.get(parameter));
        }
        self
    }

    /// Requests in flight at once for reads, and for the per-file strategies' writes: one at a time for
    /// the sequential one, else `scm_export_worker_count`.
    pub fn concurrency(&self) -> usize {
        #[cfg(feature = "benchmark-strategies")]
        if self.strategy == Strategy::PerFileSequential {
            return 1;
        }
        self.scm_export_worker_count.max(1) as usize
    }

    /// The largest Cloud commit in bytes.
    pub fn bytes_per_commit(&self) -> u64 {
        u64::from(self.scm_megabytes_per_commit) * 1024 * 1024
    }
}
