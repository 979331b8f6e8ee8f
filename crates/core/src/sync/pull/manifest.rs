//! The pull planner's single reads: the commit, the manifest, and what it does next from each answer.

use super::planner::{PullPlanner, Stage};
use super::problem::PullProblem;
use crate::artifacts::Manifest;
use crate::bitbucket::cloud::FileChangeKind;
use crate::bitbucket::{ApiError, ApiResponse};
use crate::sync::error::SyncError;
use crate::sync::job::Job;
use crate::sync::layout::path_kind;
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
                        _ => {
                            // Parts are named by their content: any manifest this copy holds may
                            // give some, the base's even when a restore does not compare with it.
                            let request = &self.request;
                            let held: Vec<&Manifest> = (request.base.iter())
                                .map(|base| &base.manifest)
                                .chain(&request.known)
                                .collect();
                            let read =
                                ManifestRead::new(&self.remote, &self.tip.id, &self.options, &held);
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
            ManifestOutcome::Reading(read) => {
                if read.reads_parts() && !self.prefetch.chosen {
                    self.prefetch.chosen = true;
                    self.prefetch.paths = self.changed_files();
                }
                Stage::Manifest(read)
            }
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

    /// The artifact files the first page of the diff since the base says were added or changed, when
    /// that page is the whole diff and they are few enough for one round: read beside the manifest's
    /// parts.
    fn changed_files(&self) -> Vec<String> {
        let (Some(Ok(response)), Some(mut pager)) = (&self.early_changes, self.changes_pager())
        else {
            return Vec::new();
        };
        let Ok(changes) = pager.handle_response(response) else {
            return Vec::new();
        };
        let paths: Vec<String> = changes
            .into_iter()
            .filter(|change| change.kind != FileChangeKind::Removed)
            .map(|change| change.path)
            .filter(|path| !self.is_manifest_path(path) && path_kind(path, &self.options).is_ok())
            .collect();
        let whole = pager.next_request().is_none() && !pager.is_truncated();
        match whole && paths.len() <= self.concurrency() {
            true => paths,
            false => Vec::new(),
        }
    }

    /// Keeps what the files read beside the parts held; those that failed are read again when needed.
    pub(super) fn prefetched(
        &mut self,
        paths: Vec<String>,
        answers: Vec<Result<ApiResponse, ApiError>>,
    ) {
        for (path, answer) in paths.into_iter().zip(answers) {
            let call = self.remote.read_file(&self.tip.id, &path);
            if let Ok(bytes) = answer.and_then(|response| call.parse(&response)) {
                self.prefetch.files.insert(path, bytes);
            }
        }
    }
}
