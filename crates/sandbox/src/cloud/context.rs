//! The Cloud repository a request is about, found and checked against the caller's access and scopes.

use axum::http::StatusCode;
use git2::Oid;

use crate::call::Call;
use crate::config::{Access, Repository, Workspace};
use crate::errors::{CloudError, CLOUD_NO_REPO};
use crate::state::cloud_key;

/// A Cloud repository the caller may use, with the URLs of this request.
pub struct RepoContext<'a> {
    /// Its workspace.
    pub workspace: &'a Workspace,
    /// Its configuration.
    pub repo: &'a Repository,
    /// Store key.
    pub key: String,
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
        None => store
            .repo(&ctx.key)
            .ok()
            .and_then(|repo| repo.resolve(&ctx.repo.main_branch)),
        Some(rev) if rev.contains('/') => None,
        Some(rev) => store.repo(&ctx.key).ok().and_then(|repo| repo.resolve(rev)),
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
