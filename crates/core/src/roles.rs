//! Product roles and what each may do with the Bitbucket integration.
//!
//! This is the product's own rule set, checked before anything is sent. Bitbucket's permissions and branch
//! restrictions stay the final authority: a push this policy allows can still be refused by Bitbucket, and
//! that refusal is shown to the user as Bitbucket gave it.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The roles of the test-management portal, highest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Sets the portal up; may do everything.
    Admin,
    /// Manages projects and their integrations.
    QualityManager,
    /// Leads test design; reviews and merges.
    QualityLead,
    /// Designs and runs tests.
    QualityEngineer,
}

impl Role {
    /// Every role, highest first.
    pub const ALL: [Role; 4] = [
        Role::Admin,
        Role::QualityManager,
        Role::QualityLead,
        Role::QualityEngineer,
    ];

    /// The role's name as the portal shows it.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Admin",
            Role::QualityManager => "Quality Manager",
            Role::QualityLead => "Quality Lead",
            Role::QualityEngineer => "Quality Engineer",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Something a user wants to do with the integration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Activity {
    /// Create, edit or reset the Bitbucket connection of a project.
    Configure,
    /// Read test artifacts from the repository into the project.
    Pull,
    /// Commit test artifacts to `branch` of a repository whose main branch is `main_branch`.
    Push {
        /// The branch the commit goes to.
        branch: String,
        /// The repository's main branch, when known.
        main_branch: Option<String>,
    },
}

/// The policy's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// The role may do it (Bitbucket may still refuse).
    Allowed,
    /// The role may not; the reason says what to do instead.
    Denied(String),
}

impl Decision {
    /// Whether the activity is allowed.
    pub fn is_allowed(&self) -> bool {
        matches!(self, Decision::Allowed)
    }
}

/// Decides whether `role` may perform `activity`.
///
/// ```
/// use versioning_core::roles::{decide, Activity, Decision, Role};
///
/// let push_to_main = Activity::Push { branch: "main".into(), main_branch: Some("main".into()) };
/// assert!(decide(Role::QualityLead, &push_to_main).is_allowed());
/// assert!(matches!(decide(Role::QualityEngineer, &push_to_main), Decision::Denied(_)));
/// assert!(decide(Role::QualityEngineer, &Activity::Pull).is_allowed());
/// ```
pub fn decide(role: Role, activity: &Activity) -> Decision {
    match (role, activity) {
        (Role::QualityEngineer, Activity::Configure) => Decision::Denied(
            "Quality Engineers cannot change the Bitbucket connection. Ask an Admin, a Quality Manager or a \
             Quality Lead of this project."
                .into(),
        ),
        (
            Role::QualityEngineer,
            Activity::Push {
                branch,
                main_branch: Some(main),
            },
        ) if branch == main => Decision::Denied(format!(
            "Quality Engineers cannot push to the main branch `{main}`. Push to another branch and ask a \
             Quality Lead to merge it."
        )),
        _ => Decision::Allowed,
    }
}
