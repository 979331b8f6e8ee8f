//! Bitbucket Cloud REST 2.0 subset under `/2.0`.

mod diff;
mod json;
mod pullrequests;
mod refs;
mod src;
mod user;

use axum::http::StatusCode;
use axum::routing::{get, post};
use git2::Oid;

use crate::call::Call;
use crate::config::{Access, Repository, Workspace};
use crate::errors::{CloudError, CLOUD_NO_REPO};
use crate::state::cloud_key;
use crate::Route;

pub use json::account;

/// The Cloud routes.
pub fn table() -> Vec<Route> {
    let repo = "/2.0/repositories/{workspace}/{repo_slug}";
    vec![
        Route::new("/2.0/user", &["GET"], get(user::current)),
        Route::new(
            "/2.0/user/workspaces/{workspace}/permissions/repositories",
            &["GET"],
            get(user::repository_permissions),
        ),
        Route::new(repo, &["GET"], get(refs::repository)),
        Route::new(
            format!("{repo}/refs/branches"),
            &["GET", "POST"],
            get(refs::branches).post(refs::create_branch),
        ),
        Route::new(
            format!("{repo}/refs/branches/{{*name}}"),
            &["GET", "DELETE"],
            get(refs::branch).delete(refs::delete_branch),
        ),
        Route::new(
            format!("{repo}/refs/tags"),
            &["GET", "POST"],
            get(refs::tags).post(refs::create_tag),
        ),
        Route::new(
            format!("{repo}/refs/tags/{{*name}}"),
            &["GET", "DELETE"],
            get(refs::tag).delete(refs::delete_tag),
        ),
        Route::new(
            format!("{repo}/branch-restrictions"),
            &["GET"],
            get(refs::restrictions),
        ),
        Route::new(format!("{repo}/commits"), &["GET"], get(refs::commits)),
        Route::new(
            format!("{repo}/commits/{{revision}}"),
            &["GET"],
            get(refs::commits),
        ),
        Route::new(
            format!("{repo}/diffstat/{{spec}}"),
            &["GET"],
            get(diff::diffstat),
        ),
        Route::new(format!("{repo}/diff/{{spec}}"), &["GET"], get(diff::diff)),
        Route::new(
            format!("{repo}/commit/{{commit}}"),
            &["GET"],
            get(refs::commit),
        ),
        Route::new(
            format!("{repo}/pullrequests"),
            &["GET", "POST"],
            get(pullrequests::list).post(pullrequests::create),
        ),
        Route::new(
            format!("{repo}/pullrequests/{{pull_request_id}}"),
            &["GET"],
            get(pullrequests::get),
        ),
        Route::new(
            format!("{repo}/pullrequests/{{pull_request_id}}/approve"),
            &["POST"],
            post(pullrequests::approve),
        ),
        Route::new(
            format!("{repo}/pullrequests/{{pull_request_id}}/request-changes"),
            &["POST"],
            post(pullrequests::request_changes),
        ),
        Route::new(
            format!("{repo}/pullrequests/{{pull_request_id}}/merge"),
            &["POST"],
            post(pullrequests::merge),
        ),
        Route::new(
            format!("{repo}/pullrequests/{{pull_request_id}}/decline"),
            &["POST"],
            post(pullrequests::decline),
        ),
        Route::new(
            format!("{repo}/src"),
            &["GET", "POST"],
            get(src::read).post(src::create_commit),
        ),
        Route::new(format!("{repo}/src/{{commit}}/"), &["GET"], get(src::read)),
        Route::new(
            format!("{repo}/src/{{commit}}/{{*path}}"),
            &["GET"],
            get(src::read),
        ),
    ]
}

/// A Cloud repository the caller may use, with the URLs of this request.
pub struct RepoContext<'a> {
    /// Its workspace.
    pub workspace: &'a Workspace,
    /// Its configuration.
    pub repo: &'a Repository,
    /// Store key.
    pub key: String,
    /// The caller's access.
    pub access: Access,
    /// `http://host:port` (`https://` over TLS).
    pub origin: String,
}

impl RepoContext<'_> {
    /// `http://host/2.0/repositories/ws/slug`.
    pub fn api(&self) -> String {
        format!(
            "{}/2.0/repositories/{}/{}",
            self.origin, self.workspace.slug, self.repo.slug
        )
    }

    /// `http://host/ws/slug`.
    pub fn web(&self) -> String {
        format!("{}/{}/{}", self.origin, self.workspace.slug, self.repo.slug)
    }

    /// `ws/slug`.
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.workspace.slug, self.repo.slug)
    }
}

/// Finds the repository and checks the caller's access (`need`).
pub fn repo_context<'a>(
    call: &'a Call,
    workspace: &str,
    slug: &str,
    need: Access,
) -> Result<RepoContext<'a>, CloudError> {
    let (ws, repo) = call
        .state
        .config()
        .cloud_repo(workspace, slug)
        .ok_or_else(|| CloudError::not_found(CLOUD_NO_REPO))?;
    let access = call
        .caller
        .access(repo, &ws.slug, &repo.slug)
        .ok_or_else(|| CloudError::not_found(CLOUD_NO_REPO))?;
    if access < need {
        let message = match need {
            Access::Admin => "Access denied. You must have admin access.",
            _ => "Access denied. You must have write or admin access.",
        };
        return Err(CloudError::new(StatusCode::FORBIDDEN, message));
    }
    Ok(RepoContext {
        workspace: ws,
        repo,
        key: cloud_key(&ws.slug, &repo.slug),
        access,
        origin: call.origin(),
    })
}

/// Resolves a revision taken from a URL path segment (`src/{commit}/…`, `commits/{revision}`;
/// `None`: the main branch) to a commit. Like Bitbucket Cloud, a revision containing `/` (a branch
/// such as `feature/login`, raw or `%2F`-encoded) is not found: clients resolve such branches to
/// their tip hash through `refs/branches/{name}` first.
pub fn path_revision(
    call: &Call,
    ctx: &RepoContext<'_>,
    rev: Option<&str>,
) -> Result<Oid, CloudError> {
    let store = call.state.store();
    let found = match rev {
        None => store.resolve(&ctx.key, &ctx.repo.main_branch),
        Some(rev) if rev.contains('/') => None,
        Some(rev) => store.resolve(&ctx.key, rev),
    };
    found.ok_or_else(|| {
        CloudError::not_found(format!(
            "Commit not found: {}",
            rev.unwrap_or(&ctx.repo.main_branch)
        ))
    })
}

/// Checks the caller's read scopes, then finds the repository for reading.
pub fn read_context<'a>(
    call: &'a Call,
    workspace: &str,
    slug: &str,
) -> Result<RepoContext<'a>, CloudError> {
    call.caller.require_scopes(READ.0, READ.1)?;
    repo_context(call, workspace, slug, Access::Read)
}

/// Scopes of read endpoints: API-token scope, access-token scope.
pub const READ: (&[&str], &[&str]) = (&["read:repository:bitbucket"], &["repository"]);
/// Scopes of creating a branch or tag.
pub const WRITE_REF: (&[&str], &[&str]) = (
    &["read:repository:bitbucket", "write:repository:bitbucket"],
    &["repository:write"],
);
/// Scopes of commit endpoints.
pub const WRITE: (&[&str], &[&str]) = (&["write:repository:bitbucket"], &["repository:write"]);
