//! The sandbox configuration: users, Cloud workspaces, Data Center projects, repositories,
//! permissions, branch restrictions, seed content and tokens, read from TOML.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The built-in demo configuration, used when no `--config` is given.
pub const DEMO_TOML: &str = include_str!("../demo.toml");

/// The whole sandbox configuration.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Every known person.
    #[serde(default)]
    pub users: Vec<User>,
    /// Bitbucket Cloud side.
    #[serde(default)]
    pub cloud: CloudConfig,
    /// Bitbucket Data Center side.
    #[serde(default)]
    pub datacenter: DataCenterConfig,
    /// Credentials accepted by the sandbox.
    #[serde(default)]
    pub tokens: Vec<Token>,
}

/// A person, known to both products under the same username.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    /// Username (Cloud nickname, Data Center user slug).
    pub username: String,
    /// Display name.
    pub name: String,
    /// Atlassian account email (Cloud API tokens authenticate with it).
    pub email: String,
    /// Product role in Bitbucket Versioning (shown in the start-up table).
    #[serde(default)]
    pub role: String,
    /// Group memberships, used by branch restrictions.
    #[serde(default)]
    pub groups: Vec<String>,
    /// Optional Data Center password (Basic username:password).
    #[serde(default)]
    pub password: Option<String>,
}

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

/// The kind of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TokenKind {
    /// Cloud user API token (Basic `email:token`, granular scopes).
    CloudApi,
    /// Cloud repository access token (Bearer, classic scopes).
    CloudRepository,
    /// Cloud workspace access token (Bearer, classic scopes).
    CloudWorkspace,
    /// Data Center user HTTP access token (Bearer or Basic `username:token`).
    DcUser,
    /// Data Center project HTTP access token (Bearer only).
    DcProject,
    /// Data Center repository HTTP access token (Bearer only).
    DcRepository,
}

impl TokenKind {
    /// The kebab-case name used in configuration, logs and tables.
    pub fn name(self) -> &'static str {
        match self {
            TokenKind::CloudApi => "cloud-api",
            TokenKind::CloudRepository => "cloud-repository",
            TokenKind::CloudWorkspace => "cloud-workspace",
            TokenKind::DcUser => "dc-user",
            TokenKind::DcProject => "dc-project",
            TokenKind::DcRepository => "dc-repository",
        }
    }
}

/// A credential.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Token {
    /// The secret string sent by clients.
    pub secret: String,
    /// The kind.
    pub kind: TokenKind,
    /// Owner (user tokens).
    #[serde(default)]
    pub user: Option<String>,
    /// Token name (resource tokens act as a pseudo-user of that name).
    #[serde(default)]
    pub name: Option<String>,
    /// Resource: `workspace/slug`, `workspace`, `KEY/slug` or `KEY`.
    #[serde(default)]
    pub repository: Option<String>,
    /// Scopes (Cloud).
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Data Center resource token permission (`REPO_READ`, `REPO_WRITE`, `REPO_ADMIN`).
    #[serde(default)]
    pub permission: Option<String>,
    /// Last valid day, `YYYY-MM-DD` (UTC); the token is refused after it.
    #[serde(default)]
    pub expires: Option<String>,
}

impl Token {
    /// Whether the token has expired at `now` (seconds since the epoch).
    pub fn is_expired(&self, now: i64) -> bool {
        match self.expires.as_deref().and_then(crate::time::parse_date) {
            Some(day) => now >= (day + 1) * 86_400,
            None => false,
        }
    }
}

impl Config {
    /// The demo configuration.
    pub fn demo() -> Config {
        Config::parse(DEMO_TOML).expect("the demo configuration is valid")
    }

    /// Parses and validates a TOML configuration.
    pub fn parse(text: &str) -> Result<Config, String> {
        let config: Config = toml::from_str(text).map_err(|e| e.to_string())?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), String> {
        for token in &self.tokens {
            if let Some(user) = &token.user {
                if self.user(user).is_none() {
                    return Err(format!("token of unknown user {user:?}"));
                }
            }
            if let Some(expires) = &token.expires {
                if crate::time::parse_date(expires).is_none() {
                    return Err(format!("bad expiry date {expires:?} (want YYYY-MM-DD)"));
                }
            }
            let resource = matches!(
                token.kind,
                TokenKind::CloudRepository
                    | TokenKind::CloudWorkspace
                    | TokenKind::DcProject
                    | TokenKind::DcRepository
            );
            if resource && token.repository.is_none() {
                return Err(format!("a {} token needs `repository`", token.kind.name()));
            }
            if !resource && token.user.is_none() {
                return Err(format!("a {} token needs `user`", token.kind.name()));
            }
        }
        for ws in &self.cloud.workspaces {
            check_name("workspace", &ws.slug)?;
        }
        for project in &self.datacenter.projects {
            check_name("project key", &project.key)?;
        }
        let repos = self
            .cloud
            .workspaces
            .iter()
            .flat_map(|w| &w.repositories)
            .chain(
                self.datacenter
                    .projects
                    .iter()
                    .flat_map(|p| &p.repositories),
            );
        for repo in repos {
            check_name("repository slug", &repo.slug)?;
            for branch in std::iter::once(&repo.main_branch).chain(&repo.branches) {
                if !crate::store::paths::valid_ref_name(branch) {
                    return Err(format!("invalid branch name {branch:?}"));
                }
            }
            for path in repo.seed.keys() {
                if crate::store::paths::clean_path(path).is_none() {
                    return Err(format!("invalid seed path {path:?}"));
                }
            }
            for user in repo.permissions.keys() {
                if self.user(user).is_none() {
                    return Err(format!("permission for unknown user {user:?}"));
                }
            }
        }
        Ok(())
    }

    /// A user by username.
    pub fn user(&self, username: &str) -> Option<&User> {
        self.users.iter().find(|u| u.username == username)
    }

    /// A Cloud repository by workspace and slug.
    pub fn cloud_repo(&self, workspace: &str, slug: &str) -> Option<(&Workspace, &Repository)> {
        let ws = self.cloud.workspaces.iter().find(|w| w.slug == workspace)?;
        let repo = ws.repositories.iter().find(|r| r.slug == slug)?;
        Some((ws, repo))
    }

    /// A Data Center repository by project key (case-insensitive) and slug.
    pub fn dc_repo(&self, key: &str, slug: &str) -> Option<(&Project, &Repository)> {
        let project = self
            .datacenter
            .projects
            .iter()
            .find(|p| p.key.eq_ignore_ascii_case(key))?;
        let repo = project.repositories.iter().find(|r| r.slug == slug)?;
        Some((project, repo))
    }

    /// Every token secret (used to scrub logs).
    pub fn secrets(&self) -> impl Iterator<Item = &str> {
        self.tokens
            .iter()
            .map(|t| t.secret.as_str())
            .chain(self.users.iter().filter_map(|u| u.password.as_deref()))
    }
}

/// Workspace slugs, project keys and repository slugs name directories in the data directory:
/// only ASCII letters, digits, `-`, `_` and `.`, not starting with `.`, at most 100 characters.
fn check_name(what: &str, name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 100
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "invalid {what} {name:?}: use letters, digits, '-', '_' and '.', not starting with '.'"
        ))
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn names_that_could_leave_the_data_directory_are_refused() {
        let demo = DEMO_TOML;
        for (from, to) in [
            ("slug = \"acme\"", "slug = \"..\""),
            ("slug = \"checkout-tests\"", "slug = \"../../etc\""),
            ("key = \"QA\"", "key = \"Q/A\""),
            ("slug = \"regression-suite\"", "slug = \".hidden\""),
            ("main_branch = \"main\"", "main_branch = \"bad..branch\""),
            ("\"README.md\" =", "\".git/config\" ="),
        ] {
            assert!(demo.contains(from), "{from}");
            let text = demo.replacen(from, to, 1);
            assert!(Config::parse(&text).is_err(), "{to} must be refused");
        }
        assert!(Config::parse(demo).is_ok());
    }
    use super::*;

    #[test]
    fn demo_config_parses_with_the_expected_people() {
        let config = Config::demo();
        let names: Vec<_> = config.users.iter().map(|u| u.username.as_str()).collect();
        assert_eq!(names, ["ada", "quinn", "lee", "eve", "rory"]);
        assert!(config.cloud_repo("acme", "checkout-tests").is_some());
        assert!(config.dc_repo("qa", "regression-suite").is_some());
    }

    #[test]
    fn restriction_kinds_and_matchers_are_typed() {
        let config = Config::demo();
        let restrictions: Vec<&Restriction> = config
            .cloud
            .workspaces
            .iter()
            .flat_map(|w| &w.repositories)
            .chain(
                config
                    .datacenter
                    .projects
                    .iter()
                    .flat_map(|p| &p.repositories),
            )
            .flat_map(|r| &r.restrictions)
            .collect();
        assert!(restrictions
            .iter()
            .any(|r| r.kind == Some(CloudRestrictionKind::Push)));
        assert!(restrictions
            .iter()
            .any(|r| r.dc_type == Some(DcRestrictionType::ReadOnly)
                && r.matcher.as_ref().map(|m| m.kind) == Some(MatcherKind::Branch)));
        for (from, to) in [
            ("kind = \"push\"", "kind = \"pushh\""),
            ("type = \"read-only\"", "type = \"readonly\""),
            ("type = \"BRANCH\"", "type = \"BRANCHES\""),
        ] {
            assert!(DEMO_TOML.contains(from), "{from}");
            let text = DEMO_TOML.replacen(from, to, 1);
            assert!(Config::parse(&text).is_err(), "{to} must be refused");
        }
    }

    #[test]
    fn cloud_readings_default_to_the_strictest_and_are_read_from_toml() {
        let strictest = CloudReadings {
            pagelen_above_max: PagelenAboveMax::Refuse,
            diffstat_path: PathMatch::File,
            diffstat_repeated_path: RepeatedPath::Last,
        };
        assert_eq!(CloudReadings::default(), strictest);
        assert_eq!(Config::demo().cloud.readings, strictest);
        let text = "[cloud.readings]\npagelen_above_max = \"cap\"\n\
                    diffstat_path = \"file-or-folder\"\ndiffstat_repeated_path = \"all\"\n";
        let kindest = CloudReadings {
            pagelen_above_max: PagelenAboveMax::Cap,
            diffstat_path: PathMatch::FileOrFolder,
            diffstat_repeated_path: RepeatedPath::All,
        };
        assert_eq!(Config::parse(text).unwrap().cloud.readings, kindest);
        assert!(Config::parse("[cloud.readings]\npagelen_above_max = \"ignore\"\n").is_err());
    }

    #[test]
    fn data_center_readings_and_properties_default_to_the_strictest_and_are_read_from_toml() {
        let config = Config::demo();
        assert_eq!(
            config.datacenter.readings.source_branch_on_existing,
            SourceBranchOnExisting::Commit
        );
        assert_eq!(
            config.datacenter.properties.file_editor,
            FileEditor::Enabled
        );
        assert_eq!(
            config.datacenter.properties.upload_max_bytes,
            DEFAULT_UPLOAD_MAX_BYTES
        );
        let text = "[datacenter.readings]\nsource_branch_on_existing = \"refuse\"\n\
                    [datacenter.properties]\nfile_editor = \"disabled\"\nupload_max_bytes = 1024\n\
                    allow_filter = \"disabled\"\n";
        let datacenter = Config::parse(text).unwrap().datacenter;
        assert_eq!(
            datacenter.readings.source_branch_on_existing,
            SourceBranchOnExisting::Refuse
        );
        assert_eq!(
            datacenter.properties,
            DataCenterProperties {
                file_editor: FileEditor::Disabled,
                upload_max_bytes: 1024,
                allow_filter: GitFilter::Disabled,
            }
        );
    }

    #[test]
    fn the_time_limit_weighs_files_and_bytes_against_the_budget() {
        let limit = TimeLimit {
            budget_ms: 100,
            per_file_ms: 10,
            per_mib_ms: 50,
        };
        assert!(limit.allows(10, 0));
        assert!(!limit.allows(11, 0));
        assert!(limit.allows(5, 1 << 20));
        assert!(!limit.allows(6, 1 << 20));
        assert!(!limit.allows(usize::MAX, usize::MAX));
        let parsed = Config::parse("[cloud.time_limit]\nbudget_ms = 0\n").unwrap();
        assert_eq!(
            parsed.cloud.time_limit,
            TimeLimit {
                budget_ms: 0,
                ..TimeLimit::default()
            }
        );
    }

    #[test]
    fn unknown_users_are_rejected() {
        let err =
            Config::parse("[[tokens]]\nsecret='x'\nkind='dc-user'\nuser='nobody'\n").unwrap_err();
        assert!(err.contains("nobody"));
    }
}
