//! The versions of a branch as Bitbucket knows them: the commits that touched the artifact folder, read
//! by the tip's hash, so that pushes from other browsers show up in the project's History.

use super::error::SyncError;
use super::job::{single_answer, Job, JobStep, Phase, Progress};
use super::remote::Remote;
use crate::artifacts::DEFAULT_ROOT;
use crate::bitbucket::{Api, ApiError, ApiResponse, CommitSummary};

/// Reads the branch tip, then the first page of commits that touched the artifact folder.
#[derive(Debug)]
pub struct BranchVersions {
    remote: Remote,
    branch: String,
    tip: Option<String>,
    progress: Progress,
    result: Option<Result<Vec<CommitSummary>, SyncError>>,
}

impl BranchVersions {
    /// A reader of `branch`'s versions.
    pub fn new(api: Api, branch: &str) -> Self {
        BranchVersions {
            remote: Remote::new(api),
            branch: branch.to_owned(),
            tip: None,
            progress: Progress::default(),
            result: None,
        }
    }
}

impl Job for BranchVersions {
    type Output = Result<Vec<CommitSummary>, SyncError>;

    fn next(&mut self) -> JobStep<Self::Output> {
        if let Some(result) = self.result.clone() {
            self.progress.phase = Phase::Done;
            return JobStep::Done(result);
        }
        let request = match &self.tip {
            None => self.remote.tip(&self.branch).request,
            Some(tip) => self.remote.commits_touching(tip, DEFAULT_ROOT).request,
        };
        self.progress.phase = Phase::ReadingRepository;
        self.progress.requests += 1;
        JobStep::Send(vec![request])
    }

    fn handle(&mut self, answers: Vec<Result<ApiResponse, ApiError>>) {
        let answer = single_answer(answers);
        match &self.tip {
            None => {
                let call = self.remote.tip(&self.branch);
                match answer.and_then(|r| call.parse(&r)) {
                    Ok(tip) => self.tip = Some(tip.id),
                    Err(ApiError::NotFound { .. }) => {
                        self.result = Some(Err(SyncError::BranchNotFound {
                            branch: self.branch.clone(),
                        }))
                    }
                    Err(error) => self.result = Some(Err(SyncError::Api(error))),
                }
            }
            Some(tip) => {
                let call = self.remote.commits_touching(tip, DEFAULT_ROOT);
                self.result = Some(
                    answer
                        .and_then(|r| call.parse(&r))
                        .map(|page| page.values)
                        .map_err(SyncError::Api),
                );
            }
        }
    }

    fn progress(&self) -> Progress {
        self.progress
    }
}
