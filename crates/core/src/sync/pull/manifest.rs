//! The pull planner's single reads: the commit, the manifest, and what it does next from each answer.

use super::planner::{PullPlanner, Stage};
use super::problem::PullProblem;
use crate::artifacts::{Manifest, TreeErrorKind, MAX_MANIFEST_BYTES, SCHEMA_VERSION};
use crate::bitbucket::{ApiError, ApiResponse};
use crate::sync::attempt::Attempt;
use crate::sync::error::{refused_manifest, SyncError};

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
                        _ => Stage::Manifest(Attempt::new(
                            self.remote
                                .read_file(&self.tip.id, &self.manifest_path())
                                .limited(MAX_MANIFEST_BYTES as u64),
                        )),
                    }
                }
                Err(ApiError::NotFound { .. }) => self.fail(self.not_found()),
                Err(error) if self.retrying.schedule(&mut attempt, &error) => {
                    Stage::Resolve(attempt)
                }
                Err(error) => self.fail(SyncError::Api(error)),
            },
            Stage::Manifest(mut attempt) => {
                let read = attempt.read(answer);
                if let Some(refused) = refused_manifest(self.manifest_path(), &read) {
                    return self.fail(refused);
                }
                match read {
                    Ok(bytes) => match self.read_manifest(&bytes) {
                        Some(manifest) => {
                            self.manifest = Some(manifest);
                            self.managed = true;
                            self.after_manifest()
                        }
                        None => self.list_root(),
                    },
                    Err(ApiError::NotFound { .. }) => self.list_root(),
                    Err(error) if self.retrying.schedule(&mut attempt, &error) => {
                        Stage::Manifest(attempt)
                    }
                    Err(error) => self.fail(SyncError::Api(error)),
                }
            }
            other => other,
        }
    }

    /// Parses the remote manifest, reporting it when it is damaged or newer than this app reads.
    pub(super) fn read_manifest(&mut self, bytes: &[u8]) -> Option<Manifest> {
        /// The version of a manifest this app cannot read otherwise.
        #[derive(serde::Deserialize)]
        struct Probe {
            schema_version: Option<u64>,
        }
        let path = self.manifest_path();
        let parsed = serde_json::from_slice::<Manifest>(bytes);
        let found = match &parsed {
            Ok(manifest) => Some(u64::from(manifest.schema_version)),
            Err(_) => serde_json::from_slice::<Probe>(bytes)
                .ok()
                .and_then(|probe| probe.schema_version),
        };
        let newer = found.filter(|&found| found > u64::from(SCHEMA_VERSION));
        if let Some(found) = newer {
            self.problems.push(PullProblem::tree(
                &path,
                TreeErrorKind::NewerSchema {
                    found: u32::try_from(found).unwrap_or(u32::MAX),
                    supported: SCHEMA_VERSION,
                },
            ));
        }
        match parsed {
            Ok(manifest) => Some(manifest),
            Err(error) => {
                if newer.is_none() {
                    let kind = TreeErrorKind::InvalidJson {
                        line: error.line(),
                        column: error.column(),
                        message: error.to_string(),
                    };
                    self.problems.push(PullProblem::tree(&path, kind));
                }
                None
            }
        }
    }
}
