//! Bitbucket Data Center (REST API `latest`): one function per operation, each returning a [`Call`] that
//! describes the request and reads the answer into the plain types re-exported by [`super`].
//!
//! Paths follow the official API description, relative to `https://host[:port][/context]/rest`. Data
//! Center has no "current user" endpoint: the user a token acts as comes from the `X-AUSERNAME` response
//! header (when the server's CORS settings let the browser read it). It has no "my permission" endpoint
//! either: [`PermissionPlan`] asks the repository search which permission levels include the repository.

use serde::Deserialize;

use super::api::{encode_component, encode_file_path, json, Api, Call};
use super::cloud::{FileChange, FileChangeKind};
use super::error::{ApiError, Operation};
use super::model::{
    Branch, BranchRestrictionSummary, CommitSummary, EntryKind, Permission, RepositoryInfo,
};
use super::page::{read_data_center_page, Page};
use super::request::{ApiResponse, Method, MultipartPart};
use super::shared::{file_name, raw_bytes, subject_path};
use super::timestamp::rfc3339_from_millis;
use crate::artifacts::archive::MAX_ARCHIVE_BYTES;
use crate::artifacts::MAX_FILE_BYTES;
use crate::branch_pattern::BranchMatcher;

/// Entries per page asked for.
pub const PAGE_LIMIT: &str = "100";

/// Entries per page for file lists, which are recursive and long.
pub const FILES_PAGE_LIMIT: &str = "1000";

/// The response header naming the user a request was authenticated as.
pub const ACTING_USER_HEADER: &str = "X-AUSERNAME";

#[derive(Deserialize)]
struct RawLink {
    name: String,
    href: String,
}

#[derive(Deserialize)]
struct RawLinks {
    clone: Option<Vec<RawLink>>,
}

#[derive(Deserialize)]
struct RawProject {
    key: String,
}

#[derive(Deserialize)]
struct RawRepository {
    slug: String,
    name: String,
    project: RawProject,
    links: Option<RawLinks>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRef {
    display_id: String,
    latest_commit: Option<String>,
    is_default: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawUser {
    name: Option<String>,
    display_name: Option<String>,
    email_address: Option<String>,
}

#[derive(Deserialize)]
struct RawKeyLabel {
    label: Option<String>,
}

#[derive(Deserialize)]
struct RawAccessKey {
    key: RawKeyLabel,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawMatcher {
    id: Option<String>,
    display_id: String,
    #[serde(rename = "type")]
    kind: Option<RawMatcherType>,
}

#[derive(Deserialize)]
struct RawMatcherType {
    id: String,
}

impl RawMatcher {
    /// How it selects branches, by its type (`BRANCH`, `PATTERN`, `MODEL_CATEGORY`, `MODEL_BRANCH`); none
    /// when the answer gives no type.
    fn matcher(&self) -> Option<BranchMatcher> {
        let id = self.id.clone().unwrap_or_else(|| self.display_id.clone());
        Some(match self.kind.as_ref()?.id.as_str() {
            "BRANCH" => BranchMatcher::Branch(id),
            "PATTERN" => BranchMatcher::Pattern(id),
            // `ANY_REF` selects every branch, as the pattern `**` does.
            "ANY_REF" => BranchMatcher::Pattern("**".into()),
            _ => BranchMatcher::Model(id),
        })
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRestriction {
    #[serde(rename = "type")]
    kind: String,
    matcher: RawMatcher,
    users: Option<Vec<RawUser>>,
    groups: Option<Vec<String>>,
    access_keys: Option<Vec<RawAccessKey>>,
}

#[derive(Deserialize)]
struct RawId {
    id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCommit {
    id: String,
    message: Option<String>,
    author: Option<RawUser>,
    author_timestamp: Option<i64>,
    parents: Option<Vec<RawId>>,
}

#[derive(Deserialize)]
struct RawType {
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Deserialize)]
struct RawProperties {
    version: Option<String>,
}

impl From<RawRef> for Branch {
    fn from(raw: RawRef) -> Self {
        Branch {
            name: raw.display_id,
            target: raw.latest_commit,
            is_default: raw.is_default,
        }
    }
}

impl From<RawRestriction> for BranchRestrictionSummary {
    fn from(raw: RawRestriction) -> Self {
        let users = raw
            .users
            .unwrap_or_default()
            .into_iter()
            .filter_map(|u| u.display_name.or(u.name));
        let groups = raw.groups.unwrap_or_default().into_iter();
        let keys = raw
            .access_keys
            .unwrap_or_default()
            .into_iter()
            .filter_map(|k| k.key.label);
        BranchRestrictionSummary {
            kind: raw.kind.into(),
            matcher: raw.matcher.matcher(),
            branches: raw.matcher.display_id,
            exempt: users.chain(groups).chain(keys).collect(),
        }
    }
}

impl From<RawCommit> for CommitSummary {
    fn from(raw: RawCommit) -> Self {
        let author = raw
            .author
            .and_then(|a| match (a.display_name.or(a.name), a.email_address) {
                (Some(name), Some(email)) => Some(format!("{name} <{email}>")),
                (name, email) => name.or(email),
            });
        CommitSummary {
            id: raw.id,
            message: raw.message.unwrap_or_default(),
            author,
            date: raw.author_timestamp.map(rfc3339_from_millis),
            parents: raw
                .parents
                .unwrap_or_default()
                .into_iter()
                .map(|p| p.id)
                .collect(),
        }
    }
}

/// What `application-properties` tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerInfo {
    /// The Bitbucket version, e.g. `9.4.2`.
    pub version: Option<String>,
    /// The user the credentials act as (`X-AUSERNAME`), when the browser may read that header.
    pub acting_user: Option<String>,
}

/// The user a response says the request was authenticated as (`X-AUSERNAME`).
pub fn acting_user(response: &ApiResponse) -> Option<String> {
    response
        .header(ACTING_USER_HEADER)
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(str::to_owned)
}

/// `GET /api/latest/application-properties`: the version, and who the credentials act as.
pub fn server_info(api: &Api) -> Call<ServerInfo> {
    let request = api.request(Method::Get, "/api/latest/application-properties", &[], true);
    let subject = format!("The Bitbucket REST API at {}", api.base_url());
    api.call(request, Operation::Identity, subject, |response| {
        let properties: RawProperties = json(response)?;
        Some(ServerInfo {
            version: properties.version,
            acting_user: acting_user(response),
        })
    })
}

#[derive(Deserialize)]
struct RawUserKind {
    #[serde(rename = "type")]
    kind: Option<String>,
}

/// `GET /api/latest/users/{slug}`: whether `slug` is a real person (`type` `NORMAL`) rather than the
/// service user a project or repository access token acts as (`SERVICE`). Such tokens cannot commit, as a
/// commit needs a real user; a 404 (no such user) means the same and is left to the caller.
pub fn is_real_user(api: &Api, slug: &str) -> Call<bool> {
    let path = format!("/api/latest/users/{}", encode_component(slug));
    let request = api.request(Method::Get, &path, &[], true);
    let subject = format!("The user `{slug}`");
    api.call(request, Operation::Identity, subject, |response| {
        let user: RawUserKind = json(response)?;
        Some(
            !user
                .kind
                .is_some_and(|kind| kind.eq_ignore_ascii_case("SERVICE")),
        )
    })
}

/// `GET /api/latest/projects/{key}/repos/{slug}`: names and clone links (the default branch is a
/// separate request, [`default_branch`]).
pub fn repository(api: &Api) -> Call<RepositoryInfo> {
    let request = api.request(Method::Get, &api.repository_path(), &[], true);
    let subject = format!("The repository {}", api.repository_name());
    api.call(request, Operation::Read, subject, |response| {
        let raw: RawRepository = json(response)?;
        let clone_urls = raw.links.and_then(|l| l.clone).unwrap_or_default();
        Some(RepositoryInfo {
            full_name: format!("{}/{}", raw.project.key, raw.slug),
            name: raw.name,
            main_branch: None,
            clone_urls: clone_urls.into_iter().map(|l| (l.name, l.href)).collect(),
        })
    })
}

/// `GET …/default-branch`: the default branch's name (404 when it is not configured or, in an empty
/// repository, does not exist yet).
pub fn default_branch(api: &Api) -> Call<String> {
    let path = format!("{}/default-branch", api.repository_path());
    let request = api.request(Method::Get, &path, &[], true);
    let subject = format!("The default branch of {}", api.repository_name());
    api.call(request, Operation::Read, subject, |response| {
        json::<RawRef>(response).map(|r| r.display_id)
    })
}

/// `GET /api/latest/repos?projectkey=…&name=…&permission=REPO_…`: whether the caller holds `permission`
/// on the repository (the search lists only repositories where they do). `name` is the repository's
/// display name, which the search matches; the answer is checked against the project key and slug.
pub fn has_permission(api: &Api, repository_name: &str, permission: Permission) -> Call<bool> {
    let level = match permission {
        Permission::Read => "REPO_READ",
        Permission::Write => "REPO_WRITE",
        Permission::Admin => "REPO_ADMIN",
    };
    let query = [
        ("projectkey", api.owner()),
        ("name", repository_name),
        ("permission", level),
        ("limit", PAGE_LIMIT),
    ];
    let request = api.request(Method::Get, "/api/latest/repos", &query, true);
    let (key, slug) = (api.owner().to_owned(), api.slug().to_owned());
    let subject = format!("The permission on {}", api.repository_name());
    api.call(request, Operation::Permission, subject, move |response| {
        let page: Page<RawRepository> = read_data_center_page(response)?;
        Some(page.values.iter().any(|repo| {
            repo.slug.eq_ignore_ascii_case(&slug) && repo.project.key.eq_ignore_ascii_case(&key)
        }))
    })
}

/// The requests that classify the caller's permission: REPO_WRITE first, then REPO_ADMIN if it holds.
/// Without write it is read: the plan runs after the repository was read, so no REPO_READ request is
/// needed to tell read from none.
#[derive(Debug, Clone)]
pub struct PermissionPlan {
    api: Api,
    repository_name: String,
    pending: Option<Call<bool>>,
    probing: Permission,
    outcome: Option<Permission>,
}

impl PermissionPlan {
    /// The plan for a repository whose display name is `repository_name`.
    pub fn new(api: &Api, repository_name: &str) -> Self {
        PermissionPlan {
            api: api.clone(),
            repository_name: repository_name.to_owned(),
            pending: Some(has_permission(api, repository_name, Permission::Write)),
            probing: Permission::Write,
            outcome: None,
        }
    }

    /// The call to make next, or `None` once the permission is known.
    pub fn next_call(&self) -> Option<&Call<bool>> {
        self.pending.as_ref()
    }

    /// Reads the answer to the last call.
    pub fn handle_response(&mut self, response: &ApiResponse) -> Result<(), ApiError> {
        let Some(call) = self.pending.take() else {
            return Ok(());
        };
        let holds = call.parse(response)?;
        match (self.probing, holds) {
            (Permission::Write, true) => {
                self.probing = Permission::Admin;
                self.pending = Some(has_permission(
                    &self.api,
                    &self.repository_name,
                    Permission::Admin,
                ));
            }
            (Permission::Admin, true) => self.outcome = Some(Permission::Admin),
            (Permission::Admin, false) => self.outcome = Some(Permission::Write),
            _ => self.outcome = Some(Permission::Read),
        }
        Ok(())
    }

    /// The permission, once known.
    pub fn outcome(&self) -> Option<Permission> {
        self.outcome
    }
}

/// `GET …/branches?orderBy=ALPHABETICAL&limit=100[&filterText=…]`: one page of branches.
pub fn branches(api: &Api, name_contains: Option<&str>) -> Call<Page<Branch>> {
    let path = format!("{}/branches", api.repository_path());
    let mut query = vec![("orderBy", "ALPHABETICAL"), ("limit", PAGE_LIMIT)];
    query.extend(name_contains.map(|text| ("filterText", text)));
    let request = api.request(Method::Get, &path, &query, true);
    let subject = format!("The branches of {}", api.repository_name());
    api.page_call::<RawRef, _>(request, Operation::Read, subject)
}

/// `POST /branch-utils/latest/…/branches` with `{name, startPoint}`: creates a branch (through
/// [`crate::sync::Writer::create_branch`]).
pub(crate) fn create_branch(api: &Api, name: &str, start_point: &str) -> Call<Branch> {
    let path = format!("{}/branches", api.data_center_path("branch-utils"));
    let body = serde_json::json!({ "name": name, "startPoint": start_point });
    let request = api.json_request(Method::Post, &path, body);
    let subject = format!(
        "The start point `{start_point}` or {}",
        api.repository_name()
    );
    api.json_call::<RawRef, _>(request, Operation::CreateBranch, subject)
}

/// `GET /branch-permissions/latest/…/restrictions?limit=100`: one page of branch permissions (readable
/// with REPO_ADMIN only).
pub fn branch_restrictions(api: &Api) -> Call<Page<BranchRestrictionSummary>> {
    let path = format!(
        "{}/restrictions",
        api.data_center_path("branch-permissions")
    );
    let request = api.request(Method::Get, &path, &[("limit", PAGE_LIMIT)], true);
    let subject = format!("The branch permissions of {}", api.repository_name());
    api.page_call::<RawRestriction, _>(request, Operation::BranchRestrictions, subject)
}

/// `GET …/files/{path}?at=…`: one page of the paths of all files below a directory (recursive).
pub fn list_files(api: &Api, path: &str, at: &str) -> Call<Page<String>> {
    let dir = encode_file_path(path);
    let url_path = match dir.as_str() {
        "" => format!("{}/files", api.repository_path()),
        dir => format!("{}/files/{dir}", api.repository_path()),
    };
    let request = api.request(
        Method::Get,
        &url_path,
        &[("at", at), ("limit", FILES_PAGE_LIMIT)],
        true,
    );
    api.page_call::<String, _>(request, Operation::Read, subject_path("folder", path, at))
}

/// `GET …/raw/{path}?at=…`: a file's raw bytes, at most [`MAX_FILE_BYTES`].
pub fn read_file(api: &Api, path: &str, at: &str) -> Call<Vec<u8>> {
    let url_path = format!("{}/raw/{}", api.repository_path(), encode_file_path(path));
    let request = api.request(Method::Get, &url_path, &[("at", at)], false);
    api.call(
        request,
        Operation::Read,
        subject_path("file", path, at),
        raw_bytes,
    )
    .limited(MAX_FILE_BYTES as u64)
}

/// `GET …/archive?at=…&format=zip&path=…`: every file below the folders (or the files) of `paths` at a
/// commit, as one zip whose entries are named by their repository paths, at most [`MAX_ARCHIVE_BYTES`]
/// (as an archive imported from a file).
pub fn archive(api: &Api, paths: &[String], at: &str) -> Call<Vec<u8>> {
    let url_path = format!("{}/archive", api.repository_path());
    let mut query = vec![("at", at), ("format", "zip")];
    query.extend(paths.iter().map(|p| ("path", p.as_str())));
    let request = api.request(Method::Get, &url_path, &query, false);
    let subject = subject_path("folder", &paths.join("`, `"), at);
    api.call(request, Operation::Read, subject, raw_bytes)
        .limited(MAX_ARCHIVE_BYTES)
}

/// `GET …/browse/{path}?at=…&type=true`: whether a path is a file or a directory.
pub fn path_kind(api: &Api, path: &str, at: &str) -> Call<EntryKind> {
    let url_path = format!(
        "{}/browse/{}",
        api.repository_path(),
        encode_file_path(path)
    );
    let request = api.request(
        Method::Get,
        &url_path,
        &[("at", at), ("type", "true")],
        true,
    );
    api.call(
        request,
        Operation::Read,
        subject_path("path", path, at),
        |response| {
            let raw: RawType = json(response)?;
            Some(match raw.kind.as_str() {
                "FILE" => EntryKind::File,
                "DIRECTORY" => EntryKind::Directory,
                _ => EntryKind::Other,
            })
        },
    )
}

/// One file edit on Data Center (each edit is its own commit), on the branch of the
/// [`crate::roles::WritePermit`] that opens it ([`crate::sync::Writer::edit_file`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditFile {
    /// The repository path.
    pub path: String,
    /// The whole new content.
    pub content: Vec<u8>,
    /// The commit message.
    pub message: String,
    /// The commit the edit is based on; `None` creates a new file (409 if it exists). A stale value gives
    /// 409.
    pub source_commit_id: Option<String>,
    /// Where the branch starts when it does not exist yet.
    pub source_branch: Option<String>,
}

/// `PUT …/browse/{path}` (multipart `content`, `message`, `branch`, `sourceCommitId`, `sourceBranch`):
/// commits one file on `branch` (through [`crate::sync::Writer::edit_file`]); answers the new commit.
pub(crate) fn edit_file(api: &Api, branch: &str, edit: &EditFile) -> Call<CommitSummary> {
    let mut parts = vec![
        MultipartPart::file("content", file_name(&edit.path), edit.content.clone()),
        MultipartPart::text("message", &edit.message),
        MultipartPart::text("branch", branch),
    ];
    parts.extend(
        edit.source_commit_id
            .iter()
            .map(|c| MultipartPart::text("sourceCommitId", c)),
    );
    parts.extend(
        edit.source_branch
            .iter()
            .map(|b| MultipartPart::text("sourceBranch", b)),
    );
    let url_path = format!(
        "{}/browse/{}",
        api.repository_path(),
        encode_file_path(&edit.path)
    );
    let request = api.multipart_request(Method::Put, &url_path, parts);
    let subject = subject_path("file", &edit.path, branch);
    api.json_call::<RawCommit, _>(request, Operation::CommitFiles, subject)
}

/// `GET …/commits?until={branch}&path=…&limit=100`: one page of the commits on a branch that touched a
/// path, newest first.
pub fn commits(api: &Api, branch: &str, path: &str) -> Call<Page<CommitSummary>> {
    let url_path = format!("{}/commits", api.repository_path());
    let query = [
        ("until", branch),
        ("path", path.trim_start_matches('/')),
        ("limit", PAGE_LIMIT),
    ];
    let request = api.request(Method::Get, &url_path, &query, true);
    api.page_call::<RawCommit, _>(request, Operation::Read, subject_path("path", path, branch))
}

/// `GET …/commits?until=refs/heads/{branch}&limit=1`: the tip commit of a branch (hash, parents,
/// message); 404 when the branch does not exist.
pub fn branch_tip(api: &Api, branch: &str) -> Call<CommitSummary> {
    let url_path = format!("{}/commits", api.repository_path());
    let until = format!("refs/heads/{}", branch.trim_start_matches("refs/heads/"));
    let request = api.request(
        Method::Get,
        &url_path,
        &[("until", &until), ("limit", "1")],
        true,
    );
    api.call(
        request,
        Operation::Read,
        format!("The branch `{branch}`"),
        |response| {
            let page: Page<RawCommit> = read_data_center_page(response)?;
            page.values.into_iter().next().map(CommitSummary::from)
        },
    )
}

/// `GET …/tags/{name}`: whether a tag exists (404 when it does not).
pub fn tag(api: &Api, name: &str) -> Call<()> {
    let path = format!("{}/tags/{}", api.repository_path(), encode_file_path(name));
    let request = api.request(Method::Get, &path, &[], true);
    api.call(
        request,
        Operation::Read,
        format!("The tag `{name}`"),
        |_| Some(()),
    )
}

/// `POST …/tags` with `{name, startPoint, message}`: tags a commit (through
/// [`crate::sync::Writer::create_tag`]).
pub(crate) fn create_tag(api: &Api, name: &str, start_point: &str, message: &str) -> Call<()> {
    let path = format!("{}/tags", api.repository_path());
    let body = serde_json::json!({ "name": name, "startPoint": start_point, "message": message });
    let request = api.json_request(Method::Post, &path, body);
    api.call(
        request,
        Operation::CreateTag,
        format!("The tag `{name}`"),
        |_| Some(()),
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawPath {
    to_string: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawChange {
    path: RawPath,
    src_path: Option<RawPath>,
    #[serde(rename = "type")]
    kind: String,
}

impl From<RawChange> for FileChange {
    fn from(raw: RawChange) -> Self {
        let kind = match raw.kind.as_str() {
            "ADD" | "COPY" => FileChangeKind::Added,
            "DELETE" => FileChangeKind::Removed,
            "MOVE" => FileChangeKind::Renamed,
            _ => FileChangeKind::Modified,
        };
        FileChange {
            path: raw.path.to_string,
            old_path: raw
                .src_path
                .map(|p| p.to_string)
                .filter(|_| kind == FileChangeKind::Renamed),
            kind,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawTag {
    latest_commit: String,
}

/// `GET …/compare/changes?from={new}&to={old}&limit=1000`: one page of the files changed in `new` since
/// `old` (Data Center cannot limit it to a folder: filter the paths).
pub fn compare_changes(api: &Api, new: &str, old: &str) -> Call<Page<FileChange>> {
    let url_path = format!("{}/compare/changes", api.repository_path());
    let query = [("from", new), ("to", old), ("limit", FILES_PAGE_LIMIT)];
    let request = api.request(Method::Get, &url_path, &query, true);
    let subject = format!("The changes between `{old}` and `{new}`");
    api.page_call::<RawChange, _>(request, Operation::Read, subject)
}

/// `GET …/tags/{name}`, read for the commit it tags (`latestCommit`).
pub fn tag_commit(api: &Api, name: &str) -> Call<CommitSummary> {
    let call = tag(api, name);
    api.call(
        call.request,
        Operation::Read,
        format!("The version `{name}`"),
        |response| {
            json::<RawTag>(response).map(|raw| CommitSummary {
                id: raw.latest_commit,
                message: String::new(),
                author: None,
                date: None,
                parents: Vec::new(),
            })
        },
    )
}

/// `GET …/commits?until={hash}&limit=1`: one commit (a full or abbreviated hash; answers the full one).
pub fn commit(api: &Api, hash: &str) -> Call<CommitSummary> {
    let url_path = format!("{}/commits", api.repository_path());
    let query = [("until", hash), ("limit", "1")];
    let request = api.request(Method::Get, &url_path, &query, true);
    api.call(
        request,
        Operation::Read,
        format!("The commit `{hash}`"),
        |response| {
            let page: Page<RawCommit> = read_data_center_page(response)?;
            page.values.into_iter().next().map(CommitSummary::from)
        },
    )
}
