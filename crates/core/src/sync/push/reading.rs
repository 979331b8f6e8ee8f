//! The push planner's single reads: the tips, the tag, the manifest and the trees, and what it does next
//! from each answer.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use super::planner::{PlanStage, PushPlanner};
use super::request::check_role;
use crate::artifacts::Manifest;
use crate::bitbucket::cloud::FileChangeKind;
use crate::bitbucket::{ApiError, ApiResponse};
use crate::sync::change_set::RemoteState;
use crate::sync::error::SyncError;
use crate::sync::local::empty_commit;
use crate::sync::manifest_read::ManifestOutcome;

impl PushPlanner {
    pub(super) fn handle_single(
        &mut self,
        stage: PlanStage,
        answer: Result<ApiResponse, ApiError>,
    ) -> PlanStage {
        match stage {
            PlanStage::MainBranch(mut attempt, then) => {
                match attempt.read(answer) {
                    Ok(main) => self.with_main_branch(main, *then),
                    // No default branch (Data Center answers 404): unknown, refused to the roles
                    // whose rights depend on it.
                    Err(ApiError::NotFound { .. }) => self.with_main_branch(None, *then),
                    Err(error) if self.retrying.schedule(&mut attempt, &error) => {
                        PlanStage::MainBranch(attempt, then)
                    }
                    Err(error) => self.fail(SyncError::Api(error)),
                }
            }
            PlanStage::Tip {
                branch,
                mut attempt,
            } => match attempt.read(answer) {
                Ok(tip) => {
                    self.tip = Some(tip);
                    self.after_tips()
                }
                Err(ApiError::NotFound { .. }) => self.fail(SyncError::BranchNotFound { branch }),
                Err(error) if self.retrying.schedule(&mut attempt, &error) => {
                    PlanStage::Tip { branch, attempt }
                }
                Err(error) => self.fail(SyncError::Api(error)),
            },
            PlanStage::Tag(mut attempt) => match attempt.read(answer) {
                Ok(()) => self.fail(SyncError::VersionExists {
                    name: self.request.version.clone().unwrap_or_default(),
                }),
                Err(ApiError::NotFound { .. }) => self.read_remote(),
                Err(error) if self.retrying.schedule(&mut attempt, &error) => {
                    PlanStage::Tag(attempt)
                }
                Err(error) => self.fail(SyncError::Api(error)),
            },
            PlanStage::Trees(attempt) => match attempt.read(answer) {
                Ok(snapshot) => self.after_trees(Rc::new(snapshot)),
                // A server that does not allow the fetch (or none reached): listed instead.
                Err(_) => self.without_trees(),
            },
            PlanStage::SinceBase {
                mut pager,
                manifest,
                mut changed,
            } => match answer.and_then(|r| pager.handle_response(&r)) {
                Ok(found) => {
                    let kept = found
                        .into_iter()
                        .filter(|c| c.kind != FileChangeKind::Removed);
                    changed.extend(kept.map(|c| c.path));
                    match pager.next_request() {
                        Some(_) => PlanStage::SinceBase {
                            pager,
                            manifest,
                            changed,
                        },
                        None if pager.is_truncated() => self.finished(manifest),
                        None => self.verify_changed(manifest, &changed),
                    }
                }
                // Not listed: the files are written as planned (Data Center skips an unchanged one).
                Err(_) => self.finished(manifest),
            },
            other => other,
        }
    }

    /// What the read of the branch's manifest came to: the plan against it, or the artifact root listed
    /// when the branch has none (or one that cannot be used).
    pub(super) fn after_manifest_read(&mut self, outcome: ManifestOutcome) -> PlanStage {
        let tip = self.tip.clone().unwrap_or_else(empty_commit);
        match outcome {
            ManifestOutcome::Reading(read) => PlanStage::Manifest(read),
            ManifestOutcome::Read(manifest) => self.after_manifest(manifest),
            ManifestOutcome::Absent => self.list_root(&tip.id),
            ManifestOutcome::Damaged(..) => {
                self.manifest_damaged = true;
                self.list_root(&tip.id)
            }
            ManifestOutcome::Failed(error) => self.fail(error),
        }
    }

    /// The tip's trees could not be fetched: the artifact root is listed through the REST API.
    fn without_trees(&mut self) -> PlanStage {
        self.git = None;
        let tip = self.tip.clone().unwrap_or_else(empty_commit);
        self.list_root(&tip.id)
    }

    /// After reading the branch's manifest. On Data Center, a branch that moved since the base may hold
    /// files an interrupted push of this copy wrote (one commit each, the manifest last): the files
    /// changed since the base are listed first, so that those holding the local content count as
    /// written.
    pub(super) fn after_manifest(&mut self, manifest: Manifest) -> PlanStage {
        match (&self.request.base, self.remote.commits_one_file_at_a_time()) {
            (Some(base), true) => {
                let tip = self.tip.clone().unwrap_or_else(empty_commit);
                PlanStage::SinceBase {
                    pager: Box::new(self.remote.changes(&tip.id, &base.commit)),
                    manifest,
                    changed: BTreeSet::new(),
                }
            }
            _ => self.finished(manifest),
        }
    }

    /// The plan against the branch's manifest.
    fn finished(&mut self, manifest: Manifest) -> PlanStage {
        self.finish(RemoteState::Managed(manifest));
        PlanStage::Done
    }

    /// Reads the local files changed on the branch since the base whose content the manifest does not
    /// name already: those the branch holds as they are here are left out of the plan.
    fn verify_changed(&mut self, manifest: Manifest, changed: &BTreeSet<String>) -> PlanStage {
        self.local.written();
        let listed: BTreeMap<&str, &str> = manifest
            .files
            .iter()
            .map(|e| (e.path.as_ref(), &*e.sha256))
            .collect();
        let pending: Vec<String> = match self.local.files() {
            Some(local) => local
                .manifest
                .files
                .iter()
                .filter(|e| {
                    changed.contains(&*e.path) && listed.get(e.path.as_ref()) != Some(&&*e.sha256)
                })
                .map(|e| e.path.to_string())
                .collect(),
            None => Vec::new(),
        };
        if pending.is_empty() {
            return self.finished(manifest);
        }
        PlanStage::Comparing {
            remote: RemoteState::Managed(manifest),
            pending,
            tries: 0,
        }
    }

    /// The main branch read from the repository: the roles are checked with it, then `then` follows.
    fn with_main_branch(&mut self, main: Option<String>, then: PlanStage) -> PlanStage {
        self.request.main_branch = main;
        self.main_branch_read = true;
        match check_role(&self.request.roles, &self.request) {
            Ok(_) => self.start(then),
            Err(error) => self.fail(error),
        }
    }
}
