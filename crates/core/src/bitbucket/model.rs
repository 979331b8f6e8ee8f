//! The plain types Bitbucket answers are read into, the same for Cloud and Data Center.

use serde::{Deserialize, Serialize};

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

/// One branch restriction or branch permission, summarised for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BranchRestrictionSummary {
    /// What is restricted: Cloud `push`, `force`, `delete`…; Data Center `read-only`, `no-deletes`….
    pub kind: String,
    /// Which branches: a pattern, a branch name or a branching-model category.
    pub branches: String,
    /// Users, groups and keys the restriction exempts (Cloud, DC) or allows.
    pub exempt: Vec<String>,
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
