//! Pulling test artifacts from a branch, a version (tag) or a commit: [`PullPlanner`] reads the repository
//! and downloads what the pull needs, ending with a [`PullPreview`]; [`PullPreview::apply`] builds the
//! merged project from it, without any request. Nothing local changes until the app stores the project
//! `apply` returns.
//!
//! The planner resolves the source to a commit hash, reads `<root>/.manifest.json` there and compares
//! three states of every artifact (see [`crate::sync::three_way`]): the base (the last push or pull of this
//! project and branch), the local project and the remote commit. It downloads only remote files whose
//! content differs from the local file and that the pull may take (changed remotely, or in conflict),
//! all in one batch, by commit hash, and checks each against the manifest's SHA-256. When the base is
//! known it also lists the files changed between the base commit and the tip (Cloud `diffstat`, Data
//! Center `compare/changes`, the whole repository, of which it keeps the artifact folder) to check the
//! manifest's claims: a file the diff says changed while the manifest says unchanged is downloaded and
//! verified too, and reported. When Bitbucket cannot list them (Cloud's 555, a 400, no answer) the pull
//! goes on trusting the manifest and its SHA-256 hashes, and [`PullPreview::changes_check`] says so.
//!
//! A commit without our manifest (a tree written by hand or by another tool) is listed and read whole,
//! and every file is checked. Files the manifest does not list are never pulled: each is named in
//! [`PullPreview::unlisted`] with the reason it is there (on Data Center mostly files a push dropped
//! from the manifest, as its REST API cannot delete files).

mod apply;
mod compare;
mod download;
mod listing;
mod manifest;
mod planner;
mod preview;
mod problem;
mod request;
mod verify;

pub use planner::PullPlanner;
pub use preview::{
    AppliedPull, ArtifactChange, BulkRead, BulkRefusal, ChangesCheck, PullCounts, PullPreview,
    Unchecked,
};
pub use problem::{ProblemKind, PullProblem};
pub use request::{PullRequest, PullSource, Resolution};
