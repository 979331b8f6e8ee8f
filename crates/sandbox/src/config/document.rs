//! The whole configuration: its users, how it is read from TOML and checked.

use serde::{Deserialize, Serialize};

use super::cloud::{CloudConfig, Workspace};
use super::datacenter::{DataCenterConfig, Project};
use super::repository::Repository;
use super::token::{Token, TokenKind};

/// The built-in demo configuration, used when no `--config` is given.
pub const DEMO_TOML: &str = include_str!("../../demo.toml");

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
    use super::*;
    use crate::config::{
        CloudReadings, CloudRestrictionKind, DataCenterProperties, DcRestrictionType, FileEditor,
        GitFilter, MatcherKind, PagelenAboveMax, PathMatch, RepeatedPath, Restriction,
        SourceBranchOnExisting, TimeLimit, DEFAULT_UPLOAD_MAX_BYTES,
    };

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
