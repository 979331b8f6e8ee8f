//! Product roles and what each may do with the Bitbucket integration.
//!
//! This is the product's own rule set, checked before anything is sent. Bitbucket's permissions and branch
//! restrictions stay the final authority: a push this policy allows can still be refused by Bitbucket, and
//! that refusal is shown to the user as Bitbucket gave it.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::names::RefKind;

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

    /// The role with the fewest rights. An embedded app runs with it when the portal names no user, or
    /// names a role this product does not know: what the user may do is never more than the portal said.
    pub const LOWEST: Role = Role::QualityEngineer;

    /// The role a portal names (`admin`, `quality_manager`, `quality_lead` or `quality_engineer`), and
    /// [`Role::LOWEST`] for any other name.
    ///
    /// ```
    /// use versioning_core::roles::Role;
    /// assert_eq!(Role::named_or_lowest("quality_lead"), Role::QualityLead);
    /// assert_eq!(Role::named_or_lowest("superuser"), Role::QualityEngineer);
    /// ```
    pub fn named_or_lowest(name: &str) -> Role {
        use serde::de::{value::StrDeserializer, IntoDeserializer};
        let name: StrDeserializer<'_, serde::de::value::Error> = name.into_deserializer();
        Role::deserialize(name).unwrap_or(Role::LOWEST)
    }

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
    /// Change the project's SCM parameters (workers, commit sizes, timeouts, retries).
    ConfigureScm,
    /// Read test artifacts from the repository into the project.
    Pull,
    /// Commit test artifacts to `branch` of a repository whose main branch is `main_branch`.
    Push {
        /// The branch the commit goes to (`main` or `refs/heads/main`).
        branch: String,
        /// The repository's main branch, when known.
        main_branch: Option<String>,
    },
    /// Push over artifacts the branch changed since this copy last synced with it (a teammate's work), or
    /// replace the artifacts of a branch this copy never synced with.
    OverwriteBranchChanges,
    /// Ask for a pushed branch to be merged: open a pull request (every role that may push somewhere).
    OpenPullRequest,
    /// Merge a pull request from the product (only roles that may push to the main branch; Bitbucket's
    /// merge checks and approvals still decide).
    MergePullRequest,
}

/// Why the policy refuses an activity. `Display` is the message for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denial {
    /// Quality Engineers do not change the connection.
    EngineersCannotConfigure,
    /// Only Admins and Quality Managers change the SCM parameters.
    ScmParametersNeedManager,
    /// A Quality Engineer's push while the repository's main branch is not known (it names none).
    MainBranchUnknown,
    /// A Quality Engineer's push to the main branch (named in any case).
    EngineersCannotPushToMain {
        /// The main branch's name.
        main: String,
    },
    /// A Quality Engineer's push over changes made on the branch by someone else.
    EngineersCannotOverwrite,
    /// A Quality Engineer's merge of a pull request: a Quality Lead reviews and merges.
    EngineersCannotMerge,
    /// The user holds no role in the project.
    NoRole,
}

impl std::fmt::Display for Denial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Denial::EngineersCannotConfigure => f.write_str(
                "Quality Engineers cannot change the Bitbucket connection. Ask an Admin, a Quality Manager or a \
                 Quality Lead of this project.",
            ),
            Denial::ScmParametersNeedManager => f.write_str(
                "Only Admins and Quality Managers can change the SCM parameters. Ask one of them if a push or \
                 pull needs other settings.",
            ),
            Denial::MainBranchUnknown => f.write_str(
                "The repository names no main branch, and Quality Engineers push only where it is known \
                 not to be the main branch. Ask an administrator of the repository to set its main \
                 branch, or a Quality Lead to push.",
            ),
            Denial::EngineersCannotPushToMain { main } => write!(
                f,
                "Quality Engineers cannot push to the main branch `{main}`. Push to another branch and ask a \
                 Quality Lead to merge it."
            ),
            Denial::EngineersCannotOverwrite => f.write_str(
                "Quality Engineers cannot overwrite changes made on the branch since their last sync. Pull \
                 first and settle the conflicts, or ask a Quality Lead.",
            ),
            Denial::EngineersCannotMerge => f.write_str(
                "Quality Engineers cannot merge pull requests. Ask a Quality Lead to review and merge it.",
            ),
            Denial::NoRole => f.write_str(
                "You have no role in this project. Ask an Admin of the portal to give you one.",
            ),
        }
    }
}

/// The policy's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// The role may do it (Bitbucket may still refuse).
    Allowed,
    /// The role may not; the reason says what to do instead.
    Denied(Denial),
}

impl Decision {
    /// Whether the activity is allowed.
    pub fn is_allowed(&self) -> bool {
        matches!(self, Decision::Allowed)
    }

    /// The refusal, if any.
    pub fn denial(&self) -> Option<&Denial> {
        match self {
            Decision::Allowed => None,
            Decision::Denied(denial) => Some(denial),
        }
    }
}

/// Whether two branch names name the same branch, as Bitbucket compares them: exactly, once one
/// `refs/heads/` is stripped (`main` and `refs/heads/main` are the same branch, `Main` is another).
pub fn same_branch(a: &str, b: &str) -> bool {
    RefKind::Branch.short(a) == RefKind::Branch.short(b)
}

/// Whether the policy takes `branch` for the main branch `main`: the same branch ignoring case, so that
/// a Quality Engineer cannot reach the main branch as `Main` or `MAIN` (which a clone on a
/// case-insensitive file system would mix up with it).
fn reaches_main(branch: &str, main: &str) -> bool {
    RefKind::Branch.short(branch).to_lowercase() == RefKind::Branch.short(main).to_lowercase()
}

/// Decides whether `role` may perform `activity`. Every activity is decided explicitly for every role.
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
    use Role::*;
    match (role, activity) {
        (Admin | QualityManager | QualityLead, Activity::Configure) => Decision::Allowed,
        (QualityEngineer, Activity::Configure) => {
            Decision::Denied(Denial::EngineersCannotConfigure)
        }
        (Admin | QualityManager, Activity::ConfigureScm) => Decision::Allowed,
        (QualityLead | QualityEngineer, Activity::ConfigureScm) => {
            Decision::Denied(Denial::ScmParametersNeedManager)
        }
        (Admin | QualityManager | QualityLead | QualityEngineer, Activity::Pull) => {
            Decision::Allowed
        }
        (Admin | QualityManager | QualityLead, Activity::Push { .. }) => Decision::Allowed,
        (
            QualityEngineer,
            Activity::Push {
                branch,
                main_branch,
            },
        ) => match main_branch {
            None => Decision::Denied(Denial::MainBranchUnknown),
            Some(main) if reaches_main(branch, main) => {
                Decision::Denied(Denial::EngineersCannotPushToMain {
                    main: RefKind::Branch.short(main).to_owned(),
                })
            }
            Some(_) => Decision::Allowed,
        },
        (Admin | QualityManager | QualityLead, Activity::OverwriteBranchChanges) => {
            Decision::Allowed
        }
        (QualityEngineer, Activity::OverwriteBranchChanges) => {
            Decision::Denied(Denial::EngineersCannotOverwrite)
        }
        (Admin | QualityManager | QualityLead | QualityEngineer, Activity::OpenPullRequest) => {
            Decision::Allowed
        }
        (Admin | QualityManager | QualityLead, Activity::MergePullRequest) => Decision::Allowed,
        (QualityEngineer, Activity::MergePullRequest) => {
            Decision::Denied(Denial::EngineersCannotMerge)
        }
    }
}

/// Leave to open pull requests: the only key to [`crate::bitbucket::pull_requests::open`]. Only the role
/// check of [`Activity::OpenPullRequest`] gives one ([`permit_pull_request`]).
///
/// ```compile_fail
/// use versioning_core::roles::PullRequestPermit;
/// let forged = PullRequestPermit { _private: () };
/// ```
#[derive(Debug)]
#[must_use = "a permit opens pull requests; dropping it opens nothing"]
pub struct PullRequestPermit {
    _private: (),
}

/// The role check of opening a pull request by a user holding `roles`: the permit, or why not.
///
/// ```
/// use versioning_core::roles::{permit_pull_request, Role};
/// assert!(permit_pull_request(&[Role::QualityEngineer]).is_ok());
/// assert!(permit_pull_request(&[]).is_err());
/// ```
pub fn permit_pull_request(roles: &[Role]) -> Result<PullRequestPermit, Denial> {
    match decide_any(roles, &Activity::OpenPullRequest) {
        Decision::Allowed => Ok(PullRequestPermit { _private: () }),
        Decision::Denied(denial) => Err(denial),
    }
}

/// Leave to write to one branch: the only key to this crate's writes (commits, file edits, a new branch, a
/// version tag; see [`crate::sync::Remote::writer`]), every one of them to [`WritePermit::branch`].
/// Only the role check that allows a push gives one ([`permit_push`], which
/// [`crate::sync::Confirmation::check`] calls with the plan's branch), so a program using this crate cannot
/// write without asking the policy first.
///
/// ```
/// use versioning_core::roles::{permit_push, Role};
///
/// let permit = permit_push(&[Role::QualityLead], "main", Some("main")).unwrap();
/// assert_eq!(permit.branch(), "main");
/// assert!(permit_push(&[Role::QualityEngineer], "MAIN", Some("main")).is_err());
/// ```
///
/// It cannot be built, copied or read from data:
///
/// ```compile_fail
/// use versioning_core::roles::WritePermit;
/// let forged = WritePermit { branch: "main".to_owned() };
/// ```
///
/// ```compile_fail
/// use versioning_core::roles::WritePermit;
/// fn copy(permit: &WritePermit) -> WritePermit {
///     permit.clone()
/// }
/// ```
///
/// ```compile_fail
/// use versioning_core::roles::WritePermit;
/// let forged: WritePermit = serde_json::from_str(r#"{"branch":"main"}"#).unwrap();
/// ```
///
/// and no write is built without it: the per-product builders are private to the crate, and
/// [`crate::sync::Remote`] writes only through a permit.
///
/// ```compile_fail
/// use versioning_core::bitbucket::{cloud, Api};
/// fn commit(api: &Api, files: &cloud::CommitFiles) {
///     let _ = cloud::commit_files(api, "main", files);
/// }
/// ```
///
/// ```compile_fail
/// use versioning_core::bitbucket::{cloud, Api};
/// use versioning_core::sync::Remote;
/// fn commit(api: Api, files: &cloud::CommitFiles) {
///     let _ = Remote::new(api).commit_files(files);
/// }
/// ```
#[derive(Debug)]
#[must_use = "a permit opens writes; dropping it writes nothing"]
pub struct WritePermit {
    branch: String,
}

impl WritePermit {
    /// The branch the check allowed, as it was checked: every write the permit opens goes there.
    pub fn branch(&self) -> &str {
        &self.branch
    }
}

/// The role check of a push to `branch` of a repository whose main branch is `main_branch` by a user
/// holding `roles` ([`decide_any`] of [`Activity::Push`]): the permit to write there, or why not.
pub fn permit_push(
    roles: &[Role],
    branch: &str,
    main_branch: Option<&str>,
) -> Result<WritePermit, Denial> {
    let activity = Activity::Push {
        branch: branch.to_owned(),
        main_branch: main_branch.map(str::to_owned),
    };
    match decide_any(roles, &activity) {
        Decision::Allowed => Ok(WritePermit {
            branch: branch.to_owned(),
        }),
        Decision::Denied(denial) => Err(denial),
    }
}

/// Decides for a user holding several roles: the most permissive applies. A user with no role is refused.
///
/// ```
/// use versioning_core::roles::{decide_any, Activity, Role};
/// let scm = Activity::ConfigureScm;
/// assert!(!decide_any(&[Role::QualityLead], &scm).is_allowed());
/// assert!(decide_any(&[Role::QualityLead, Role::QualityManager], &scm).is_allowed());
/// ```
pub fn decide_any(roles: &[Role], activity: &Activity) -> Decision {
    let mut refusal = Decision::Denied(Denial::NoRole);
    for &role in roles {
        match decide(role, activity) {
            Decision::Allowed => return Decision::Allowed,
            denied => refusal = denied,
        }
    }
    refusal
}
