//! What the user asks to push and the checks made before any request: role, message, names, and the
//! confirmation given when Push is pressed.

use crate::names::RefKind;
use crate::roles::{decide_any, permit_push, Activity, Role, WritePermit};
use crate::sync::error::SyncError;
use crate::sync::local::SyncBase;
use crate::sync::params::ScmParameters;

/// What the user asked to push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushRequest {
    /// The roles of the user pushing.
    pub roles: Vec<Role>,
    /// The repository's main branch, when known (from the connection test).
    pub main_branch: Option<String>,
    /// The branch to push to.
    pub branch: String,
    /// Create `branch` from this branch (it must not exist yet).
    pub new_branch_from: Option<String>,
    /// The commit message (required).
    pub message: String,
    /// A version name, tagged on the pushed commit (it must not exist yet).
    pub version: Option<String>,
    /// Push only artifacts in review state Approved.
    pub approved_only: bool,
    /// The project's SCM parameters.
    pub parameters: ScmParameters,
    /// The last sync with `branch` (for a new branch, with the branch it is made from), if any.
    pub base: Option<SyncBase>,
    /// Seeds the retry jitter.
    pub seed: u64,
}

/// Checks what can be checked before any request: role, message, names.
pub fn check_request(request: &PushRequest) -> Result<(), SyncError> {
    drop(check_as(&request.roles, request)?);
    Names::of(request).map(drop)
}

/// [`check_request`] for a user holding `roles`, but for the names: the permit to write to the request's
/// branch.
pub(super) fn check_as(roles: &[Role], request: &PushRequest) -> Result<WritePermit, SyncError> {
    let permit = check_role(roles, request)?;
    if request.message.trim().is_empty() {
        return Err(SyncError::MessageRequired);
    }
    Ok(permit)
}

/// The branch and version names of a push, in canonical form ([`RefKind::canonical`]): the form that
/// every request and every comparison uses.
pub(super) struct Names {
    branch: String,
    new_branch_from: Option<String>,
    version: Option<String>,
}

impl Names {
    /// The names of `request`, or why one of them cannot be pushed.
    pub(super) fn of(request: &PushRequest) -> Result<Names, SyncError> {
        let canonical = |kind: RefKind, name: &Option<String>| {
            name.as_deref().map(|name| kind.canonical(name)).transpose()
        };
        let names = Names {
            branch: RefKind::Branch.canonical(&request.branch)?,
            new_branch_from: canonical(RefKind::Branch, &request.new_branch_from)?,
            version: canonical(RefKind::Version, &request.version)?,
        };
        if names.version.as_ref() == Some(&names.branch) {
            return Err(SyncError::VersionIsBranch { name: names.branch });
        }
        Ok(names)
    }

    /// `request` with these names.
    pub(super) fn apply(self, request: PushRequest) -> PushRequest {
        PushRequest {
            branch: self.branch,
            new_branch_from: self.new_branch_from,
            version: self.version,
            ..request
        }
    }
}

/// The role policy on a push of `request` by `roles`, with the request's main branch: the permit to
/// write to its branch.
pub(super) fn check_role(roles: &[Role], request: &PushRequest) -> Result<WritePermit, SyncError> {
    permit_push(roles, &request.branch, request.main_branch.as_deref()).map_err(SyncError::Denied)
}

/// Whether the policy's answer to a push to `branch` by `roles` depends on which branch is the main
/// one (it does for a Quality Engineer): the push then reads the main branch from the repository, and
/// checks the roles once it is known.
pub(super) fn main_branch_matters(roles: &[Role], branch: &str) -> bool {
    let as_main = Activity::Push {
        branch: branch.to_owned(),
        main_branch: Some(branch.to_owned()),
    };
    !decide_any(roles, &as_main).is_allowed()
}

/// [`check_request`] but for the role: the message and the names.
pub(super) fn check_names(request: &PushRequest) -> Result<(), SyncError> {
    if request.message.trim().is_empty() {
        return Err(SyncError::MessageRequired);
    }
    Names::of(request).map(drop)
}
