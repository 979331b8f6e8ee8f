//! What the user says when they press Push ([`Confirmation`]), checked against the plan before anything
//! is sent.

use super::planner::PushPlan;
use super::request::{check_as, main_branch_matters};
use crate::roles::{decide_any, Activity, Decision, Role, WritePermit};
use crate::sync::error::SyncError;

/// What the user says when they press Push, checked against the plan before anything is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation {
    /// The user's roles at Push (a portal may have changed them since the preview).
    pub roles: Vec<Role>,
    /// The user chose to overwrite the plan's conflicts with this copy's versions.
    pub overwrite: bool,
}

impl Confirmation {
    /// Whether `plan` may be sent: the push is allowed to the roles now, and its conflicts, if any,
    /// are overwritten by the user's choice with a role that may. When it may, the permit to write to
    /// the plan's branch ([`crate::sync::Remote::writer`]).
    pub fn check(&self, plan: &PushPlan) -> Result<WritePermit, SyncError> {
        // The plan read the main branch only for the roles it was made for: roles whose answer depends
        // on it now need a new preview.
        if !plan.main_branch_read && main_branch_matters(&self.roles, &plan.request.branch) {
            return Err(SyncError::RolesChanged);
        }
        let permit = check_as(&self.roles, &plan.request)?;
        let conflicts = &plan.changes.conflicts;
        if conflicts.is_empty() {
            return Ok(permit);
        }
        if !self.overwrite {
            return Err(SyncError::ConflictsOnBranch {
                branch: plan.request.branch.clone(),
                count: conflicts.len(),
                never_synced: plan.never_synced,
            });
        }
        match decide_any(&self.roles, &Activity::OverwriteBranchChanges) {
            Decision::Allowed => Ok(permit),
            Decision::Denied(denial) => Err(SyncError::Denied(denial)),
        }
    }
}
