//! Pull requests of both products, kept in memory per repository (cleared by a reset): opening one
//! between two branches, reviewers' verdicts, merging with a real git merge or fast-forward, declining.
//! The products' handlers (`cloud::pullrequests`, `datacenter::pull_requests`) check permissions and
//! scopes and shape the answers and refusals as each product does.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use git2::Oid;

use crate::store::{CommitInfo, MergeError, MergeHow, Store};

/// Where a pull request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Open.
    Open,
    /// Merged.
    Merged,
    /// Declined.
    Declined,
}

/// A reviewer's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Approved.
    Approved,
    /// Changes requested (Data Center's `NEEDS_WORK`).
    ChangesRequested,
}

/// One pull request.
#[derive(Debug, Clone)]
pub struct PullRequest {
    /// Its id in the repository, from 1.
    pub id: u64,
    /// Data Center's version, raised by every change.
    pub version: u64,
    /// What opened it.
    pub opened: Opening,
    /// Verdicts by user name.
    pub verdicts: BTreeMap<String, Verdict>,
    /// Where it stands.
    pub state: State,
    /// The merge commit, once merged.
    pub merge_commit: Option<String>,
    /// Who merged or declined it.
    pub closed_by: Option<String>,
    /// Epoch seconds of its opening.
    pub created: i64,
    /// Epoch seconds of its last change.
    pub updated: i64,
}

/// Why a pull request operation was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The source or destination branch does not exist.
    NoSuchBranch(String),
    /// The source and destination are the same branch.
    SameBranch,
    /// The destination already holds every commit of the source.
    NothingToMerge,
    /// One is open for the same branches (its id).
    Duplicate(u64),
    /// No pull request has this id.
    NoSuchPullRequest(u64),
    /// It is merged or declined.
    NotOpen,
    /// The author cannot review their own pull request.
    OwnPullRequest,
    /// The version given is not the current one (Data Center).
    StaleVersion,
    /// The merge conflicts, or a branch moved while merging.
    Conflicts,
    /// The strategy demands a fast-forward and the destination has moved on.
    NotFastForward,
    /// git failed.
    Git(String),
}

/// What opens a pull request.
#[derive(Debug, Clone)]
pub struct Opening {
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// The branch merged.
    pub source: String,
    /// The branch merged into.
    pub destination: String,
    /// The author.
    pub author: String,
    /// Reviewers' user names (checked by the caller).
    pub reviewers: Vec<String>,
}

/// Every pull request of every repository.
#[derive(Debug, Default)]
pub struct PullRequests(Mutex<HashMap<String, Vec<PullRequest>>>);

impl PullRequests {
    /// Forgets every pull request (a reset).
    pub fn clear(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<PullRequest>>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Opens a pull request in the repository `key`, as both products refuse one: unknown branches,
    /// the same branch, nothing to merge, one open for the same branches.
    pub fn open(&self, store: &Store, key: &str, new: Opening) -> Result<PullRequest, Refusal> {
        let tip = |branch: &str| {
            store
                .repo(key)
                .ok()
                .and_then(|repo| repo.branch_tip(branch))
                .ok_or_else(|| Refusal::NoSuchBranch(branch.to_owned()))
        };
        let (from, to) = (tip(&new.source)?, tip(&new.destination)?);
        if new.source == new.destination {
            return Err(Refusal::SameBranch);
        }
        if store
            .repo(key)
            .ok()
            .and_then(|repo| repo.merge_base(from, to))
            == Some(from)
        {
            return Err(Refusal::NothingToMerge);
        }
        let mut all = self.lock();
        let list = all.entry(key.to_owned()).or_default();
        if let Some(open) = list.iter().find(|p| {
            p.state == State::Open
                && p.opened.source == new.source
                && p.opened.destination == new.destination
        }) {
            return Err(Refusal::Duplicate(open.id));
        }
        let now = crate::time::now_secs();
        let created = PullRequest {
            id: list.len() as u64 + 1,
            version: 0,
            opened: new,
            verdicts: BTreeMap::new(),
            state: State::Open,
            merge_commit: None,
            closed_by: None,
            created: now,
            updated: now,
        };
        list.push(created.clone());
        Ok(created)
    }

    /// The pull requests of `key`, newest first.
    pub fn list(&self, key: &str) -> Vec<PullRequest> {
        let mut list = self.lock().get(key).cloned().unwrap_or_default();
        list.reverse();
        list
    }

    /// One pull request.
    pub fn get(&self, key: &str, id: u64) -> Result<PullRequest, Refusal> {
        self.lock()
            .get(key)
            .and_then(|list| list.iter().find(|p| p.id == id).cloned())
            .ok_or(Refusal::NoSuchPullRequest(id))
    }

    /// Changes an open pull request, checking `version` when given.
    fn change(
        &self,
        key: &str,
        id: u64,
        version: Option<u64>,
        change: impl FnOnce(&mut PullRequest) -> Result<(), Refusal>,
    ) -> Result<PullRequest, Refusal> {
        let mut all = self.lock();
        let found = all
            .get_mut(key)
            .and_then(|list| list.iter_mut().find(|p| p.id == id))
            .ok_or(Refusal::NoSuchPullRequest(id))?;
        if found.state != State::Open {
            return Err(Refusal::NotOpen);
        }
        if version.is_some_and(|v| v != found.version) {
            return Err(Refusal::StaleVersion);
        }
        change(found)?;
        found.version += 1;
        found.updated = crate::time::now_secs();
        Ok(found.clone())
    }

    /// Records `user`'s verdict (`None`: withdraws it).
    pub fn review(
        &self,
        key: &str,
        id: u64,
        user: &str,
        verdict: Option<Verdict>,
    ) -> Result<PullRequest, Refusal> {
        self.change(key, id, None, |pr| {
            if pr.opened.author == user {
                return Err(Refusal::OwnPullRequest);
            }
            match verdict {
                Some(verdict) => pr.verdicts.insert(user.to_owned(), verdict),
                None => pr.verdicts.remove(user),
            };
            Ok(())
        })
    }

    /// Declines an open pull request.
    pub fn decline(
        &self,
        key: &str,
        id: u64,
        version: Option<u64>,
        by: &str,
    ) -> Result<PullRequest, Refusal> {
        self.change(key, id, version, |pr| {
            pr.state = State::Declined;
            pr.closed_by = Some(by.to_owned());
            Ok(())
        })
    }

    /// Merges an open pull request with a real git merge (`how`), by `by`.
    pub fn merge(
        &self,
        store: &Store,
        key: &str,
        (id, version): (u64, Option<u64>),
        by: &str,
        how: &MergeHow<'_>,
    ) -> Result<PullRequest, Refusal> {
        self.change(key, id, version, |pr| {
            let tip = |branch: &str| {
                store
                    .repo(key)
                    .ok()
                    .and_then(|repo| repo.branch_tip(branch))
                    .ok_or_else(|| Refusal::NoSuchBranch(branch.to_owned()))
            };
            let (from, into): (Oid, Oid) = (tip(&pr.opened.source)?, tip(&pr.opened.destination)?);
            let merged: CommitInfo = store
                .merge(key, &pr.opened.destination, into, from, how)
                .map_err(|e| match e {
                    MergeError::Moved | MergeError::Conflicts => Refusal::Conflicts,
                    MergeError::NotFastForward => Refusal::NotFastForward,
                    MergeError::Git(e) => Refusal::Git(e.message().to_owned()),
                })?;
            pr.state = State::Merged;
            pr.merge_commit = Some(merged.hash);
            pr.closed_by = Some(by.to_owned());
            Ok(())
        })
    }
}

/// Who acts in a request: the user's name, or an access token's.
pub fn actor(caller: &crate::auth::Caller) -> String {
    caller
        .user
        .clone()
        .or_else(|| caller.grant.as_ref().map(|g| g.name.clone()))
        .unwrap_or_default()
}
