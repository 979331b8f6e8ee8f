//! The shape every sync job shares with its driver: the job hands out requests, the driver executes them
//! (with at most `concurrency` in flight) and hands the answers back, until the job is done.

use crate::artifacts::archive::{zip_files, ArchiveLimits};
use crate::artifacts::ProjectFiles;
use crate::bitbucket::{ApiError, ApiRequest, ApiResponse};

/// What the driver does next.
#[derive(Debug)]
pub enum JobStep<T> {
    /// Execute these requests (in any order, at most the job's concurrency at once) and give the answers
    /// to [`Job::handle`] in the same order.
    Send(Vec<ApiRequest>),
    /// Wait this many milliseconds (a retry's back-off), then ask again.
    Wait(u32),
    /// Unpack these `.zip` archives, each to the files that can be read within the default limits
    /// ([`crate::artifacts::archive::zip_files`]; none when it cannot be read at all), and give them to
    /// [`Job::unpacked`] in the same order. The browser does it in a worker, off the page's thread, with a
    /// module it loads only then.
    Unpack(Vec<Vec<u8>>),
    /// The job is over.
    Done(T),
}

/// A sans-IO job: planning or sending a push, a pull.
pub trait Job {
    /// What the job ends with.
    type Output;

    /// The next thing to do. Called again after each [`Job::handle`] and after each wait.
    fn next(&mut self) -> JobStep<Self::Output>;

    /// The answers to the requests of the last [`JobStep::Send`], in order; `Err` when a request got no
    /// answer (network, timeout).
    fn handle(&mut self, answers: Vec<Result<ApiResponse, ApiError>>);

    /// The files of the archives of the last [`JobStep::Unpack`], in order (a job that never asks to
    /// unpack has nothing to do with them).
    fn unpacked(&mut self, _files: Vec<ProjectFiles>) {}

    /// Whether the job may soon ask to unpack archives ([`JobStep::Unpack`]): it is reading the folder
    /// they would come from, or the archives themselves. A driver can ready its unpacker meanwhile.
    fn may_unpack(&self) -> bool {
        false
    }

    /// Where the job stands.
    fn progress(&self) -> Progress;

    /// How many requests may be in flight at once.
    fn concurrency(&self) -> usize {
        1
    }

    /// The requests the job expects to send from here to its end, when it knows (a push once planned,
    /// a pull once it knows what to download); a driver refuses to start what would not fit in an
    /// allowance (see [`super::HourlyAllowance`]). `None`: no more than the next step's.
    fn requests_ahead(&self) -> Option<usize> {
        None
    }

    /// Work the job may do while the requests of the last [`JobStep::Send`] are in flight, so that it is
    /// not waiting when the answers come; a driver that never calls it loses time, not results.
    fn while_waiting(&mut self) {}
}

/// The files of the archives of a [`JobStep::Unpack`], unpacked on the caller's thread (a host driver;
/// the browser's worker does the same).
pub fn unpack_here(zips: &[Vec<u8>]) -> Vec<ProjectFiles> {
    zips.iter()
        .map(|zip| zip_files(zip, &ArchiveLimits::default()))
        .collect()
}

/// The answer of a step that sent one request (`Cancelled` when none came back).
pub(crate) fn single_answer(
    answers: Vec<Result<ApiResponse, ApiError>>,
) -> Result<ApiResponse, ApiError> {
    answers
        .into_iter()
        .next()
        .unwrap_or(Err(ApiError::Cancelled))
}

/// What a job is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Phase {
    /// Reading the branch tip.
    #[default]
    ReadingBranch,
    /// Checking that the version name is free.
    CheckingVersion,
    /// Reading the manifest or listing the files of the branch.
    ReadingRepository,
    /// Downloading files.
    Downloading,
    /// Writing commits.
    Committing,
    /// Reading the branch again after a request that got no answer.
    Verifying,
    /// Creating the branch or the version tag.
    Tagging,
    /// Waiting before a retry.
    WaitingToRetry,
    /// Finished.
    Done,
}

impl Phase {
    /// The phase as the progress bar names it.
    pub fn label(self) -> &'static str {
        match self {
            Phase::ReadingBranch => "Reading the branch",
            Phase::CheckingVersion => "Checking the version name",
            Phase::ReadingRepository => "Reading the repository",
            Phase::Downloading => "Downloading files",
            Phase::Committing => "Committing",
            Phase::Verifying => "Checking what Bitbucket received",
            Phase::Tagging => "Creating the branch or version",
            Phase::WaitingToRetry => "Waiting to retry",
            Phase::Done => "Done",
        }
    }
}

/// Progress of a job: counts so far and in all (the driver adds elapsed and remaining time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    /// What it is doing.
    pub phase: Phase,
    /// Files written or read so far.
    pub files_done: usize,
    /// Files to write or read in all (0 while unknown).
    pub files_total: usize,
    /// Bytes written or read so far.
    pub bytes_done: u64,
    /// Bytes in all (0 while unknown).
    pub bytes_total: u64,
    /// Commits made so far.
    pub commits_done: usize,
    /// Commits planned (0 while unknown).
    pub commits_total: usize,
    /// Requests handed out so far.
    pub requests: usize,
    /// Requests retried so far.
    pub retries: usize,
}

impl Progress {
    /// The part done, from 0 to 1, by bytes when known, else by files.
    pub fn fraction(&self) -> f64 {
        if self.bytes_total > 0 {
            (self.bytes_done as f64 / self.bytes_total as f64).min(1.0)
        } else if self.files_total > 0 {
            (self.files_done as f64 / self.files_total as f64).min(1.0)
        } else {
            0.0
        }
    }
}

/// The connection test is a job too, so that the app runs every long operation the same way. Its output
/// is the checklist and, when every step passed, what it found.
impl Job for crate::bitbucket::ConnectionTest {
    type Output = (
        Vec<crate::bitbucket::StepReport>,
        Option<crate::bitbucket::TestOutcome>,
    );

    fn next(&mut self) -> JobStep<Self::Output> {
        match self.next_request() {
            Some(request) => JobStep::Send(vec![request]),
            None => JobStep::Done((self.steps().to_vec(), self.outcome())),
        }
    }

    fn handle(&mut self, answers: Vec<Result<ApiResponse, ApiError>>) {
        match answers.into_iter().next() {
            Some(Ok(response)) => self.handle_response(response),
            Some(Err(error)) => self.handle_failure(error),
            None => self.handle_failure(ApiError::Cancelled),
        }
    }

    fn progress(&self) -> Progress {
        Progress::default()
    }
}
