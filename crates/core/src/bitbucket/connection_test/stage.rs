//! The request the connection test is making, with what reads its answer.

use super::report::Step;
use crate::bitbucket::api::Call;

use crate::bitbucket::datacenter::{PermissionPlan, ServerInfo};
use crate::bitbucket::model::{
    Branch, BranchRestrictionSummary, Identity, Permission, RepositoryInfo,
};
use crate::bitbucket::paging::Pager;
use crate::bitbucket::pull_requests::PullRequestAccess;
use crate::bitbucket::request::ApiRequest;

/// The request being made, with what reads its answer.
#[derive(Debug)]
pub(super) enum Stage {
    CloudUser(Call<Identity>),
    CloudRepository(Call<RepositoryInfo>),
    CloudPermission(Call<Option<Permission>>),
    ServerInfo(Call<ServerInfo>),
    DataCenterRepository(Call<RepositoryInfo>),
    DataCenterPermission(PermissionPlan),
    DataCenterUser(Call<bool>),
    DefaultBranch(Call<String>),
    Branches(Pager<Branch>),
    Restrictions(Pager<BranchRestrictionSummary>),
    PullRequestAccess(Call<PullRequestAccess>),
    Finished,
}

impl Stage {
    /// The step this request belongs to.
    pub(super) fn step(&self) -> Step {
        match self {
            Stage::CloudUser(_) | Stage::ServerInfo(_) => Step::Credentials,
            Stage::CloudRepository(_) | Stage::DataCenterRepository(_) => Step::Repository,
            Stage::CloudPermission(_)
            | Stage::DataCenterPermission(_)
            | Stage::DataCenterUser(_)
            | Stage::PullRequestAccess(_) => Step::Permission,
            Stage::DefaultBranch(_) | Stage::Branches(_) => Step::Branches,
            Stage::Restrictions(_) | Stage::Finished => Step::Restrictions,
        }
    }

    /// The request to send, `None` when there is none left.
    pub(super) fn request(&self) -> Option<ApiRequest> {
        match self {
            Stage::CloudUser(call) => Some(call.request.clone()),
            Stage::CloudRepository(call) | Stage::DataCenterRepository(call) => {
                Some(call.request.clone())
            }
            Stage::CloudPermission(call) => Some(call.request.clone()),
            Stage::ServerInfo(call) => Some(call.request.clone()),
            Stage::DefaultBranch(call) => Some(call.request.clone()),
            Stage::DataCenterUser(call) => Some(call.request.clone()),
            Stage::PullRequestAccess(call) => Some(call.request.clone()),
            Stage::DataCenterPermission(plan) => plan.next_call().map(|call| call.request.clone()),
            Stage::Branches(pager) => pager.next_request(),
            Stage::Restrictions(pager) => pager.next_request(),
            Stage::Finished => None,
        }
    }
}

/// Where the permission came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PermissionSource {
    /// Bitbucket's permission API.
    Reported,
    /// The token's scopes, as Bitbucket listed them in a 403 answer.
    Scopes,
    /// The kind of token (a Cloud access token, whose scopes were not reported).
    KindOfToken,
}
