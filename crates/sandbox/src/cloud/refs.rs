//! Repository, branches, tags, branch restrictions and commits.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use git2::Oid;
use serde::Deserialize;
use serde_json::{json, Value};

use super::context::{path_revision, read_context, repo_context, RepoContext, WRITE, WRITE_REF};
use super::json::{self, account};
use crate::call::Call;
use crate::config::{Access, CloudRestrictionKind};
use crate::errors::CloudError;
use crate::query::{sort_by_field, Filter, Params, CLOUD_DEFAULT_PAGELEN};
use crate::restrictions::{cloud_delete_blocker, cloud_push_blocker};
use crate::store::{valid_ref_name, CommitInfo, RefDeletion};

type Repo = Path<(String, String)>;

/// `GET /2.0/repositories/{workspace}/{repo_slug}`.
pub async fn repository(call: Call, Path((ws, slug)): Repo) -> Result<Json<Value>, CloudError> {
    let ctx = read_context(&call, &ws, &slug)?;
    let size = dir_size(call.state.store().path(&ctx.key));
    Ok(Json(json::repository(&ctx, size)))
}

fn dir_size(path: std::path::PathBuf) -> u64 {
    let Ok(entries) = std::fs::read_dir(&path) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// Keeps the refs matching the Cloud `q` filter (fields `name`, `target.hash`, `target.date`)
/// and orders them by `sort` (`name` naturally, or `target.date`; `-` for descending).
fn select_refs<T>(
    refs: Vec<T>,
    params: &Params,
    name: impl Fn(&T) -> &str,
    tip: impl Fn(&T) -> &CommitInfo,
) -> Result<Vec<T>, CloudError> {
    let filter = Filter::parse(params.get("q").unwrap_or("")).map_err(CloudError::bad_request)?;
    let mut selected = Vec::new();
    for r in refs {
        let fields = |f: &str| match f {
            "name" => Some(name(&r).to_string()),
            "target.hash" => Some(tip(&r).hash.clone()),
            "target.date" => Some(crate::time::iso8601(tip(&r).author_time, 0)),
            _ => None,
        };
        if filter.matches(fields).map_err(CloudError::bad_request)? {
            selected.push(r);
        }
    }
    sort_by_field(&mut selected, params.get("sort"), |r, f| match f {
        "name" => Some(name(r).to_string()),
        "target.date" => Some(format!("{:020}", tip(r).author_time)),
        _ => None,
    });
    Ok(selected)
}

/// `GET …/refs/branches` with `q`, `sort`, `pagelen`, `page`.
pub async fn branches(call: Call, Path((ws, slug)): Repo) -> Result<Json<Value>, CloudError> {
    let ctx = read_context(&call, &ws, &slug)?;
    let params = call.params();
    let store = call.state.store();
    let all = store
        .repo(&ctx.key)
        .and_then(|repo| repo.branches())
        .map_err(git_error)?;
    let branches = select_refs(all, &params, |b| &b.name, |b| &b.tip)?;
    let users = &call.state.config().users;
    let values = branches
        .iter()
        .map(|b| json::branch(&ctx, users, &b.name, &b.tip))
        .collect();
    call.cloud_page(values, CLOUD_DEFAULT_PAGELEN)
}

/// `GET …/refs/branches/{name}` (the name may contain `/`, raw or `%2F`).
pub async fn branch(
    call: Call,
    Path((ws, slug, name)): Path<(String, String, String)>,
) -> Result<Json<Value>, CloudError> {
    let ctx = read_context(&call, &ws, &slug)?;
    let tip = call
        .state
        .store()
        .repo(&ctx.key)
        .ok()
        .and_then(|repo| repo.branch_tip(&name).and_then(|oid| repo.commit(oid)))
        .ok_or_else(|| CloudError::not_found(format!("Branch \"{name}\" does not exist.")))?;
    Ok(Json(json::branch(
        &ctx,
        &call.state.config().users,
        &name,
        &tip,
    )))
}

/// `GET …/refs/tags` with `q`, `sort`, `pagelen`, `page` (default order: by name, as
/// `git tag --list`).
pub async fn tags(call: Call, Path((ws, slug)): Repo) -> Result<Json<Value>, CloudError> {
    let ctx = read_context(&call, &ws, &slug)?;
    let params = call.params();
    let store = call.state.store();
    let all = store
        .repo(&ctx.key)
        .and_then(|repo| repo.tags())
        .map_err(git_error)?;
    let tags = select_refs(all, &params, |t| &t.name, |t| &t.tip)?;
    let users = &call.state.config().users;
    let values = tags.iter().map(|t| json::tag(&ctx, users, t)).collect();
    call.cloud_page(values, CLOUD_DEFAULT_PAGELEN)
}

/// `GET …/refs/tags/{name}`.
pub async fn tag(
    call: Call,
    Path((ws, slug, name)): Path<(String, String, String)>,
) -> Result<Json<Value>, CloudError> {
    let ctx = read_context(&call, &ws, &slug)?;
    let tag = call
        .state
        .store()
        .repo(&ctx.key)
        .ok()
        .and_then(|repo| repo.tag(&name))
        .ok_or_else(|| CloudError::not_found(format!("Tag \"{name}\" does not exist.")))?;
    Ok(Json(json::tag(&ctx, &call.state.config().users, &tag)))
}

/// Body of `POST …/refs/branches` and `POST …/refs/tags`.
#[derive(Deserialize)]
pub struct NewRef {
    name: Option<String>,
    target: Option<Target>,
    message: Option<String>,
}

/// `target` of a new ref.
#[derive(Deserialize)]
pub struct Target {
    hash: Option<String>,
}

type NewRefBody = Result<Json<NewRef>, axum::extract::rejection::JsonRejection>;

/// Checks scopes and write access, then reads a new ref's body: the repository, the valid name,
/// the target commit and the message. Every refusal of the body is a 400.
fn new_ref<'a>(
    call: &'a Call,
    ws: &str,
    slug: &str,
    body: NewRefBody,
    what: &str,
) -> Result<(RepoContext<'a>, String, Oid, Option<String>), CloudError> {
    call.caller.require_scopes(WRITE_REF.0, WRITE_REF.1)?;
    let ctx = repo_context(call, ws, slug, Access::Write)?;
    let Json(body) = body.map_err(|e| CloudError::bad_request(e.body_text()))?;
    let name = body
        .name
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| CloudError::bad_request(format!("{what} name is required")))?;
    if !valid_ref_name(&name) {
        return Err(CloudError::bad_request(format!(
            "\"{name}\" is not a valid {} name.",
            what.to_lowercase()
        )));
    }
    let hash = body
        .target
        .and_then(|t| t.hash)
        .ok_or_else(|| CloudError::bad_request("target.hash is required"))?;
    let target = call
        .state
        .store()
        .repo(&ctx.key)
        .ok()
        .and_then(|repo| repo.resolve(&hash))
        .ok_or_else(|| CloudError::bad_request(format!("Commit \"{hash}\" does not exist.")))?;
    Ok((ctx, name, target, body.message))
}

/// `POST …/refs/branches`: creates a branch at `target.hash`.
pub async fn create_branch(
    call: Call,
    Path((ws, slug)): Repo,
    body: NewRefBody,
) -> Result<Response, CloudError> {
    let (ctx, name, target, _) = new_ref(&call, &ws, &slug, body, "Branch")?;
    if let Some(r) = cloud_push_blocker(call.state.config(), ctx.repo, &name, &call.caller) {
        return Err(restriction_refusal(
            &name,
            r.pattern.as_deref().unwrap_or_default(),
        ));
    }
    if !call
        .state
        .store()
        .create_branch(&ctx.key, &name, target)
        .map_err(git_error)?
    {
        return Err(CloudError::bad_request(format!(
            "BRANCH_ALREADY_EXISTS: Branch \"{name}\" already exists."
        )));
    }
    let tip = call
        .state
        .store()
        .repo(&ctx.key)
        .ok()
        .and_then(|repo| repo.commit(target))
        .ok_or_else(|| git_error(git2::Error::from_str("lost commit")))?;
    Ok((
        StatusCode::CREATED,
        Json(json::branch(&ctx, &call.state.config().users, &name, &tip)),
    )
        .into_response())
}

/// `POST …/refs/tags`: creates an annotated tag at `target.hash`, tagged by the caller, with
/// `message` or the default "Added tag NAME for changeset SHORTHASH".
pub async fn create_tag(
    call: Call,
    Path((ws, slug)): Repo,
    body: NewRefBody,
) -> Result<Response, CloudError> {
    let (ctx, name, target, message) = new_ref(&call, &ws, &slug, body, "Tag")?;
    let message = message.filter(|m| !m.trim().is_empty()).unwrap_or_else(|| {
        let short = &target.to_string()[..12];
        format!("Added tag {name} for changeset {short}")
    });
    let annotation = (message, call.identity().unwrap_or_default());
    let store = call.state.store();
    let created = store.create_tag(&ctx.key, &name, target, Some(&annotation));
    let created = created
        .map_err(git_error)?
        .ok_or_else(|| CloudError::bad_request(format!("Tag \"{name}\" already exists.")))?;
    Ok((
        StatusCode::CREATED,
        Json(json::tag(&ctx, &call.state.config().users, &created)),
    )
        .into_response())
}

/// `DELETE …/refs/branches/{name}` (the name without `refs/heads/`): 204; 400 for the main branch,
/// 403 under a `delete` restriction or a `push` restriction the caller is not exempt from, 404 when
/// the branch does not exist.
pub async fn delete_branch(
    call: Call,
    Path((ws, slug, name)): Path<(String, String, String)>,
) -> Result<StatusCode, CloudError> {
    call.caller.require_scopes(WRITE.0, WRITE.1)?;
    let ctx = repo_context(&call, &ws, &slug, Access::Write)?;
    if name == ctx.repo.main_branch {
        return Err(CloudError::bad_request(format!(
            "Branch \"{name}\" is the main branch and cannot be deleted."
        )));
    }
    if let Some(r) = cloud_delete_blocker(call.state.config(), ctx.repo, &name, &call.caller) {
        let kind = match r.kind {
            Some(CloudRestrictionKind::Delete) => "delete",
            _ => "push",
        };
        let pattern = r.pattern.as_deref().unwrap_or_default();
        return Err(CloudError::new(
            StatusCode::FORBIDDEN,
            format!(
                "You do not have permission to delete branch \"{name}\": it is protected by a {kind} branch restriction (pattern \"{pattern}\")."
            ),
        ));
    }
    let deleted = call
        .state
        .store()
        .delete_ref(&ctx.key, &format!("refs/heads/{name}"), None)
        .map_err(git_error)?;
    match deleted {
        RefDeletion::Deleted => Ok(StatusCode::NO_CONTENT),
        _ => Err(CloudError::not_found(format!(
            "Branch \"{name}\" does not exist."
        ))),
    }
}

/// `DELETE …/refs/tags/{name}` (the name without `refs/tags/`): 204; 404 when the tag does not
/// exist.
pub async fn delete_tag(
    call: Call,
    Path((ws, slug, name)): Path<(String, String, String)>,
) -> Result<StatusCode, CloudError> {
    call.caller.require_scopes(WRITE.0, WRITE.1)?;
    let ctx = repo_context(&call, &ws, &slug, Access::Write)?;
    let deleted = call
        .state
        .store()
        .delete_ref(&ctx.key, &format!("refs/tags/{name}"), None)
        .map_err(git_error)?;
    match deleted {
        RefDeletion::Deleted => Ok(StatusCode::NO_CONTENT),
        _ => Err(CloudError::not_found(format!(
            "Tag \"{name}\" does not exist."
        ))),
    }
}

/// The 403 of a push refused by a branch restriction.
pub fn restriction_refusal(branch: &str, pattern: &str) -> CloudError {
    CloudError::new(
        StatusCode::FORBIDDEN,
        format!(
            "You do not have permission to push to branch \"{branch}\": it is protected by a push branch restriction (pattern \"{pattern}\")."
        ),
    )
}

/// A git failure as a 500.
pub fn git_error(e: git2::Error) -> CloudError {
    CloudError::new(StatusCode::INTERNAL_SERVER_ERROR, e.message().to_string())
}

/// `GET …/branch-restrictions` (repository admins only).
pub async fn restrictions(call: Call, Path((ws, slug)): Repo) -> Result<Json<Value>, CloudError> {
    call.caller
        .require_scopes(&["admin:repository:bitbucket"], &["repository:admin"])?;
    let ctx = repo_context(&call, &ws, &slug, Access::Admin)?;
    let config = call.state.config();
    let values = ctx
        .repo
        .restrictions
        .iter()
        .enumerate()
        .filter(|(_, r)| r.kind.is_some())
        .map(|(i, r)| {
            let id = i + 1;
            let users: Vec<Value> = r.users.iter().filter_map(|u| config.user(u)).map(|u| account(&ctx.origin, u)).collect();
            let groups: Vec<Value> = r
                .groups
                .iter()
                .map(|g| json!({
                    "type": "group",
                    "name": g,
                    "slug": g,
                    "full_slug": format!("{}:{g}", ctx.workspace.slug),
                    "links": { "self": { "href": format!("{}/2.0/groups/{}/{g}", ctx.origin, ctx.workspace.slug) } },
                }))
                .collect();
            json!({
                "type": "branchrestriction",
                "id": id,
                "kind": r.kind,
                "branch_match_kind": "glob",
                "pattern": r.pattern.clone().unwrap_or_default(),
                "users": users,
                "groups": groups,
                "links": { "self": { "href": format!("{}/branch-restrictions/{id}", ctx.api()) } },
            })
        })
        .collect();
    call.cloud_page(values, CLOUD_DEFAULT_PAGELEN)
}

/// Path of `…/commits` and `…/commits/{revision}` (no revision: the main branch).
#[derive(Deserialize)]
pub struct CommitsPath {
    workspace: String,
    repo_slug: String,
    #[serde(default)]
    revision: String,
}

/// `GET …/commits` and `…/commits/{revision}` with an optional `path` filter (a file or a folder), less
/// the commits an `exclude` revision (repeatable) reaches; an unknown one answers 404.
pub async fn commits(
    call: Call,
    Path(CommitsPath {
        workspace: ws,
        repo_slug: slug,
        revision,
    }): Path<CommitsPath>,
) -> Result<Json<Value>, CloudError> {
    let ctx = read_context(&call, &ws, &slug)?;
    let revision = Some(revision.as_str()).filter(|r| !r.is_empty());
    let from = path_revision(&call, &ctx, revision)?;
    let params = call.params();
    let store = call.state.store();
    let mut excluded = std::collections::HashSet::new();
    for revision in params.all("exclude") {
        let hidden = store
            .repo(&ctx.key)
            .ok()
            .and_then(|repo| repo.resolve(revision))
            .ok_or_else(|| CloudError::not_found(format!("Commit not found: {revision}")))?;
        let reached = store
            .repo(&ctx.key)
            .and_then(|repo| repo.log(hidden, None))
            .map_err(git_error)?;
        excluded.extend(reached.into_iter().map(|c| c.hash));
    }
    let log = store
        .repo(&ctx.key)
        .and_then(|repo| repo.log(from, params.get("path")))
        .map_err(git_error)?;
    let users = &call.state.config().users;
    let values = log
        .iter()
        .filter(|c| !excluded.contains(&c.hash))
        .map(|c| json::commit(&ctx, users, c))
        .collect();
    call.cloud_page(values, CLOUD_DEFAULT_PAGELEN)
}

/// `GET …/commit/{commit}`.
pub async fn commit(
    call: Call,
    Path((ws, slug, rev)): Path<(String, String, String)>,
) -> Result<Json<Value>, CloudError> {
    let ctx = read_context(&call, &ws, &slug)?;
    let info = call
        .state
        .store()
        .repo(&ctx.key)
        .ok()
        .and_then(|repo| repo.resolve(&rev).and_then(|oid| repo.commit(oid)))
        .ok_or_else(|| CloudError::not_found(format!("Commit not found: {rev}")))?;
    Ok(Json(json::commit(&ctx, &call.state.config().users, &info)))
}
