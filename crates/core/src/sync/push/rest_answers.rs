//! How the REST sender reads its answers: a write that landed, was lost or met a conflict, and the
//! branch tip read to settle it.

use super::rest::{PushSender, SendStage, Unsure};
use crate::bitbucket::{ApiError, ApiResponse, CommitSummary};
use crate::sync::attempt::Attempt;
use crate::sync::error::SyncError;
use crate::sync::remote::WriteConflict;
use crate::sync::retry::Failure;

impl PushSender {
    pub(super) fn handle_write(
        &mut self,
        index: usize,
        mut attempt: Attempt<Option<CommitSummary>>,
        answer: Result<ApiResponse, ApiError>,
    ) -> SendStage {
        match attempt.read(answer) {
            Ok(Some(commit)) => {
                // Data Center answers the new commit: it must sit on the commit we based it on.
                let on_our_tip = commit.parents.first().is_none_or(|p| *p == self.chain_tip);
                if !on_our_tip {
                    return self.moved();
                }
                self.landed(index, commit.id);
                self.next_write(index)
            }
            Ok(None) => SendStage::NewTip {
                index,
                attempt: self.tip_attempt(),
            },
            Err(ApiError::Conflict { .. }) => SendStage::Verify {
                index,
                write: Box::new(attempt),
                attempt: self.tip_attempt(),
                after: Unsure::Conflict,
            },
            Err(error @ ApiError::BadRequest { .. }) if !self.branch_exists => SendStage::Verify {
                index,
                write: Box::new(attempt),
                attempt: self.tip_attempt(),
                after: Unsure::Refused(error),
            },
            Err(error) => match Failure::of(&error) {
                Failure::Refused if self.retrying.schedule(&mut attempt, &error) => {
                    SendStage::Write { index, attempt }
                }
                Failure::Unknown if attempt.tries <= self.request().parameters.scm_retry_count => {
                    SendStage::Verify {
                        index,
                        write: Box::new(attempt),
                        attempt: self.tip_attempt(),
                        after: Unsure::Lost,
                    }
                }
                _ => self.fail(SyncError::Api(error)),
            },
        }
    }

    /// A 409 on write `index` that was not our own commit: on Cloud the branch moved; on Data Center the
    /// file existed (update it), or its content is unchanged (skip it), or the manifest moved.
    pub(super) fn settle_conflict(&mut self, index: usize) -> SendStage {
        match self.writes[index].conflict(&self.plan.changes.manifest_path) {
            WriteConflict::BranchMoved => self.moved(),
            WriteConflict::FileExists(write) => {
                self.writes[index] = write;
                self.write_stage(index)
            }
            WriteConflict::Unchanged => {
                self.unchanged += 1;
                self.count_done(index);
                self.next_write(index)
            }
        }
    }

    /// The branch tip `attempt` read: `None` when the branch this push creates does not exist yet.
    pub(super) fn handle_tip(
        &mut self,
        attempt: &Attempt<CommitSummary>,
        answer: Result<ApiResponse, ApiError>,
    ) -> Result<Option<CommitSummary>, ApiError> {
        match attempt.read(answer) {
            Ok(tip) => Ok(Some(tip)),
            Err(ApiError::NotFound { .. }) if !self.branch_exists => Ok(None),
            Err(error) => Err(error),
        }
    }
}
