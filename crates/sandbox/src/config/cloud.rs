//! Cloud's part of the configuration: workspaces, limits, and how the Cloud rules its documentation
//! leaves open are read.

use serde::{Deserialize, Serialize};

use super::repository::Repository;

/// Cloud workspaces, and how the sandbox reads the Cloud rules its documentation leaves open.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct CloudConfig {
    /// The workspaces.
    #[serde(default)]
    pub workspaces: Vec<Workspace>,
    /// The readings of open rules (`[cloud.readings]`); each defaults to the strictest one.
    #[serde(default)]
    pub readings: CloudReadings,
    /// Cloud's time limit on `diff`, `diffstat` and `src` listings (`[cloud.time_limit]`).
    #[serde(default)]
    pub time_limit: TimeLimit,
    /// Cloud's request limits (`[cloud.limits]`).
    #[serde(default)]
    pub limits: CloudLimits,
}

/// Cloud's hourly request limit: about 1,000 requests to `/2.0/repositories/*` per user in any rolling
/// hour (more only for access tokens of large paid workspaces); over it, a plain-text 429 "Rate limit
/// for this resource has been exceeded" without `Retry-After`. Counted per credential here (Cloud
/// counts per user: two tokens of one user share it). Whether the 429 carries CORS headers is unknown:
/// it follows `fault_cors`.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct CloudLimits {
    /// Requests per rolling hour to repository paths; 0 switches the limit off.
    pub requests_per_hour: u32,
}

impl Default for CloudLimits {
    fn default() -> Self {
        CloudLimits {
            requests_per_hour: 1_000,
        }
    }
}

/// Cloud's time limit on producing a `diff`, a `diffstat` or a `src` listing: an answer whose estimated
/// work is over the budget gets 555, as Cloud answers one it gave up producing. Cloud documents neither
/// the limit nor what it costs to produce an answer, so the work is estimated from what the answer
/// covers: a cost per file (or listed entry) and a cost per MiB of patch. The defaults are estimates,
/// not measurements: the product must work under any budget.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct TimeLimit {
    /// The time one answer may take, in milliseconds.
    pub budget_ms: u64,
    /// The estimated time per file of a diff or diffstat, or per entry of a listing, in milliseconds.
    pub per_file_ms: u64,
    /// The estimated time per MiB of patch produced, in milliseconds.
    pub per_mib_ms: u64,
}

impl Default for TimeLimit {
    fn default() -> Self {
        TimeLimit {
            budget_ms: 10_000,
            per_file_ms: 10,
            per_mib_ms: 150,
        }
    }
}

impl TimeLimit {
    /// Whether an answer covering `files` files (or entries) and producing `bytes` bytes is made in time.
    pub fn allows(&self, files: usize, bytes: usize) -> bool {
        let files = self.per_file_ms.saturating_mul(files as u64);
        let bytes = self.per_mib_ms.saturating_mul(bytes as u64) / (1 << 20);
        files.saturating_add(bytes) <= self.budget_ms
    }
}

/// How the sandbox reads Cloud rules that are documented loosely or not at all. Each default is the
/// strictest reading, so that a client working here also works with the real service.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, Default, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CloudReadings {
    /// What a `pagelen` above the documented maximum (100) gets.
    #[serde(default)]
    pub pagelen_above_max: PagelenAboveMax,
    /// What one `path` parameter of `diffstat` and `diff` selects (Cloud documents both in the same
    /// words).
    #[serde(default)]
    pub diffstat_path: PathMatch,
    /// Which of several `path` parameters of `diffstat` and `diff` count.
    #[serde(default)]
    pub diffstat_repeated_path: RepeatedPath,
}

/// What a Cloud `pagelen` above the documented maximum of 100 gets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum PagelenAboveMax {
    /// 400, in Cloud's error shape.
    #[default]
    Refuse,
    /// Pages of 100.
    Cap,
}

/// What one `path` parameter of Cloud's `diffstat` selects.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum PathMatch {
    /// The file of that path only, as the description says ("a particular file").
    #[default]
    File,
    /// That file, or every file under the folder of that path.
    FileOrFolder,
}

/// Which of several `path` parameters of Cloud's `diffstat` count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum RepeatedPath {
    /// Only the last one, as a client library reports of the real service.
    #[default]
    Last,
    /// Every one, as the description says ("can be repeated for multiple paths").
    All,
}

/// A Cloud workspace and its repositories.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Workspace {
    /// Workspace slug (`acme`).
    pub slug: String,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// Repositories of the workspace.
    #[serde(default)]
    pub repositories: Vec<Repository>,
}
