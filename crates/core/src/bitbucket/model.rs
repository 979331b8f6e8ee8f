//! The plain types Bitbucket answers are read into, the same for Cloud and Data Center.

use serde::{Deserialize, Serialize};

use crate::branch_pattern::BranchMatcher;

/// Who the credentials act as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// The name people see ("Ada Lovelace"), or the account when no name is known.
    pub display_name: String,
    /// The account: Cloud nickname (or account id), Data Center user name.
    pub account: String,
}

/// A repository's facts the app uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepositoryInfo {
    /// `owner/slug` (Cloud `full_name`; Data Center `KEY/slug`).
    pub full_name: String,
    /// The display name (may differ from the slug in case and spaces).
    pub name: String,
    /// The main (default) branch; Data Center reports it separately, and empty repositories have none.
    pub main_branch: Option<String>,
    /// Clone URLs by protocol name (`https`/`http`, `ssh`).
    pub clone_urls: Vec<(String, String)>,
}

/// The caller's permission on a repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Read only.
    Read,
    /// Read and push.
    Write,
    /// Write and administer (including branch restrictions).
    Admin,
}

impl Permission {
    /// The word users see: "read", "write", "admin".
    pub fn label(self) -> &'static str {
        match self {
            Permission::Read => "read",
            Permission::Write => "write",
            Permission::Admin => "admin",
        }
    }
}

/// A branch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Branch {
    /// The name without `refs/heads/`.
    pub name: String,
    /// The commit at its tip, when reported.
    pub target: Option<String>,
    /// Whether it is the default branch (reported by Data Center only).
    pub is_default: Option<bool>,
}

/// What a branch restriction (Cloud) or branch permission (Data Center) restricts, by Bitbucket's names.
/// Stored as Bitbucket's name, so records written before the kinds were typed read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum RestrictionKind {
    /// Cloud `push`: only the listed users and groups may push.
    Push,
    /// Cloud `force`: no force pushes.
    Force,
    /// Cloud `delete`: the branch cannot be deleted.
    Delete,
    /// Cloud `restrict_merges`: only the listed users and groups may merge.
    RestrictMerges,
    /// Data Center `read-only`: no changes except by the exempt.
    ReadOnly,
    /// Data Center `no-deletes`.
    NoDeletes,
    /// Data Center `fast-forward-only`: no rewriting history.
    FastForwardOnly,
    /// Data Center `pull-request-only`: changes only through pull requests.
    PullRequestOnly,
    /// Data Center `no-creates`: matching branches cannot be created.
    NoCreates,
    /// Any other kind (merge checks such as Cloud `require_approvals_to_merge`), by its name.
    Other(String),
}

impl RestrictionKind {
    /// Bitbucket's name of the kind.
    pub fn name(&self) -> &str {
        match self {
            RestrictionKind::Push => "push",
            RestrictionKind::Force => "force",
            RestrictionKind::Delete => "delete",
            RestrictionKind::RestrictMerges => "restrict_merges",
            RestrictionKind::ReadOnly => "read-only",
            RestrictionKind::NoDeletes => "no-deletes",
            RestrictionKind::FastForwardOnly => "fast-forward-only",
            RestrictionKind::PullRequestOnly => "pull-request-only",
            RestrictionKind::NoCreates => "no-creates",
            RestrictionKind::Other(name) => name,
        }
    }

    /// Whether it can refuse a direct commit to the branch (what a push does).
    pub fn blocks_commits(&self) -> bool {
        matches!(
            self,
            RestrictionKind::Push | RestrictionKind::ReadOnly | RestrictionKind::PullRequestOnly
        )
    }
}

impl From<String> for RestrictionKind {
    fn from(name: String) -> Self {
        match name.as_str() {
            "push" => RestrictionKind::Push,
            "force" => RestrictionKind::Force,
            "delete" => RestrictionKind::Delete,
            "restrict_merges" => RestrictionKind::RestrictMerges,
            "read-only" => RestrictionKind::ReadOnly,
            "no-deletes" => RestrictionKind::NoDeletes,
            "fast-forward-only" => RestrictionKind::FastForwardOnly,
            "pull-request-only" => RestrictionKind::PullRequestOnly,
            "no-creates" => RestrictionKind::NoCreates,
            _ => RestrictionKind::Other(name),
        }
    }
}

impl From<RestrictionKind> for String {
    fn from(kind: RestrictionKind) -> Self {
        kind.name().to_owned()
    }
}

impl std::fmt::Display for RestrictionKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One branch restriction or branch permission, summarised for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BranchRestrictionSummary {
    /// What is restricted.
    pub kind: RestrictionKind,
    /// Which branches: a pattern, a branch name or a branching-model category.
    pub branches: String,
    /// How Bitbucket selects the branches; none in records written before it was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matcher: Option<BranchMatcher>,
    /// Users, groups and keys the restriction exempts (Cloud, DC) or allows.
    pub exempt: Vec<String>,
}

impl BranchRestrictionSummary {
    /// Whether it applies to `branch`, as Bitbucket matches its branches. A record written before the matcher
    /// was kept reads `branches` as a Cloud glob pattern.
    pub fn selects(&self, branch: &str) -> bool {
        match &self.matcher {
            Some(matcher) => matcher.selects(branch),
            None => BranchMatcher::Glob(self.branches.clone()).selects(branch),
        }
    }
}

/// What a repository path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// A file.
    File,
    /// A directory.
    Directory,
    /// Anything else (a submodule).
    Other,
}

/// An entry of a directory listing or a file's metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeEntry {
    /// The path from the repository root.
    pub path: String,
    /// File or directory.
    pub kind: EntryKind,
    /// The size in bytes (files only, when reported).
    pub size: Option<u64>,
    /// The commit the entry was read at, when reported.
    pub commit: Option<String>,
}

/// A commit, summarised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitSummary {
    /// The full hash.
    pub id: String,
    /// The message.
    pub message: String,
    /// The author as Bitbucket shows it (`Name <email>` or a display name).
    pub author: Option<String>,
    /// When it was authored, RFC 3339 (UTC for Data Center).
    pub date: Option<String>,
    /// The hashes of its parents, when reported.
    #[serde(default)]
    pub parents: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::RestrictionKind;

    #[test]
    fn restriction_kinds_read_and_write_bitbucket_names() {
        for name in [
            "push",
            "force",
            "delete",
            "restrict_merges",
            "read-only",
            "no-deletes",
            "fast-forward-only",
            "pull-request-only",
            "no-creates",
            "require_approvals_to_merge",
        ] {
            let kind = RestrictionKind::from(name.to_owned());
            assert_eq!(kind.name(), name);
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{name}\""), "stored as Bitbucket's name");
            assert_eq!(
                serde_json::from_str::<RestrictionKind>(&json).unwrap(),
                kind
            );
        }
        assert_eq!(
            RestrictionKind::from("require_approvals_to_merge".to_owned()),
            RestrictionKind::Other("require_approvals_to_merge".into())
        );
        assert!(
            RestrictionKind::Push.blocks_commits() && RestrictionKind::ReadOnly.blocks_commits()
        );
        assert!(!RestrictionKind::Force.blocks_commits());
    }
}
