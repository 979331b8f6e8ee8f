//! Data Center's part of the configuration: projects, server properties, and how the rules its
//! documentation leaves open are read.

use serde::{Deserialize, Serialize};

use super::repository::Repository;

/// Data Center projects, how the sandbox reads the Data Center rules its documentation leaves open, and
/// the server's properties.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct DataCenterConfig {
    /// The projects.
    #[serde(default)]
    pub projects: Vec<Project>,
    /// The readings of open rules (`[datacenter.readings]`); each defaults to the strictest one.
    #[serde(default)]
    pub readings: DataCenterReadings,
    /// The server's `bitbucket.properties` that change what the REST API does
    /// (`[datacenter.properties]`).
    #[serde(default)]
    pub properties: DataCenterProperties,
}

/// How the sandbox reads Data Center rules that are documented loosely or not at all. Each default is
/// the reading most dangerous to a client, so that a client working here also works with the real
/// service.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, Default, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct DataCenterReadings {
    /// What a file edit naming an existing `branch` and a different `sourceBranch` does.
    #[serde(default)]
    pub source_branch_on_existing: SourceBranchOnExisting,
}

/// What a Data Center file edit (`PUT …/browse/{path}`) does when its `branch` exists and it names a
/// different `sourceBranch`: the description only says that `branch` "will be created".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum SourceBranchOnExisting {
    /// Commits onto the existing branch, `sourceBranch` ignored.
    #[default]
    Commit,
    /// 400 `ArgumentValidationException`: `sourceBranch` only starts a new branch.
    Refuse,
}

/// Whether a Data Center's file editor (`feature.file.editor` in `bitbucket.properties`) is on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum FileEditor {
    /// File edits are taken (`feature.file.editor=true`, Data Center's default).
    #[default]
    Enabled,
    /// File edits are refused (`feature.file.editor=false`).
    Disabled,
}

/// Whether a Data Center lets fetches filter objects (`git clone --filter`): on by default since
/// Data Center 7.13 with git 2.18 or later on the server; `plugin.bitbucket-git.hosting.allow-filter=false`
/// in `bitbucket.properties` turns it off, and a fetch that asks for a filter then gets no pack.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum GitFilter {
    /// Fetches may filter (`plugin.bitbucket-git.hosting.allow-filter=true`, the default).
    #[default]
    Enabled,
    /// They may not.
    Disabled,
}

/// The `bitbucket.properties` of the sandbox's Data Center that change what its REST API does.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct DataCenterProperties {
    /// `feature.file.editor`: whether `PUT …/browse/{path}` edits files.
    pub file_editor: FileEditor,
    /// `content.upload.max.size`: the largest file content a file edit takes, in bytes.
    pub upload_max_bytes: u64,
    /// `plugin.bitbucket-git.hosting.allow-filter`: whether fetches over git may filter objects.
    pub allow_filter: GitFilter,
}

/// The `content.upload.max.size` the sandbox applies unless told otherwise: the value seen in a public
/// Data Center's configuration (5 MiB).
pub const DEFAULT_UPLOAD_MAX_BYTES: u64 = 5 << 20;

impl Default for DataCenterProperties {
    fn default() -> Self {
        DataCenterProperties {
            file_editor: FileEditor::Enabled,
            upload_max_bytes: DEFAULT_UPLOAD_MAX_BYTES,
            allow_filter: GitFilter::Enabled,
        }
    }
}

/// A Data Center project and its repositories.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Project {
    /// Project key (`QA`).
    pub key: String,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// Repositories of the project.
    #[serde(default)]
    pub repositories: Vec<Repository>,
}
