//! The pull planner's single reads: the commit, the manifest, and what it does next from each answer.

use super::planner::{PullPlanner, Stage};
use super::problem::PullProblem;
use crate::bitbucket::{ApiError, ApiResponse};
use crate::sync::error::SyncError;
use crate::sync::manifest_read::{ManifestOutcome, ManifestRead};

impl PullPlanner {
    pub(super) fn handle_single(
        &mut self,
        stage: Stage,
        answer: Result<ApiResponse, ApiError>,
    ) -> Stage {
        match stage {
            Stage::Resolve(mut attempt) => match attempt.read(answer) {
                Ok(tip) => {
                    self.tip = tip;
                    if self.baseline() {
                        return self.list_root();
                    }
                    match self.base() {
                        Some(base) if base.commit == self.tip.id => {
                            self.manifest = Some(base.manifest.clone());
                            self.managed = true;
                            self.plan_downloads()
                        }
                        base => {
                            let held = base.map(|base| &base.manifest);
                            let read =
                                ManifestRead::new(&self.remote, &self.tip.id, &self.options, held);
                            Stage::Manifest(read)
                        }
                    }
                }
                Err(ApiError::NotFound { .. }) => self.fail(self.not_found()),
                Err(error) if self.retrying.schedule(&mut attempt, &error) => {
                    Stage::Resolve(attempt)
                }
                Err(error) => self.fail(SyncError::Api(error)),
            },
            other => other,
        }
    }

    /// What the read of the manifest came to: compared with, or the folder listed when the commit has
    /// none or one that cannot be used (which is reported).
    pub(super) fn after_manifest_read(&mut self, outcome: ManifestOutcome) -> Stage {
        match outcome {
            ManifestOutcome::Reading(read) => Stage::Manifest(read),
            ManifestOutcome::Read(manifest) => {
                self.manifest = Some(manifest);
                self.managed = true;
                self.after_manifest()
            }
            ManifestOutcome::Absent => self.list_root(),
            ManifestOutcome::Damaged(path, kind) => {
                self.problems.push(PullProblem::tree(&path, kind));
                self.list_root()
            }
            ManifestOutcome::Failed(error) => self.fail(error),
        }
    }
}
