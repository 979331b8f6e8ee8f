//! The push planner's batches: listing a branch without manifest and comparing the files the manifest
//! cannot vouch for.

use std::collections::{BTreeMap, BTreeSet};

use super::planner::{PlanStage, PushPlanner};
use crate::artifacts::FileSource;
use crate::bitbucket::{ApiError, ApiResponse};
use crate::sync::attempt::Attempt;
use crate::sync::change_set::RemoteState;
use crate::sync::error::SyncError;
use crate::sync::local::empty_commit;
use crate::sync::remote::{Listed, Listing, MAX_LISTED_FILES};
use crate::sync::retry::Failure;

impl PushPlanner {
    /// Lists the artifact root: over git from a fetch of the tip's trees (once), otherwise through
    /// the REST API.
    pub(super) fn list_root(&mut self, commit: &str) -> PlanStage {
        if self.trees.is_none() {
            if let Some(call) = self.trees_call() {
                return PlanStage::Trees(Attempt::new(call));
            }
        }
        if let Some(trees) = self.trees.take() {
            return self.after_trees(trees);
        }
        let root = self.options().root().to_owned();
        PlanStage::Listing {
            open: vec![self.remote.listing(commit, &root)],
            files: BTreeSet::new(),
            sizes: BTreeMap::new(),
            tries: 0,
        }
    }

    /// After listing a branch without manifest. The listed files the push would overwrite are read first
    /// and those already equal are left out, so that the preview counts what is really written: a file an
    /// interrupted push wrote counts as written (Cloud would otherwise commit it again, Data Center answer
    /// 409 to it). A file whose listed size differs from the local file's holds other content and is not
    /// read.
    pub(super) fn compare(
        &mut self,
        files: BTreeSet<String>,
        sizes: &BTreeMap<String, u64>,
        tries: u32,
    ) -> PlanStage {
        self.local.written();
        let pending: Vec<String> = match self.local.files() {
            Some(local) => local
                .iter()
                .filter(|(path, bytes)| {
                    files.contains(*path)
                        && sizes.get(*path).is_none_or(|size| *size == bytes.size())
                })
                .map(|(path, _)| path.to_owned())
                .collect(),
            None => Vec::new(),
        };
        if pending.is_empty() {
            self.finish(RemoteState::Unmanaged(files));
            return PlanStage::Done;
        }
        PlanStage::Comparing {
            remote: RemoteState::Unmanaged(files),
            pending,
            tries,
        }
    }

    pub(super) fn handle_comparing(
        &mut self,
        remote: RemoteState,
        pending: Vec<String>,
        mut tries: u32,
        answers: Vec<Result<ApiResponse, ApiError>>,
    ) -> PlanStage {
        let tip = self.tip.clone().unwrap_or_else(empty_commit);
        let mut still = Vec::new();
        let mut retry_error = None;
        for (path, answer) in pending.into_iter().zip(answers) {
            let call = self.remote.read_file(&tip.id, &path);
            match answer.and_then(|response| call.parse(&response)) {
                Ok(bytes) => {
                    let local = self.local.files().and_then(|l| l.get(&path));
                    if local.is_some_and(|local| *local.bytes() == *bytes) {
                        self.identical.insert(path);
                    }
                }
                // A file too large to read is not the local one: it is written.
                Err(ApiError::NotFound { .. } | ApiError::TooLarge { .. }) => {}
                Err(error) if Failure::of(&error) != Failure::Final => {
                    retry_error = Some(error);
                    still.push(path);
                }
                Err(error) => return self.fail(SyncError::Api(error)),
            }
        }
        if let Err(error) = self.retrying.retry_batch(&mut tries, retry_error) {
            return self.fail(SyncError::Api(error));
        }
        if still.is_empty() {
            self.finish(remote);
            return PlanStage::Done;
        }
        PlanStage::Comparing {
            remote,
            pending: still,
            tries,
        }
    }

    pub(super) fn handle_listing(
        &mut self,
        mut open: Vec<Listing>,
        mut files: BTreeSet<String>,
        mut sizes: BTreeMap<String, u64>,
        mut tries: u32,
        answers: Vec<Result<ApiResponse, ApiError>>,
    ) -> PlanStage {
        let tip = self.tip.clone().unwrap_or_else(empty_commit);
        let manifest_path = self.manifest_path();
        let first_level = files.is_empty() && open.len() == 1;
        let mut next_open = Vec::new();
        let mut retry_error = None;
        for (mut listing, answer) in open.drain(..).zip(answers) {
            let before = listing.clone();
            let read = answer.and_then(|response| listing.handle_response_with_sizes(&response));
            match read {
                Ok((
                    Listed {
                        files: found,
                        folders,
                        others,
                    },
                    found_sizes,
                )) => {
                    files.extend(found);
                    sizes.extend(found_sizes);
                    files.extend(others);
                    next_open.extend(folders.iter().map(|f| self.remote.listing(&tip.id, f)));
                    if listing.next_request().is_some() {
                        next_open.push(listing);
                    }
                }
                Err(ApiError::NotFound { .. }) if first_level => {}
                Err(error) if Failure::of(&error) != Failure::Final => {
                    retry_error = Some(error);
                    next_open.push(before);
                }
                Err(error) => return self.fail(SyncError::Api(error)),
            }
        }
        if let Err(error) = self.retrying.retry_batch(&mut tries, retry_error) {
            return self.fail(SyncError::Api(error));
        }
        if files.contains(&manifest_path) && !self.manifest_damaged {
            return self.read_manifest();
        }
        if next_open.is_empty() {
            return self.compare(files, &sizes, 0);
        }
        if files.len() > MAX_LISTED_FILES {
            return self.fail(SyncError::ListingTooLarge);
        }
        PlanStage::Listing {
            open: next_open,
            files,
            sizes,
            tries,
        }
    }
}
