//! A repository of the configuration: its access levels, seed content and branch restrictions.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Access level of a user on a repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    /// Read only.
    Read,
    /// Read and write.
    Write,
    /// Everything, including branch restrictions.
    Admin,
}

impl Access {
    /// The Cloud name (`read`, `write`, `admin`).
    pub fn cloud_name(self) -> &'static str {
        match self {
            Access::Read => "read",
            Access::Write => "write",
            Access::Admin => "admin",
        }
    }

    /// Parses a Data Center permission name (`REPO_READ` …).
    pub fn from_dc(name: &str) -> Option<Access> {
        match name {
            "REPO_READ" | "PROJECT_READ" => Some(Access::Read),
            "REPO_WRITE" | "PROJECT_WRITE" => Some(Access::Write),
            "REPO_ADMIN" | "PROJECT_ADMIN" => Some(Access::Admin),
            _ => None,
        }
    }
}

/// A repository (Cloud or Data Center).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Repository {
    /// Repository slug.
    pub slug: String,
    /// Display name (defaults to the slug).
    #[serde(default)]
    pub name: Option<String>,
    /// Main (default) branch.
    #[serde(default = "default_main")]
    pub main_branch: String,
    /// Access per username.
    #[serde(default)]
    pub permissions: BTreeMap<String, Access>,
    /// Seed files of the main branch: path → text content.
    #[serde(default)]
    pub seed: BTreeMap<String, String>,
    /// Extra branches created from the seed commit.
    #[serde(default)]
    pub branches: Vec<String>,
    /// Branch restrictions (Cloud `kind`/`pattern` or Data Center `type`/`matcher`).
    #[serde(default)]
    pub restrictions: Vec<Restriction>,
}

impl Repository {
    /// The display name.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.slug)
    }
}

fn default_main() -> String {
    "main".to_string()
}

/// A branch restriction. Cloud uses `kind` + `pattern`; Data Center uses `type` + `matcher`.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Restriction {
    /// Cloud kind (`push`, `delete`, `force` …).
    #[serde(default)]
    pub kind: Option<CloudRestrictionKind>,
    /// Cloud glob pattern on branch names.
    #[serde(default)]
    pub pattern: Option<String>,
    /// Data Center type (`read-only`, `no-deletes`, `pull-request-only` …).
    #[serde(default, rename = "type")]
    pub dc_type: Option<DcRestrictionType>,
    /// Data Center matcher.
    #[serde(default)]
    pub matcher: Option<Matcher>,
    /// Usernames exempted (Cloud: allowed to push).
    #[serde(default)]
    pub users: Vec<String>,
    /// Groups exempted.
    #[serde(default)]
    pub groups: Vec<String>,
}

/// What a Cloud branch restriction restricts (Bitbucket's `kind` names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CloudRestrictionKind {
    /// Only the exempt may push.
    Push,
    /// The branch cannot be deleted.
    Delete,
    /// No force pushes.
    Force,
    /// Only the exempt may merge.
    RestrictMerges,
}

/// What a Data Center branch permission restricts (Bitbucket's `type` names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DcRestrictionType {
    /// No changes except by the exempt.
    ReadOnly,
    /// No deletion.
    NoDeletes,
    /// No history rewriting.
    FastForwardOnly,
    /// Changes only through pull requests.
    PullRequestOnly,
    /// Matching branches cannot be created.
    NoCreates,
}

impl DcRestrictionType {
    /// Bitbucket's name of the type.
    pub fn name(self) -> &'static str {
        match self {
            DcRestrictionType::ReadOnly => "read-only",
            DcRestrictionType::NoDeletes => "no-deletes",
            DcRestrictionType::FastForwardOnly => "fast-forward-only",
            DcRestrictionType::PullRequestOnly => "pull-request-only",
            DcRestrictionType::NoCreates => "no-creates",
        }
    }
}

/// How a Data Center branch permission selects branches (Bitbucket's matcher `type` ids).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MatcherKind {
    /// One branch, by ref (`refs/heads/x`).
    Branch,
    /// An Ant-style pattern on refs, as Data Center's (`versioning_core::branch_pattern::ant`).
    Pattern,
    /// A branching-model category (listed, not enforced by the sandbox).
    ModelCategory,
    /// A branching-model branch (listed, not enforced by the sandbox).
    ModelBranch,
}

/// A Data Center ref matcher.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Matcher {
    /// `BRANCH` (id = `refs/heads/x`) or `PATTERN` (id = an Ant-style pattern).
    #[serde(rename = "type")]
    pub kind: MatcherKind,
    /// The branch ref or the pattern.
    pub id: String,
}
