//! The steps of the connection test, how each went, and the outcome kept with the connection.

use serde::{Deserialize, Serialize};

use crate::bitbucket::error::ApiError;
use crate::bitbucket::model::{BranchRestrictionSummary, Identity, Permission};
use crate::bitbucket::pull_requests::PullRequestAccess;
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
