//! The pull planner's lists: the files changed since the base, and a listing of a commit without
//! manifest.

use super::planner::{PullPlanner, Stage};
use super::preview::{ChangesCheck, Unchecked};
use super::problem::{ProblemKind, PullProblem};
use crate::bitbucket::cloud::FileChange;
use crate::bitbucket::{ApiError, ApiResponse, Pager};
use crate::sync::error::SyncError;
use crate::sync::remote::{Listed, Listing, MAX_LISTED_FILES};
use crate::sync::retry::Failure;

impl PullPlanner {
    pub(super) fn handle_changes(
        &mut self,
        mut pager: Box<Pager<FileChange>>,
        mut tries: u32,
        answer: Result<ApiResponse, ApiError>,
    ) -> Stage {
        let before = pager.clone();
        match answer.and_then(|response| pager.handle_response(&response)) {
            Ok(changes) => {
                // The whole repository is listed: only the artifact folder counts.
                let root = self.options.clone();
                self.changes.extend(
                    changes
                        .into_iter()
                        .filter(|c| root.relative(&c.path).is_some()),
                );
                if pager.next_request().is_some() {
                    Stage::Changes { pager, tries }
                } else if pager.is_truncated() {
                    self.unchecked(Unchecked::TooMany)
                } else {
                    self.changes_check = ChangesCheck::Checked;
                    self.plan_downloads()
                }
            }
            Err(error) => {
                let unchecked = Unchecked::of(&error);
                // Cloud's time limit (`CLOUD_TIMED_OUT`): asked again, the same list takes as long.
                let again = unchecked != Some(Unchecked::TimedOut)
                    && self.retrying.schedule_batch(&mut tries, &error);
                match (again, unchecked) {
                    (true, _) => Stage::Changes {
                        pager: before,
                        tries,
                    },
                    (false, Some(reason)) => self.unchecked(reason),
                    (false, None) => self.fail(SyncError::Api(error)),
                }
            }
        }
    }

    /// Goes on without the files changed since the base, trusting the manifest: the pages read so far are
    /// not the whole list, so none of them is used.
    fn unchecked(&mut self, reason: Unchecked) -> Stage {
        self.changes.clear();
        self.changes_check = ChangesCheck::NotChecked(reason);
        self.plan_downloads()
    }

    pub(super) fn handle_listing(
        &mut self,
        open: Vec<Listing>,
        mut tries: u32,
        answers: Vec<Result<ApiResponse, ApiError>>,
    ) -> Stage {
        let mut next_open = Vec::new();
        let mut retry_error = None;
        let first_level = self.listed.is_empty() && open.len() == 1;
        for (mut listing, answer) in open.into_iter().zip(answers) {
            let before = listing.clone();
            match answer.and_then(|response| listing.handle_response(&response)) {
                Ok(Listed {
                    files,
                    folders,
                    others,
                }) => {
                    self.listed.extend(files);
                    self.problems
                        .extend(others.into_iter().map(|path| PullProblem {
                            path,
                            kind: ProblemKind::NotAFile,
                        }));
                    let tip = self.tip.id.clone();
                    next_open.extend(folders.iter().map(|f| self.remote.listing(&tip, f)));
                    let truncated = listing.is_truncated();
                    if listing.next_request().is_some() {
                        next_open.push(listing);
                    } else if truncated {
                        return self.listing_too_large();
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
        if self.listed.len() > MAX_LISTED_FILES {
            return self.listing_too_large();
        }
        if let Err(error) = self.retrying.retry_batch(&mut tries, retry_error) {
            return self.fail(SyncError::Api(error));
        }
        if next_open.is_empty() {
            self.plan_downloads()
        } else {
            Stage::Listing {
                open: next_open,
                tries,
            }
        }
    }

    /// A listing too large to read: fatal without a manifest (the tree would be incomplete); with one it
    /// only leaves the count of dropped files unknown.
    fn listing_too_large(&mut self) -> Stage {
        if self.manifest.is_none() {
            return self.fail(SyncError::PullListingTooLarge);
        }
        self.listed.clear();
        self.plan_downloads()
    }
}
