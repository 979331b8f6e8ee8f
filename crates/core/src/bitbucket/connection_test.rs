//! The connection test run on **Create**, as a state machine without I/O: ask [`ConnectionTest::next_request`],
//! execute it, hand the answer to [`ConnectionTest::handle_response`] (or a transport failure to
//! [`ConnectionTest::handle_failure`]), repeat until there is no next request. [`ConnectionTest::steps`]
//! shows progress; [`ConnectionTest::outcome`] is what the app stores with the connection.
//!
//! The steps, in order, stopping at the first failure:
//! 1. credentials accepted (Cloud `GET /user`; Data Center `application-properties` for `X-AUSERNAME`, and
//!    the repository read, which proves the credentials),
//! 2. repository found and readable,
//! 3. permission: read, write or admin. Cloud access tokens cannot ask: the scopes Bitbucket reports in its
//!    403 answers (`error.detail.granted`) decide, else write is inferred and said so. A token's scopes also
//!    cap what a Cloud API token may do. Data Center project and repository access tokens may read but never
//!    commit (a commit needs a real user): with Bearer credentials, the user named by `X-AUSERNAME` is looked
//!    up, and push is reported unavailable when it is a service user, no user, or cannot be told,
//! 4. main branch and every branch,
//! 5. branch restrictions when the credentials may read them (admin), otherwise "not visible".
//!
//! With write permission on Cloud, the permission step also asks whether the token may open pull requests
//! (an empty one, which Bitbucket refuses: [`pull_requests::access_probe`]), kept in the outcome and
//! warned about when it may not; on Data Center read permission suffices.

use std::mem;

use serde::{Deserialize, Serialize};

use super::api::{Api, Call};
use super::cloud;

use super::datacenter::{self, PermissionPlan, ServerInfo};
use super::error::{ApiError, TokenLimit};
use super::model::{Branch, BranchRestrictionSummary, Identity, Permission, RepositoryInfo};
use super::paging::Pager;
use super::pull_requests::{self, PullRequestAccess};
use super::request::{ApiRequest, ApiResponse};
use crate::connection::{AuthMode, ValidConnection};
use crate::repo_url::Flavour;

/// The checks, in the order they run (and compare).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Bitbucket accepts the credentials, and who they act as.
    Credentials,
    /// The repository exists and can be read.
    Repository,
    /// Read, write or admin.
    Permission,
    /// The main branch and the list of branches.
    Branches,
    /// Branch restrictions (branch permissions), when visible.
    Restrictions,
}

impl Step {
    /// Every step, in order.
    pub const ALL: [Step; 5] = [
        Step::Credentials,
        Step::Repository,
        Step::Permission,
        Step::Branches,
        Step::Restrictions,
    ];

    /// The step's title in the checklist.
    pub fn label(self) -> &'static str {
        match self {
            Step::Credentials => "Credentials accepted",
            Step::Repository => "Repository found and readable",
            Step::Permission => "Permission",
            Step::Branches => "Main branch and branches",
            Step::Restrictions => "Branch restrictions",
        }
    }

    /// What went wrong when the step failed with `error`, as the headline of the failure ("the credentials
    /// were refused"): it says what failed, never what the step checks when it passes.
    pub fn failure(self, error: &ApiError) -> &'static str {
        let refused = matches!(
            error,
            ApiError::InvalidCredentials { .. }
                | ApiError::TokenWithoutScopes
                | ApiError::MissingScope { .. }
                | ApiError::Forbidden { .. }
                | ApiError::ResourceTokenCannot { .. }
        );
        let no_relay = matches!(
            error,
            ApiError::Network {
                flavour: Flavour::DataCenter,
                cross_origin: true,
            }
        );
        match (self, refused) {
            _ if no_relay => "Bitbucket Data Center did not answer this page: it needs a relay",
            (Step::Credentials, true) => "the credentials were refused",
            (Step::Credentials, false) => "the credentials could not be checked",
            (Step::Repository, _) if matches!(error, ApiError::NotFound { .. }) => {
                "the repository was not found"
            }
            (Step::Repository, true) => "the repository may not be read with these credentials",
            (Step::Repository, false) => "the repository could not be read",
            (Step::Permission, _) => "the permission on the repository could not be read",
            (Step::Branches, _) => "the main branch and branches could not be read",
            (Step::Restrictions, _) => "the branch restrictions could not be read",
        }
    }
}

/// Where a step stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", content = "detail", rename_all = "snake_case")]
pub enum StepStatus {
    /// Not started.
    Pending,
    /// Waiting for Bitbucket.
    Running,
    /// Done; what was found.
    Passed(String),
    /// Passed, with something the user should know (e.g. a missing scope that does not stop the test).
    PassedWithWarning(String),
    /// Failed; the test stops here.
    Failed(ApiError),
    /// Not run, and why.
    Skipped(String),
    /// The credentials may not see this; not an error.
    NotVisible(String),
}

/// One line of the checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepReport {
    /// Which check.
    pub step: Step,
    /// Its state.
    pub status: StepStatus,
}

/// What a successful test found, stored with the connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestOutcome {
    /// Who the credentials act as, when Bitbucket said (not for Cloud access tokens, nor for Data Center
    /// servers that hide `X-AUSERNAME` from the browser).
    pub identity: Option<Identity>,
    /// The permission on the repository.
    pub permission: Permission,
    /// Whether the permission was inferred from the kind of token rather than reported by Bitbucket.
    pub permission_inferred: bool,
    /// The main (default) branch; `None` in an empty repository.
    pub main_branch: Option<String>,
    /// Every branch name, in name order.
    pub branches: Vec<String>,
    /// Whether the branch list stopped at the page cap.
    pub branches_truncated: bool,
    /// The branch restrictions, when visible.
    pub restrictions: Vec<BranchRestrictionSummary>,
    /// Whether the credentials could read branch restrictions.
    pub restrictions_visible: bool,
    /// Whether pushing is possible with this permission.
    pub push_available: bool,
    /// Why pushing is not possible, when it is not.
    pub push_unavailable_reason: Option<String>,
    /// Why these credentials push only over git, when they do: a Data Center project or repository
    /// access token, or a Bearer token whose user Bitbucket did not tell, may write over git (`/scm`)
    /// but not commit through the REST API, whose file edits need a real user. `None` when the REST
    /// API can commit too.
    #[serde(default)]
    pub push_over_git_only: Option<String>,
    /// Whether the credentials may open pull requests; `None` when not asked (read-only credentials, or a
    /// connection tested before pull requests were asked about).
    #[serde(default)]
    pub pull_requests: Option<PullRequestAccess>,
}

/// The request being made, with what reads its answer.
#[derive(Debug)]
enum Stage {
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
    fn step(&self) -> Step {
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

    fn request(&self) -> Option<ApiRequest> {
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
enum PermissionSource {
    /// Bitbucket's permission API.
    Reported,
    /// The token's scopes, as Bitbucket listed them in a 403 answer.
    Scopes,
    /// The kind of token (a Cloud access token, whose scopes were not reported).
    KindOfToken,
}

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

/// The permission a token's scopes allow at most: classic scopes of access tokens (`repository`,
/// `repository:write`, `repository:admin`) or API-token scopes (`read:`/`write:`/`admin:repository:bitbucket`).
/// `None` when no repository scope is listed.
pub fn permission_from_scopes(scopes: &[String]) -> Option<Permission> {
    let has = |names: [&str; 2]| scopes.iter().any(|s| names.contains(&s.as_str()));
    if has(["repository:admin", "admin:repository:bitbucket"]) {
        Some(Permission::Admin)
    } else if has(["repository:write", "write:repository:bitbucket"]) {
        Some(Permission::Write)
    } else if has(["repository", "read:repository:bitbucket"]) {
        Some(Permission::Read)
    } else {
        None
    }
}

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
