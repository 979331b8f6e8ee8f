//! The Data Center repository a request is about, found and checked against the caller's access, and
//! what its handlers share: the branch-permission check and paging.

use axum::http::StatusCode;
use axum::Json;
use serde_json::Value;

use crate::call::Call;
use crate::config::{Access, Project, Repository};
use crate::errors::DcError;
use crate::query::{dc_page, Params};
use crate::restrictions::dc_write_blocker;
use crate::state::dc_key;

/// A Data Center repository the caller may use.
pub struct RepoContext<'a> {
    /// Its project.
    pub project: &'a Project,
    /// Its configuration.
    pub repo: &'a Repository,
    /// Store key.
    pub key: String,
    /// The caller's access.
    pub access: Access,
    /// `http://host:port` (`https://` over TLS).
    pub origin: String,
}

/// Finds the repository and checks the caller's access (`need`).
pub fn repo_context<'a>(
    call: &'a Call,
    key: &str,
    slug: &str,
    need: Access,
) -> Result<RepoContext<'a>, DcError> {
    if call.caller.is_anonymous() {
        return Err(DcError::authentication_required());
    }
    let config = call.state.config();
    if !config
        .datacenter
        .projects
        .iter()
        .any(|p| p.key.eq_ignore_ascii_case(key))
    {
        return Err(DcError::new(
            StatusCode::NOT_FOUND,
            format!("Project {key} does not exist."),
            "com.atlassian.bitbucket.project.NoSuchProjectException",
        ));
    }
    let (project, repo) = config
        .dc_repo(key, slug)
        .ok_or_else(|| DcError::no_such_repository(key, slug))?;
    let access = call
        .caller
        .access(repo, &project.key, &repo.slug)
        .ok_or_else(DcError::not_permitted)?;
    if access < need {
        return Err(DcError::not_permitted());
    }
    Ok(RepoContext {
        project,
        repo,
        key: dc_key(&project.key, &repo.slug),
        access,
        origin: call.origin(),
    })
}

/// 401 `AuthorisationException` when a branch permission (read-only, pull request only) forbids
/// the caller to change `branch` directly.
pub fn check_branch_writable(
    call: &Call,
    ctx: &RepoContext<'_>,
    branch: &str,
) -> Result<(), DcError> {
    match dc_write_blocker(call.state.config(), ctx.repo, branch, &call.caller) {
        None => Ok(()),
        Some(r) => Err(DcError::new(
            StatusCode::UNAUTHORIZED,
            format!(
                "You do not have permission to write to branch '{branch}': it has a '{}' branch permission.",
                r.dc_type.map(|t| t.name()).unwrap_or_default()
            ),
            "com.atlassian.bitbucket.AuthorisationException",
        )),
    }
}

/// `items` as one Data Center page (`start`, `limit`; default `limit`) under `values`, or the
/// validation error of bad paging parameters.
pub fn paged(items: Vec<Value>, params: &Params, limit: usize) -> Result<Json<Value>, DcError> {
    dc_page(items, params, limit, "values")
        .map(Json)
        .map_err(DcError::validation)
}
