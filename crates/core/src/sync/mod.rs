//! Push and pull, without I/O: jobs that plan from the local files, the connection and the remote state,
//! hand out requests, read the answers and end with a typed outcome (see [`Job`]). Bitbucket Cloud and Data
//! Center differ only inside [`Remote`]. The benchmarks' build (feature `benchmark-strategies`) adds a
//! [`Strategy`] that swaps the product's push and pull for per-file baselines (`BaselineSender`, sent
//! through `PushJob`); without the feature they do not exist.

mod allowance;
mod attempt;
mod change_set;
mod diff;
mod error;
mod job;
mod layout;
mod local;
mod manifest_read;
mod params;
mod parts;
mod pull;
mod push;
mod remote;
mod retry;
mod review;
mod sides;
mod three_way;
mod unlisted;
mod versions;

pub use allowance::{Allowances, HourlyAllowance, CLOUD_REQUESTS_PER_HOUR, HOUR_MS};
pub use change_set::{
    Action, BranchChange, Change, ChangeSet, CommitPart, Comparison, RemoteState,
};
pub use diff::{
    line_diff, DiffLine, LineChange, TooLargeToCompare, MAX_DIFF_BYTES, MAX_DIFF_LINES,
};
pub use error::SyncError;
pub use job::{unpack_here, Job, JobStep, Phase, Progress};
pub use local::{Contents, LocalFiles, SyncBase};
pub use params::{ParameterError, ParameterProblem, ScmParameter, ScmParameters, Strategy};
pub use parts::FolderPart;
pub use pull::{
    AppliedPull, ArtifactChange, BulkRead, BulkRefusal, ChangesCheck, ProblemKind, PullCounts,
    PullPlanner, PullPreview, PullProblem, PullRequest, PullSource, Resolution, Unchecked,
};
pub use push::{
    check_request, Confirmation, GitIdentity, GitPush, GitPushError, PushCancelled, PushOutcome,
    PushPlan, PushPlanner, PushRequest, PushRoute, PushSender, RestReason, MANIFEST_TRAILER,
};
#[cfg(feature = "benchmark-strategies")]
pub use push::{BaselineSender, PushJob};
pub use remote::{
    commit_web_url, ArchiveContent, GitMoves, Listed, Listing, Remote, Writer, LISTING_MAX_PAGES,
    MAX_LISTED_FILES,
};
pub use retry::{Failure, RetryPolicy, MAX_DELAY_MS};
pub use review::pull_request_description;
pub use three_way::{
    classify, classify_differences, merge_sequences, merge_test_case, same_version, Classified,
    ConflictKind, SequenceConflict, SequenceMerge, SideChange, Status, TestCaseMerge,
};
pub use unlisted::{UnlistedFile, UnlistedReason};
pub use versions::BranchVersions;
