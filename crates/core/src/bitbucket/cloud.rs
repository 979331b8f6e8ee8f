//! Bitbucket Cloud (REST API 2.0): one function per operation, each returning a [`Call`] that describes
//! the request and reads the answer into the plain types re-exported by [`super`].
//!
//! Paths follow the official API description, relative to `https://api.bitbucket.org/2.0`.

use serde::Deserialize;

use super::api::{encode_component, encode_file_path, json, Api, Call};
use super::error::Operation;
use super::model::{
    Branch, BranchRestrictionSummary, CommitSummary, EntryKind, Identity, Permission,
    RepositoryInfo, TreeEntry,
};
use super::page::{read_cloud_page, Page};
use super::request::{Method, MultipartPart};
use super::shared::{file_name, raw_bytes, subject_path};
use crate::artifacts::patch::MAX_PATCH_BYTES;
use crate::artifacts::MAX_FILE_BYTES;
use crate::branch_pattern::BranchMatcher;

/// Entries per page asked for (Cloud allows 10 to 100).
pub const PAGE_LENGTH: &str = "100";

#[derive(Deserialize)]
struct RawUser {
    display_name: Option<String>,
    nickname: Option<String>,
    account_id: Option<String>,
}

impl RawUser {
    fn account(&self) -> Option<String> {
        self.nickname.clone().or_else(|| self.account_id.clone())
    }
}

#[derive(Deserialize)]
struct RawName {
    name: String,
}

#[derive(Deserialize)]
struct RawHash {
    hash: String,
}

#[derive(Deserialize)]
struct RawLink {
    name: String,
    href: String,
}

#[derive(Deserialize)]
struct RawRepositoryLinks {
    clone: Option<Vec<RawLink>>,
}

#[derive(Deserialize)]
struct RawRepository {
    full_name: String,
    name: String,
    mainbranch: Option<RawName>,
    links: Option<RawRepositoryLinks>,
}

#[derive(Deserialize)]
struct RawFullName {
    full_name: String,
}

#[derive(Deserialize)]
struct RawPermission {
    permission: String,
    repository: RawFullName,
}

#[derive(Deserialize)]
struct RawBranch {
    name: String,
    target: Option<RawHash>,
}

#[derive(Deserialize)]
struct RawGroup {
    name: Option<String>,
    slug: Option<String>,
}

#[derive(Deserialize)]
struct RawRestriction {
    kind: String,
    branch_match_kind: Option<String>,
    pattern: Option<String>,
    branch_type: Option<String>,
    users: Option<Vec<RawUser>>,
    groups: Option<Vec<RawGroup>>,
}

#[derive(Deserialize)]
struct RawTreeEntry {
    path: String,
    #[serde(rename = "type")]
    kind: String,
    size: Option<u64>,
    commit: Option<RawHash>,
    /// `link` (a symbolic link), `subrepository`, `executable`, `binary`, `lfs`, or none.
    #[serde(default)]
    attributes: Vec<String>,
}

#[derive(Deserialize)]
struct RawAuthor {
    raw: Option<String>,
    user: Option<RawUser>,
}

#[derive(Deserialize)]
struct RawCommit {
    hash: String,
    message: Option<String>,
    date: Option<String>,
    author: Option<RawAuthor>,
    parents: Option<Vec<RawHash>>,
}

#[derive(Deserialize)]
struct RawBranchTip {
    target: RawCommit,
}

impl From<RawBranch> for Branch {
    fn from(raw: RawBranch) -> Self {
        Branch {
            name: raw.name,
            target: raw.target.map(|t| t.hash),
            is_default: None,
        }
    }
}

impl From<RawRestriction> for BranchRestrictionSummary {
    fn from(raw: RawRestriction) -> Self {
        let (branches, matcher) = match raw.branch_match_kind.as_deref() {
            Some("branching_model") => {
                let branch_type = raw.branch_type.unwrap_or_default();
                (
                    format!("{branch_type} branches"),
                    BranchMatcher::Model(branch_type),
                )
            }
            _ => {
                let pattern = raw.pattern.unwrap_or_default();
                (pattern.clone(), BranchMatcher::Glob(pattern))
            }
        };
        let users = raw
            .users
            .unwrap_or_default()
            .into_iter()
            .filter_map(|u| u.display_name.or(u.nickname));
        let groups = raw
            .groups
            .unwrap_or_default()
            .into_iter()
            .filter_map(|g| g.name.or(g.slug));
        BranchRestrictionSummary {
            kind: raw.kind.into(),
            branches,
            matcher: Some(matcher),
            exempt: users.chain(groups).collect(),
        }
    }
}

impl From<RawTreeEntry> for TreeEntry {
    fn from(raw: RawTreeEntry) -> Self {
        // Listed as `commit_file` but not a file to read: a symbolic link or a submodule.
        let not_a_file = raw
            .attributes
            .iter()
            .any(|a| a == "link" || a == "subrepository");
        let kind = match raw.kind.as_str() {
            "commit_file" if not_a_file => EntryKind::Other,
            "commit_file" => EntryKind::File,
            "commit_directory" => EntryKind::Directory,
            _ => EntryKind::Other,
        };
        TreeEntry {
            path: raw.path,
            kind,
            size: raw.size,
            commit: raw.commit.map(|c| c.hash),
        }
    }
}

impl From<RawCommit> for CommitSummary {
    fn from(raw: RawCommit) -> Self {
        let author = raw
            .author
            .and_then(|a| a.raw.or_else(|| a.user.and_then(|u| u.display_name)));
        CommitSummary {
            id: raw.hash,
            message: raw.message.unwrap_or_default(),
            author,
            date: raw.date,
            parents: raw
                .parents
                .unwrap_or_default()
                .into_iter()
                .map(|p| p.hash)
                .collect(),
        }
    }
}

/// `GET /user`: who the credentials belong to (needs `read:user:bitbucket`; access tokens get 403).
pub fn current_user(api: &Api) -> Call<Identity> {
    let request = api.request(Method::Get, "/user", &[], true);
    api.call(
        request,
        Operation::Identity,
        "Your account".to_owned(),
        |response| {
            let user: RawUser = json(response)?;
            let account = user.account().unwrap_or_default();
            Some(Identity {
                display_name: user.display_name.unwrap_or_else(|| account.clone()),
                account,
            })
        },
    )
}

/// `GET /repositories/{workspace}/{repo_slug}`: full name, name, main branch and clone links.
pub fn repository(api: &Api) -> Call<RepositoryInfo> {
    let request = api.request(Method::Get, &api.repository_path(), &[], true);
    let subject = format!("The repository {}", api.repository_name());
    api.call(request, Operation::Read, subject, |response| {
        let raw: RawRepository = json(response)?;
        let clone_urls = raw.links.and_then(|l| l.clone).unwrap_or_default();
        Some(RepositoryInfo {
            full_name: raw.full_name,
            name: raw.name,
            main_branch: raw.mainbranch.map(|b| b.name),
            clone_urls: clone_urls.into_iter().map(|l| (l.name, l.href)).collect(),
        })
    })
}

/// `GET /user/workspaces/{workspace}/permissions/repositories?q=repository.full_name="…"`: the caller's
/// effective permission on the repository.
///
/// The filter uses `full_name` as Bitbucket reported it for the repository (`workspace/slug`, exact),
/// rather than the display name the endpoint's example filters on, because names may differ from slugs in
/// case and spaces while `full_name` is the slug path. The answer lists only repositories with an explicit
/// grant: `None` means "no grant", which for a repository the caller could read means read access (a public
/// repository). Access tokens get 403 here (see [`super::ApiError::ResourceTokenCannot`]).
pub fn repository_permission(api: &Api, full_name: &str) -> Call<Option<Permission>> {
    let path = format!(
        "/user/workspaces/{}/permissions/repositories",
        encode_component(api.owner())
    );
    let filter = format!("repository.full_name={}", bbql_string(full_name));
    let request = api.request(Method::Get, &path, &[("q", &filter)], true);
    let wanted = full_name.to_owned();
    let subject = format!("The permission on {}", api.repository_name());
    api.call(request, Operation::Permission, subject, move |response| {
        let page: Page<RawPermission> = read_cloud_page(response)?;
        let entry = page
            .values
            .into_iter()
            .find(|p| p.repository.full_name.eq_ignore_ascii_case(&wanted));
        Some(entry.and_then(|p| parse_permission(&p.permission)))
    })
}

/// `GET …/refs/branches?pagelen=100&sort=name[&q=name~"…"]`: one page of branches in natural name order.
pub fn branches(api: &Api, name_contains: Option<&str>) -> Call<Page<Branch>> {
    let path = format!("{}/refs/branches", api.repository_path());
    let filter = name_contains.map(|text| format!("name~{}", bbql_string(text)));
    let mut query = vec![("pagelen", PAGE_LENGTH), ("sort", "name")];
    if let Some(filter) = &filter {
        query.push(("q", filter));
    }
    let request = api.request(Method::Get, &path, &query, true);
    let subject = format!("The branches of {}", api.repository_name());
    api.page_call::<RawBranch, _>(request, Operation::Read, subject)
}

/// `GET …/refs/branches/{name}`: one branch and its tip.
pub fn branch(api: &Api, name: &str) -> Call<Branch> {
    let path = format!(
        "{}/refs/branches/{}",
        api.repository_path(),
        encode_component(name)
    );
    let request = api.request(Method::Get, &path, &[], true);
    api.json_call::<RawBranch, _>(request, Operation::Read, format!("The branch `{name}`"))
}

/// `GET …/refs/branches/{name}`, read for its tip commit (hash, parents, message). Branch names with `/`
/// work here (unlike in `src/…` and `commits/…` paths), so a sync resolves a branch to its hash with this.
pub fn branch_tip(api: &Api, name: &str) -> Call<CommitSummary> {
    let call = branch(api, name);
    api.call(
        call.request,
        Operation::Read,
        format!("The branch `{name}`"),
        |response| json::<RawBranchTip>(response).map(|raw| raw.target.into()),
    )
}

/// `GET …/refs/tags/{name}`: whether a tag exists (404 when it does not).
pub fn tag(api: &Api, name: &str) -> Call<()> {
    let path = format!(
        "{}/refs/tags/{}",
        api.repository_path(),
        encode_component(name)
    );
    let request = api.request(Method::Get, &path, &[], true);
    api.call(
        request,
        Operation::Read,
        format!("The tag `{name}`"),
        |_| Some(()),
    )
}

/// `POST …/refs/tags` with `{name, target: {hash}}`: tags a commit (opened by a
/// [`crate::roles::WritePermit`], through [`crate::sync::Writer::create_tag`]).
pub(crate) fn create_tag(api: &Api, name: &str, target_hash: &str) -> Call<()> {
    let path = format!("{}/refs/tags", api.repository_path());
    let body = serde_json::json!({ "name": name, "target": { "hash": target_hash } });
    let request = api.json_request(Method::Post, &path, body);
    api.call(
        request,
        Operation::CreateTag,
        format!("The tag `{name}`"),
        |_| Some(()),
    )
}

/// `POST …/refs/branches` with `{name, target: {hash}}`: creates a branch at a commit (through
/// [`crate::sync::Writer::create_branch`]).
pub(crate) fn create_branch(api: &Api, name: &str, target_hash: &str) -> Call<Branch> {
    let path = format!("{}/refs/branches", api.repository_path());
    let body = serde_json::json!({ "name": name, "target": { "hash": target_hash } });
    let request = api.json_request(Method::Post, &path, body);
    let subject = format!("The commit `{target_hash}` or {}", api.repository_name());
    api.json_call::<RawBranch, _>(request, Operation::CreateBranch, subject)
}

/// `GET …/branch-restrictions?pagelen=100`: one page of branch restrictions (readable with admin only).
pub fn branch_restrictions(api: &Api) -> Call<Page<BranchRestrictionSummary>> {
    let path = format!("{}/branch-restrictions", api.repository_path());
    let request = api.request(Method::Get, &path, &[("pagelen", PAGE_LENGTH)], true);
    let subject = format!("The branch restrictions of {}", api.repository_name());
    api.page_call::<RawRestriction, _>(request, Operation::BranchRestrictions, subject)
}

/// `GET …/src/{commit}/{path}/?pagelen=100`: one page of a directory's entries (not recursive). `commit`
/// is a hash or a branch name (a hash is safer: branch names with `/` are ambiguous there).
pub fn directory(api: &Api, commit: &str, path: &str) -> Call<Page<TreeEntry>> {
    let dir = encode_file_path(path);
    let dir = if dir.is_empty() {
        dir
    } else {
        format!("{dir}/")
    };
    let url_path = format!("{}/{dir}", src_path(api, commit));
    let request = api.request(Method::Get, &url_path, &[("pagelen", PAGE_LENGTH)], true);
    api.page_call::<RawTreeEntry, _>(
        request,
        Operation::Read,
        subject_path("folder", path, commit),
    )
}

/// `GET …/src/{commit}/{path}?format=meta`: a file's metadata (a cheap existence and size check).
pub fn file_meta(api: &Api, commit: &str, path: &str) -> Call<TreeEntry> {
    let url_path = format!("{}/{}", src_path(api, commit), encode_file_path(path));
    let request = api.request(Method::Get, &url_path, &[("format", "meta")], true);
    api.json_call::<RawTreeEntry, _>(request, Operation::Read, subject_path("file", path, commit))
}

/// `GET …/src/{commit}/{path}`: a file's raw bytes, at most [`MAX_FILE_BYTES`].
pub fn read_file(api: &Api, commit: &str, path: &str) -> Call<Vec<u8>> {
    let url_path = format!("{}/{}", src_path(api, commit), encode_file_path(path));
    let request = api.request(Method::Get, &url_path, &[], false);
    api.call(
        request,
        Operation::Read,
        subject_path("file", path, commit),
        raw_bytes,
    )
    .limited(MAX_FILE_BYTES as u64)
}

/// One commit of many files on Cloud, on the branch of the [`crate::roles::WritePermit`] that opens it
/// ([`crate::sync::Writer::commit_files`]; the branch is created from `parent`, or from the main branch,
/// when new).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitFiles {
    /// The commit message.
    pub message: String,
    /// `Name <email>`; the authenticated user when `None`.
    pub author: Option<String>,
    /// The tip the change was based on: Bitbucket answers 409 when the branch has moved on since.
    pub parent: Option<String>,
    /// Files to add or replace: repository path and bytes.
    pub files: Vec<(String, Vec<u8>)>,
    /// Repository paths to delete.
    pub deletions: Vec<String>,
}

/// `POST …/src` (multipart): one commit adding, replacing and deleting files. Each file is a field named
/// by its path, with a file name so that paths like `message` are not taken for metadata. Committed on
/// `branch` (through [`crate::sync::Writer::commit_files`]).
pub(crate) fn commit_files(api: &Api, branch: &str, commit: &CommitFiles) -> Call<()> {
    let mut parts: Vec<MultipartPart> = commit
        .files
        .iter()
        .map(|(path, content)| {
            let path = path.trim_start_matches('/');
            MultipartPart::file(path, file_name(path), content.clone())
        })
        .collect();
    parts.push(MultipartPart::text("message", &commit.message));
    parts.push(MultipartPart::text("branch", branch));
    parts.extend(
        commit
            .author
            .iter()
            .map(|a| MultipartPart::text("author", a)),
    );
    parts.extend(
        commit
            .parent
            .iter()
            .map(|p| MultipartPart::text("parents", p)),
    );
    parts.extend(
        commit
            .deletions
            .iter()
            .map(|d| MultipartPart::text("files", d.trim_start_matches('/'))),
    );
    let path = format!("{}/src", api.repository_path());
    let request = api.multipart_request(Method::Post, &path, parts);
    let subject = format!("The branch `{branch}` of {}", api.repository_name());
    api.call(request, Operation::CommitFiles, subject, |_| Some(()))
}

/// `GET …/commits/{branch}?path=…&pagelen=100`: one page of the commits on a branch that touched a path,
/// newest first (the `path` parameter is described in the operation's documentation).
pub fn commits(api: &Api, branch: &str, path: &str) -> Call<Page<CommitSummary>> {
    let url_path = format!(
        "{}/commits/{}",
        api.repository_path(),
        encode_component(branch)
    );
    let query = [
        ("path", path.trim_start_matches('/')),
        ("pagelen", PAGE_LENGTH),
    ];
    let request = api.request(Method::Get, &url_path, &query, true);
    api.page_call::<RawCommit, _>(request, Operation::Read, subject_path("path", path, branch))
}

/// `GET …/commits/{new}?path=…&exclude={old}&pagelen=100`: one page of the commits after `old` up to
/// `new` that touched the folder or file `path`, newest first (the operation documents `path` as "a file
/// or a directory" and `exclude` as leaving out what a revision reaches).
pub fn commits_since(api: &Api, new: &str, old: &str, path: &str) -> Call<Page<CommitSummary>> {
    let url_path = format!(
        "{}/commits/{}",
        api.repository_path(),
        encode_component(new)
    );
    let query = [
        ("path", path.trim_matches('/')),
        ("exclude", old),
        ("pagelen", PAGE_LENGTH),
    ];
    let request = api.request(Method::Get, &url_path, &query, true);
    let subject = format!("The commits between `{old}` and `{new}`");
    api.page_call::<RawCommit, _>(request, Operation::Read, subject)
}

fn src_path(api: &Api, commit: &str) -> String {
    format!("{}/src/{}", api.repository_path(), encode_component(commit))
}

/// A BBQL string literal: double quotes, with `\` and `"` escaped.
fn bbql_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

fn parse_permission(text: &str) -> Option<Permission> {
    match text {
        "admin" => Some(Permission::Admin),
        "write" => Some(Permission::Write),
        "read" => Some(Permission::Read),
        _ => None,
    }
}

/// One file changed between two commits (Cloud `diffstat`, Data Center `compare/changes`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    /// The file's path after the change (its old path when it was removed).
    pub path: String,
    /// The path before a rename or move.
    pub old_path: Option<String>,
    /// What happened to the file.
    pub kind: FileChangeKind,
}

/// What happened to a file between two commits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileChangeKind {
    /// New.
    Added,
    /// New content.
    Modified,
    /// Gone.
    Removed,
    /// Moved (maybe with new content too).
    Renamed,
}

#[derive(Deserialize)]
struct RawDiffPath {
    path: String,
}

#[derive(Deserialize)]
struct RawDiffstat {
    status: String,
    old: Option<RawDiffPath>,
    new: Option<RawDiffPath>,
}

impl From<RawDiffstat> for FileChange {
    fn from(raw: RawDiffstat) -> Self {
        let kind = match raw.status.as_str() {
            "added" => FileChangeKind::Added,
            "removed" => FileChangeKind::Removed,
            "renamed" => FileChangeKind::Renamed,
            _ => FileChangeKind::Modified,
        };
        let old = raw.old.map(|p| p.path);
        match raw.new {
            Some(new) => FileChange {
                path: new.path,
                old_path: old.filter(|_| kind == FileChangeKind::Renamed),
                kind,
            },
            None => FileChange {
                path: old.unwrap_or_default(),
                old_path: None,
                kind,
            },
        }
    }
}

/// `GET …/diffstat/{new}..{old}?topic=false&pagelen=100`: one page of the files that differ between two
/// commits (the two trees compared directly) in the whole repository. Cloud documents `path` there as one
/// file (a folder is not documented to work, and of repeated ones only the last is reported to count)
/// and removed `merge`, so neither is sent: the caller keeps the paths it wants. Hashes only: branch
/// names with `/` are ambiguous there.
pub fn diffstat(api: &Api, new: &str, old: &str) -> Call<Page<FileChange>> {
    let spec = format!("{}..{}", encode_component(new), encode_component(old));
    let url_path = format!("{}/diffstat/{spec}", api.repository_path());
    let query = [("topic", "false"), ("pagelen", PAGE_LENGTH)];
    let request = api.request(Method::Get, &url_path, &query, true);
    let subject = format!("The changes between `{old}` and `{new}`");
    api.page_call::<RawDiffstat, _>(request, Operation::Read, subject)
}

/// `GET …/diff/{new}..{old}?topic=false&renames=false&binary=false`: the change of the whole repository
/// from commit `old` to commit `new` as one raw git patch, moves shown as a deletion and an addition, at
/// most [`MAX_PATCH_BYTES`]. No `path`: Cloud documents it as "a particular file", and whether one selects a
/// folder, or more than one counts, is not known. Bitbucket answers 555 when the patch takes too long to
/// produce.
pub fn diff(api: &Api, new: &str, old: &str) -> Call<Vec<u8>> {
    let spec = format!("{}..{}", encode_component(new), encode_component(old));
    let url_path = format!("{}/diff/{spec}", api.repository_path());
    let query = [
        ("topic", "false"),
        ("renames", "false"),
        ("binary", "false"),
    ];
    let request = api.request(Method::Get, &url_path, &query, false);
    let subject = format!("The change between `{old}` and `{new}`");
    api.call(request, Operation::Read, subject, raw_bytes)
        .limited(MAX_PATCH_BYTES)
}

/// `GET …/refs/tags/{name}`, read for the commit it tags (Cloud answers the commit as the tag's target,
/// for annotated tags too).
pub fn tag_commit(api: &Api, name: &str) -> Call<CommitSummary> {
    let call = tag(api, name);
    api.call(
        call.request,
        Operation::Read,
        format!("The version `{name}`"),
        |response| json::<RawBranchTip>(response).map(|raw| raw.target.into()),
    )
}

/// `GET …/commit/{hash}`: one commit (a full or abbreviated hash; answers the full one).
pub fn commit(api: &Api, hash: &str) -> Call<CommitSummary> {
    let url_path = format!(
        "{}/commit/{}",
        api.repository_path(),
        encode_component(hash)
    );
    let request = api.request(Method::Get, &url_path, &[], true);
    api.json_call::<RawCommit, _>(request, Operation::Read, format!("The commit `{hash}`"))
}
