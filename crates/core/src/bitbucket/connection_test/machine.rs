//! The connection test itself: the requests in order, each answer read, the steps and the outcome.

use std::mem;

use super::report::{Step, StepReport, StepStatus, TestOutcome};
use super::scopes::permission_from_scopes;
use super::stage::{PermissionSource, Stage};
use crate::bitbucket::api::Api;
use crate::bitbucket::cloud;

use crate::bitbucket::datacenter::{self, PermissionPlan};
use crate::bitbucket::error::{ApiError, TokenLimit};
use crate::bitbucket::model::{
    Branch, BranchRestrictionSummary, Identity, Permission, RepositoryInfo,
};
use crate::bitbucket::paging::Pager;
use crate::bitbucket::pull_requests::{self, PullRequestAccess};
use crate::bitbucket::request::{ApiRequest, ApiResponse};
use crate::connection::{AuthMode, ValidConnection};
use crate::repo_url::Flavour;

/// The connection test of one connection.
#[derive(Debug)]
pub struct ConnectionTest {
    api: Api,
    stage: Stage,
    waiting: bool,
    steps: Vec<StepReport>,
    identity: Option<Identity>,
    repository: Option<RepositoryInfo>,
    permission: Option<Permission>,
    permission_inferred: bool,
    reported_permission: Option<Permission>,
    granted_scopes: Option<Vec<String>>,
    git_only: Option<String>,
    main_branch: Option<String>,
    branches: Vec<Branch>,
    branches_truncated: bool,
    restrictions: Vec<BranchRestrictionSummary>,
    restrictions_visible: bool,
    pull_requests: Option<PullRequestAccess>,
    /// The permission step's result, shown once the pull request question is answered.
    permission_status: Option<StepStatus>,
}

impl ConnectionTest {
    /// A test of `connection`, with every step pending.
    pub fn new(connection: &ValidConnection) -> Self {
        let api = Api::new(connection);
        let stage = match api.flavour() {
            Flavour::Cloud => Stage::CloudUser(cloud::current_user(&api)),
            Flavour::DataCenter => Stage::ServerInfo(datacenter::server_info(&api)),
        };
        ConnectionTest {
            api,
            stage,
            waiting: false,
            steps: Step::ALL
                .iter()
                .map(|&step| StepReport {
                    step,
                    status: StepStatus::Pending,
                })
                .collect(),
            identity: None,
            repository: None,
            permission: None,
            permission_inferred: false,
            reported_permission: None,
            granted_scopes: None,
            git_only: None,
            main_branch: None,
            branches: Vec::new(),
            branches_truncated: false,
            restrictions: Vec::new(),
            restrictions_visible: false,
            pull_requests: None,
            permission_status: None,
        }
    }

    /// The next request to execute, or `None` while one is outstanding or when the test is over.
    pub fn next_request(&mut self) -> Option<ApiRequest> {
        if self.waiting {
            return None;
        }
        let request = self.stage.request()?;
        self.waiting = true;
        let step = self.stage.step();
        if self.status(step) == &StepStatus::Pending {
            self.set(step, StepStatus::Running);
        }
        Some(request)
    }

    /// Reads the answer to the last request.
    pub fn handle_response(&mut self, response: ApiResponse) {
        if !mem::take(&mut self.waiting) {
            return;
        }
        let stage = mem::replace(&mut self.stage, Stage::Finished);
        let step = stage.step();
        if let Err(error) = self.advance(stage, &response) {
            self.fail(step, error);
        }
    }

    /// Records that the last request got no answer (network, CORS, timeout): the current step fails.
    pub fn handle_failure(&mut self, error: ApiError) {
        if mem::take(&mut self.waiting) {
            let step = mem::replace(&mut self.stage, Stage::Finished).step();
            self.fail(step, error);
        }
    }

    /// The checklist.
    pub fn steps(&self) -> &[StepReport] {
        &self.steps
    }

    /// What was found, once every step is done without failure.
    pub fn outcome(&self) -> Option<TestOutcome> {
        let finished = matches!(self.stage, Stage::Finished) && !self.waiting;
        let failed = self
            .steps
            .iter()
            .any(|r| matches!(r.status, StepStatus::Failed(_)));
        if !finished || failed {
            return None;
        }
        let permission = self.permission?;
        let push_available = permission >= Permission::Write;
        let push_unavailable_reason =
            (permission == Permission::Read).then(|| self.read_only_reason());
        Some(TestOutcome {
            identity: self.identity.clone(),
            permission,
            permission_inferred: self.permission_inferred,
            main_branch: self.main_branch.clone(),
            branches: self.branches.iter().map(|b| b.name.clone()).collect(),
            branches_truncated: self.branches_truncated,
            restrictions: self.restrictions.clone(),
            restrictions_visible: self.restrictions_visible,
            push_available,
            push_unavailable_reason,
            push_over_git_only: self.git_only.clone(),
            pull_requests: self.pull_requests.clone(),
        })
    }

    /// Reads `response` for `stage` and sets up the next stage.
    fn advance(&mut self, stage: Stage, response: &ApiResponse) -> Result<(), ApiError> {
        match stage {
            Stage::CloudUser(call) => {
                let status = match call.parse(response) {
                    Ok(identity) => {
                        let detail = format!(
                            "Signed in as {} ({})",
                            identity.display_name, identity.account
                        );
                        self.identity = Some(identity);
                        StepStatus::Passed(detail)
                    }
                    Err(ApiError::ResourceTokenCannot {
                        limit: TokenLimit::ReadAccount,
                    }) => StepStatus::Passed(ACCESS_TOKEN_ACCEPTED.to_owned()),
                    Err(ApiError::MissingScope { needed, granted }) => {
                        self.note_granted(granted);
                        if self.is_access_token() {
                            StepStatus::Passed(ACCESS_TOKEN_ACCEPTED.to_owned())
                        } else {
                            StepStatus::PassedWithWarning(format!(
                                "Accepted, but the token lacks the scope {}, so the account it belongs to \
                                 cannot be shown. Reading and pushing do not need it; add it the next time \
                                 you create a token.",
                                needed.join(", ")
                            ))
                        }
                    }
                    Err(error) if self.is_access_token() && is_refusal(&error) => {
                        StepStatus::Passed(ACCESS_TOKEN_ACCEPTED.to_owned())
                    }
                    Err(error) => return Err(error),
                };
                self.set(Step::Credentials, status);
                self.stage = Stage::CloudRepository(cloud::repository(&self.api));
            }
            Stage::CloudRepository(call) => {
                let repository = self.repository_found(call.parse(response)?);
                self.stage = Stage::CloudPermission(cloud::repository_permission(
                    &self.api,
                    &repository.full_name,
                ));
            }
            Stage::CloudPermission(call) => match call.parse(response) {
                Ok(permission) => {
                    let reported = permission.unwrap_or(Permission::Read);
                    self.reported_permission = Some(reported);
                    match self.scope_permission() {
                        Some(cap) if cap < reported => {
                            self.permission_found(cap, PermissionSource::Scopes)
                        }
                        _ => self.permission_found(reported, PermissionSource::Reported),
                    }
                }
                Err(error) if is_refusal(&error) => {
                    if let ApiError::MissingScope { granted, .. } = error.clone() {
                        self.note_granted(granted);
                    }
                    match self.scope_permission() {
                        Some(permission) => {
                            self.permission_found(permission, PermissionSource::Scopes)
                        }
                        None if self.is_access_token() => {
                            self.permission_found(Permission::Write, PermissionSource::KindOfToken)
                        }
                        None => return Err(error),
                    }
                }
                Err(error) => return Err(error),
            },
            Stage::ServerInfo(call) => {
                let info = call.parse(response)?;
                self.identity = info.acting_user.map(|user| Identity {
                    display_name: user.clone(),
                    account: user,
                });
                self.stage = Stage::DataCenterRepository(datacenter::repository(&self.api));
            }
            Stage::DataCenterRepository(call) => {
                let repository = match call.parse(response) {
                    Ok(repository) => repository,
                    Err(error @ ApiError::InvalidCredentials { .. }) => {
                        self.fail(Step::Credentials, error);
                        return Ok(());
                    }
                    Err(error) => {
                        self.pass_data_center_credentials(response);
                        self.fail(Step::Repository, error);
                        return Ok(());
                    }
                };
                self.pass_data_center_credentials(response);
                let repository = self.repository_found(repository);
                self.stage =
                    Stage::DataCenterPermission(PermissionPlan::new(&self.api, &repository.name));
            }
            Stage::DataCenterPermission(mut plan) => {
                plan.handle_response(response)?;
                match plan.outcome() {
                    Some(permission) => self.data_center_permission_found(permission),
                    None => self.stage = Stage::DataCenterPermission(plan),
                }
            }
            Stage::DataCenterUser(call) => {
                let account = self.identity.as_ref().map(|i| i.account.clone());
                let account = account.unwrap_or_default();
                match call.parse(response) {
                    Ok(true) => {}
                    Ok(false) | Err(ApiError::NotFound { .. }) => {
                        self.git_only = Some(format!(
                            "This token acts as `{account}`, which is not a real user: it is a project or \
                             repository access token. Bitbucket Data Center lets such tokens push over git \
                             but not commit through its REST API, whose commits need a real user: pushes \
                             work through a relay that passes /scm, not through one that passes only /rest."
                        ));
                    }
                    Err(error) if is_refusal(&error) => {
                        self.git_only = Some(UNKNOWN_TOKEN_USER.to_owned());
                    }
                    Err(error) => return Err(error),
                }
                let permission = self.permission.unwrap_or(Permission::Read);
                self.permission_found(permission, PermissionSource::Reported);
            }
            Stage::DefaultBranch(call) => {
                self.main_branch = match call.parse(response) {
                    Ok(name) => Some(name),
                    Err(ApiError::NotFound { .. }) => None,
                    Err(error) => return Err(error),
                };
                self.stage = Stage::Branches(self.branch_pager());
            }
            Stage::Branches(mut pager) => {
                self.branches.extend(pager.handle_response(response)?);
                if pager.next_request().is_some() {
                    self.stage = Stage::Branches(pager);
                } else {
                    self.branches_truncated = pager.is_truncated();
                    self.branches_found();
                }
            }
            Stage::Restrictions(mut pager) => match pager.handle_response(response) {
                Err(ApiError::MissingScope { needed, .. }) => {
                    self.restrictions_need_scope(&needed.join(", "))
                }
                Ok(restrictions) => {
                    self.restrictions.extend(restrictions);
                    if pager.next_request().is_some() {
                        self.stage = Stage::Restrictions(pager);
                    } else {
                        self.restrictions_visible = true;
                        let detail = match self.restrictions.len() {
                            0 => "No branch restrictions.".to_owned(),
                            1 => "1 branch restriction.".to_owned(),
                            n => format!("{n} branch restrictions."),
                        };
                        self.pass(Step::Restrictions, detail);
                    }
                }
                Err(error) if is_refusal(&error) => self.restrictions_not_visible(),
                Err(error) => return Err(error),
            },
            Stage::PullRequestAccess(call) => {
                let access = pull_requests::read_access_probe(&call, response)?;
                let status = match (self.permission_status.take(), access.warning()) {
                    (Some(StepStatus::Passed(detail)), Some(warning)) => {
                        StepStatus::PassedWithWarning(format!("{detail} {warning}"))
                    }
                    (Some(StepStatus::PassedWithWarning(detail)), Some(warning)) => {
                        StepStatus::PassedWithWarning(format!("{detail} {warning}"))
                    }
                    (status, _) => status.unwrap_or(StepStatus::Running),
                };
                self.pull_requests = Some(access);
                self.set(Step::Permission, status);
                self.stage = self.after_permission();
            }
            Stage::Finished => {}
        }
        Ok(())
    }

    fn is_access_token(&self) -> bool {
        self.api.credentials().mode == AuthMode::Bearer
    }

    fn repository_found(&mut self, repository: RepositoryInfo) -> RepositoryInfo {
        self.pass(
            Step::Repository,
            format!("Found `{}`.", repository.full_name),
        );
        self.main_branch = repository.main_branch.clone();
        self.repository = Some(repository.clone());
        repository
    }

    fn pass_data_center_credentials(&mut self, response: &ApiResponse) {
        if self.identity.is_none() {
            self.identity = datacenter::acting_user(response).map(|user| Identity {
                display_name: user.clone(),
                account: user,
            });
        }
        let detail = match &self.identity {
            Some(identity) => format!("Accepted; acting as `{}`.", identity.account),
            None => "Accepted (the server does not tell this app which user the token acts as)."
                .to_owned(),
        };
        self.pass(Step::Credentials, detail);
    }

    /// Records the scopes a 403 answer listed as granted (the first list seen is kept).
    fn note_granted(&mut self, granted: Option<Vec<String>>) {
        if self.granted_scopes.is_none() {
            self.granted_scopes = granted.filter(|g| !g.is_empty());
        }
    }

    /// The permission the reported scopes allow at most, when Bitbucket listed them.
    fn scope_permission(&self) -> Option<Permission> {
        permission_from_scopes(self.granted_scopes.as_deref()?)
    }

    /// Data Center: Bearer credentials with write may be a project or repository access token, which
    /// pushes over git only (the REST API's commits need a real user); the acting user tells (looked up
    /// when named; when not, pushing over git only is assumed and said why).
    fn data_center_permission_found(&mut self, permission: Permission) {
        if !self.is_access_token() || permission < Permission::Write {
            self.permission_found(permission, PermissionSource::Reported);
            return;
        }
        match self.identity.as_ref().map(|i| i.account.clone()) {
            Some(account) => {
                self.permission = Some(permission);
                self.stage = Stage::DataCenterUser(datacenter::is_real_user(&self.api, &account));
            }
            None => {
                self.git_only = Some(UNKNOWN_TOKEN_USER.to_owned());
                self.permission_found(permission, PermissionSource::Reported);
            }
        }
    }

    fn read_only_reason(&self) -> String {
        let repository = self.api.repository_name();
        if self.permission_inferred && self.granted_scopes.is_some() {
            let scope = if self.is_access_token() {
                "repository:write"
            } else {
                "write:repository:bitbucket"
            };
            return format!(
                "This token's scopes allow reading {repository} only: pushing needs the scope {scope}. \
                 Scopes cannot be added to a token: create a new one that includes {scope}."
            );
        }
        format!(
            "These credentials have read-only access to {repository}: pushing needs write permission. Ask a \
             repository admin for write access, or use a token with write permission."
        )
    }

    fn permission_found(&mut self, permission: Permission, source: PermissionSource) {
        self.permission = Some(permission);
        self.permission_inferred = source != PermissionSource::Reported;
        let detail = match source {
            PermissionSource::KindOfToken => format!(
                "{} (inferred: access tokens cannot ask Bitbucket for permissions; the token's scopes decide).",
                permission.label()
            ),
            PermissionSource::Scopes => format!(
                "{} (from the token's scopes: {}).",
                permission.label(),
                self.granted_scopes.as_deref().unwrap_or_default().join(", ")
            ),
            PermissionSource::Reported => format!("{}.", permission.label()),
        };
        let detail = capitalised(&detail);
        let status = match &self.git_only {
            Some(reason) => StepStatus::PassedWithWarning(format!("{detail} {reason}")),
            None => StepStatus::Passed(detail),
        };
        match pull_requests::access_probe(&self.api) {
            Some(call) if permission >= Permission::Write => {
                self.permission_status = Some(status);
                self.stage = Stage::PullRequestAccess(call);
                return;
            }
            Some(_) => {}
            None => self.pull_requests = Some(PullRequestAccess::Allowed),
        }
        self.set(Step::Permission, status);
        self.stage = self.after_permission();
    }

    /// The stage after the permission step: the main branch (Data Center) or the branches.
    fn after_permission(&self) -> Stage {
        match self.api.flavour() {
            Flavour::Cloud => Stage::Branches(self.branch_pager()),
            Flavour::DataCenter => Stage::DefaultBranch(datacenter::default_branch(&self.api)),
        }
    }

    fn branch_pager(&self) -> Pager<Branch> {
        let call = match self.api.flavour() {
            Flavour::Cloud => cloud::branches(&self.api, None),
            Flavour::DataCenter => datacenter::branches(&self.api, None),
        };
        Pager::new(&self.api, call)
    }

    fn branches_found(&mut self) {
        if self.main_branch.is_none() {
            self.main_branch = self
                .branches
                .iter()
                .find(|b| b.is_default == Some(true))
                .map(|b| b.name.clone());
        }
        let count = self.branches.len();
        let mut detail = match (&self.main_branch, count) {
            (_, 0) => "The repository is empty: no branches yet.".to_owned(),
            (Some(main), 1) => format!("Main branch `{main}`; 1 branch."),
            (Some(main), n) => format!("Main branch `{main}`; {n} branches."),
            (None, n) => format!("No main branch is set; {n} branches."),
        };
        if self.branches_truncated {
            detail.push_str(" The list stops there; more exist.");
        }
        self.pass(Step::Branches, detail);
        let kind_of_token_only = self.permission_inferred && self.granted_scopes.is_none();
        let may_read_restrictions = self.permission == Some(Permission::Admin)
            || self.reported_permission == Some(Permission::Admin)
            || kind_of_token_only;
        if may_read_restrictions {
            let call = match self.api.flavour() {
                Flavour::Cloud => cloud::branch_restrictions(&self.api),
                Flavour::DataCenter => datacenter::branch_restrictions(&self.api),
            };
            self.stage = Stage::Restrictions(Pager::new(&self.api, call));
        } else {
            self.restrictions_not_visible();
        }
    }

    fn restrictions_not_visible(&mut self) {
        self.set(
            Step::Restrictions,
            StepStatus::NotVisible(
                "Not visible to this token: only repository admins can read branch restrictions. Bitbucket \
                 still applies them when you push, and explains any refusal."
                    .to_owned(),
            ),
        );
    }

    fn restrictions_need_scope(&mut self, scope: &str) {
        self.set(
            Step::Restrictions,
            StepStatus::NotVisible(format!(
                "Not visible to this token: reading branch restrictions needs the scope {scope}, which the token \
                 lacks. Scopes cannot be added to a token: create a new one that includes {scope} to see them. \
                 Bitbucket still applies them when you push, and explains any refusal."
            )),
        );
    }

    fn pass(&mut self, step: Step, detail: String) {
        self.set(step, StepStatus::Passed(detail));
    }

    fn fail(&mut self, step: Step, error: ApiError) {
        self.stage = Stage::Finished;
        self.set(step, StepStatus::Failed(error));
        for report in &mut self.steps {
            if matches!(report.status, StepStatus::Pending | StepStatus::Running) {
                report.status = StepStatus::Skipped("Not run: an earlier check failed.".to_owned());
            }
        }
    }

    fn status(&self, step: Step) -> &StepStatus {
        &self.steps[step as usize].status
    }

    fn set(&mut self, step: Step, status: StepStatus) {
        self.steps[step as usize].status = status;
    }
}

/// The credentials step of a Cloud access token, whose account Bitbucket does not tell.
const ACCESS_TOKEN_ACCEPTED: &str =
    "The access token was accepted. Access tokens act as their own user and cannot read account details.";

/// Why Data Center Bearer credentials whose user is unknown push only over git.
const UNKNOWN_TOKEN_USER: &str =
    "Bitbucket did not tell which user this token acts as, so it may be a project or repository access \
     token, which can push over git but not commit through Bitbucket Data Center's REST API (a REST commit \
     needs a real user): pushes work through a relay that passes /scm, not through one that passes only \
     /rest. If it is your personal HTTP access token, untick \u{201c}Personal access token\u{201d} and \
     enter your username, so that every way of pushing can be checked.";

/// An answer meaning "authenticated, but not allowed to see this" (rather than a broken connection).
fn is_refusal(error: &ApiError) -> bool {
    matches!(
        error,
        ApiError::Forbidden { .. }
            | ApiError::MissingScope { .. }
            | ApiError::TokenWithoutScopes
            | ApiError::ResourceTokenCannot { .. }
    )
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
