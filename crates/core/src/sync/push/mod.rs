//! Pushing a project's test artifacts to a branch, in two jobs: [`PushPlanner`] reads the branch and
//! computes the [`ChangeSet`](crate::sync::ChangeSet) the dialog previews; [`PushSender`] writes it.
//!
//! Bitbucket Cloud: the change is one `POST /src` (new and changed files, deletions, the manifest) with
//! `parents` set to the tip it was computed from, so it is one atomic commit and a branch that moved
//! answers 409. Above the SCM limits it becomes a chain of commits with the manifest in the last one.
//!
//! Bitbucket Data Center has no multi-file commit and no file delete in its REST API: one
//! `PUT browse/{path}` per changed file, chained by `sourceCommitId`, and the manifest last. The manifest
//! is the publication point: readers trust only what it lists, so an interrupted push is invisible until it
//! lands, and a deleted artifact is dropped from it (its file stays in git).
//!
//! A request left without an answer (timeout, dropped connection, 5xx) on a commit is never resent
//! blindly: the branch tip is read first, and if the commit landed the push carries on.

#[cfg(feature = "benchmark-strategies")]
mod baseline;
mod confirm;
mod git;
mod listing;
mod message;
mod outcome;
mod planner;
mod reading;
mod request;
mod rest;
mod rest_answers;
mod tag;
#[cfg(test)]
mod tests;

#[cfg(feature = "benchmark-strategies")]
pub use baseline::{BaselineSender, PushJob};
pub use confirm::Confirmation;
pub use git::{GitIdentity, GitPush, GitPushError, PushRoute, RestReason};
pub use message::MANIFEST_TRAILER;
pub use outcome::{PushCancelled, PushOutcome};
pub use planner::{PushPlan, PushPlanner};
pub use request::{check_request, PushRequest};
pub use rest::PushSender;
