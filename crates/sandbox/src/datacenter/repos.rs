//! Repository, default branch, branches, tags, commits, repository search, users, application
//! properties and branch permissions.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{json, Value};

use super::context::{check_branch_writable, paged, repo_context, RepoContext};
use super::json;
use crate::auth::Caller;
use crate::call::Call;
use crate::config::{Access, MatcherKind};
use crate::errors::DcError;
use crate::query::Params;
use crate::restrictions::dc_delete_blocker;
use crate::state::dc_key;
use crate::store::{valid_ref_name, CommitInfo, RefDeletion};

type Repo = Path<(String, String)>;

/// A git failure as a 500 `CommandFailedException`.
pub(super) fn git_error(e: git2::Error) -> DcError {
    DcError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        e.message(),
        "com.atlassian.bitbucket.scm.CommandFailedException",
    )
}

/// `GET /rest/api/{1.0,latest}/application-properties`: no auth needed; sets `X-AUSERNAME`.
pub async fn application_properties(Extension(caller): Extension<Caller>) -> Response {
    let body = json!({
        "version": "9.4.0",
        "buildNumber": "9004000",
        "buildDate": "1718000000000",
        "displayName": "Bitbucket",
    });
    let mut response = Json(body).into_response();
    if let Some(value) = caller
        .user
        .as_deref()
        .and_then(|u| HeaderValue::from_str(u).ok())
    {
        response.headers_mut().insert("x-ausername", value);
    }
    response
}

/// `GET /rest/api/latest/users/{userSlug}`.
pub async fn user(call: Call, Path(slug): Path<String>) -> Result<Json<Value>, DcError> {
    if call.caller.is_anonymous() {
        return Err(DcError::authentication_required());
    }
    let user = call.state.config().user(&slug).ok_or_else(|| {
        DcError::new(
            StatusCode::NOT_FOUND,
            format!("User {slug} does not exist."),
            "com.atlassian.bitbucket.user.NoSuchUserException",
        )
    })?;
    Ok(Json(json::user(&call.origin(), user)))
}

/// `GET /rest/api/latest/repos?projectkey=&name=&permission=`: repositories the caller has at
/// least `permission` on.
pub async fn search(call: Call) -> Result<Json<Value>, DcError> {
    if call.caller.is_anonymous() {
        return Err(DcError::authentication_required());
    }
    let params = call.params();
    let need = match params.get("permission") {
        None | Some("") => Access::Read,
        Some(p) => Access::from_dc(p)
            .ok_or_else(|| DcError::validation(format!("Invalid permission: {p}")))?,
    };
    let origin = call.origin();
    let mut values = Vec::new();
    for project in &call.state.config().datacenter.projects {
        if params
            .get("projectkey")
            .is_some_and(|k| !k.eq_ignore_ascii_case(&project.key))
        {
            continue;
        }
        for repo in &project.repositories {
            if params
                .get("name")
                .is_some_and(|n| !n.eq_ignore_ascii_case(repo.display_name()))
            {
                continue;
            }
            let Some(access) = call.caller.access(repo, &project.key, &repo.slug) else {
                continue;
            };
            if access < need {
                continue;
            }
            let ctx = RepoContext {
                project,
                repo,
                key: dc_key(&project.key, &repo.slug),
                access,
                origin: origin.clone(),
            };
            values.push(json::repository(&ctx));
        }
    }
    paged(values, &params, 25)
}

/// `GET …/repos/{slug}`.
pub async fn repository(call: Call, Path((key, slug)): Repo) -> Result<Json<Value>, DcError> {
    let ctx = repo_context(&call, &key, &slug, Access::Read)?;
    Ok(Json(json::repository(&ctx)))
}

/// `GET …/default-branch`: 404 `NoDefaultBranchException` while the configured default branch
/// does not exist (an empty repository).
pub async fn default_branch(call: Call, Path((key, slug)): Repo) -> Result<Json<Value>, DcError> {
    let ctx = repo_context(&call, &key, &slug, Access::Read)?;
    let main = &ctx.repo.main_branch;
    if call
        .state
        .store()
        .repo(&ctx.key)
        .ok()
        .and_then(|repo| repo.branch_tip(main))
        .is_none()
    {
        return Err(DcError::new(
            StatusCode::NOT_FOUND,
            format!(
                "Repository {}/{} has no default branch: '{main}' does not exist yet.",
                ctx.project.key, ctx.repo.slug
            ),
            "com.atlassian.bitbucket.repository.NoDefaultBranchException",
        ));
    }
    Ok(Json(
        json!({ "id": format!("refs/heads/{main}"), "displayId": main, "type": "BRANCH" }),
    ))
}

/// Keeps the refs whose name contains `filterText` (any case) and orders them by `orderBy`:
/// `ALPHABETICAL`, or by default `MODIFICATION` (newest tip commit first). With
/// `boostMatches=true`, an exact match of `filterText` comes first, then names starting with it,
/// each group in that order.
fn select_refs<T>(
    refs: Vec<T>,
    params: &Params,
    name: impl Fn(&T) -> &str,
    tip: impl Fn(&T) -> &CommitInfo,
) -> Vec<T> {
    let filter = params.get("filterText").unwrap_or("").to_lowercase();
    let mut refs: Vec<T> = refs
        .into_iter()
        .filter(|r| name(r).to_lowercase().contains(&filter))
        .collect();
    if params
        .get("orderBy")
        .is_some_and(|o| o.eq_ignore_ascii_case("ALPHABETICAL"))
    {
        refs.sort_by(|a, b| name(a).cmp(name(b)));
    } else {
        refs.sort_by(|a, b| {
            tip(b)
                .committer_time
                .cmp(&tip(a).committer_time)
                .then(name(a).cmp(name(b)))
        });
    }
    if params.flag("boostMatches") && !filter.is_empty() {
        refs.sort_by_key(|r| {
            let name = name(r).to_lowercase();
            match (name == filter, name.starts_with(&filter)) {
                (true, _) => 0,
                (false, true) => 1,
                _ => 2,
            }
        });
    }
    refs
}

/// `GET …/branches` with `filterText`, `orderBy`, `start`, `limit`.
pub async fn branches(call: Call, Path((key, slug)): Repo) -> Result<Json<Value>, DcError> {
    let ctx = repo_context(&call, &key, &slug, Access::Read)?;
    let params = call.params();
    let store = call.state.store();
    let all = store
        .repo(&ctx.key)
        .and_then(|repo| repo.branches())
        .map_err(git_error)?;
    let branches = select_refs(all, &params, |b| &b.name, |b| &b.tip);
    let main = &ctx.repo.main_branch;
    let values = branches
        .iter()
        .map(|b| json::branch(&b.name, &b.tip.hash, &b.name == main))
        .collect();
    paged(values, &params, 25)
}

/// `GET …/tags` with `filterText`, `orderBy`, `start`, `limit`.
pub async fn tags(call: Call, Path((key, slug)): Repo) -> Result<Json<Value>, DcError> {
    let ctx = repo_context(&call, &key, &slug, Access::Read)?;
    let params = call.params();
    let store = call.state.store();
    let all = store
        .repo(&ctx.key)
        .and_then(|repo| repo.tags())
        .map_err(git_error)?;
    let tags = select_refs(all, &params, |t| &t.name, |t| &t.tip);
    paged(tags.iter().map(json::tag).collect(), &params, 25)
}

/// `GET …/tags/{name}`: 404 `NoSuchTagException` when missing.
pub async fn tag(
    call: Call,
    Path((key, slug, name)): Path<(String, String, String)>,
) -> Result<Json<Value>, DcError> {
    let ctx = repo_context(&call, &key, &slug, Access::Read)?;
    let name = name.trim_start_matches("refs/tags/");
    let tag = call
        .state
        .store()
        .repo(&ctx.key)
        .ok()
        .and_then(|repo| repo.tag(name))
        .ok_or_else(|| no_such_tag(name, &ctx))?;
    Ok(Json(json::tag(&tag)))
}

/// The 404 `NoSuchTagException` of a tag that does not exist.
fn no_such_tag(name: &str, ctx: &RepoContext<'_>) -> DcError {
    DcError::new(
        StatusCode::NOT_FOUND,
        format!(
            "Tag '{name}' does not exist in repository '{}'.",
            ctx.repo.slug
        ),
        "com.atlassian.bitbucket.repository.NoSuchTagException",
    )
}

/// Body of `POST …/tags` (`RestCreateTagRequest`) and of `POST /branch-utils/…/branches`
/// (`RestBranchCreateRequest`; its `message` is not used).
#[derive(Deserialize)]
pub struct NewRefRequest {
    name: Option<String>,
    #[serde(rename = "startPoint")]
    start_point: Option<String>,
    message: Option<String>,
}

/// A tag or a branch, as the messages of `POST …/tags` and `POST …/branches` name them.
#[derive(Clone, Copy)]
enum RefKind {
    Tag,
    Branch,
}

impl RefKind {
    fn noun(self) -> &'static str {
        match self {
            RefKind::Tag => "tag",
            RefKind::Branch => "branch",
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            RefKind::Tag => "refs/tags/",
            RefKind::Branch => "refs/heads/",
        }
    }
}

/// The short name and the start commit of a new ref; 400 when the name is missing or invalid or
/// the start point unknown.
fn new_ref(
    call: &Call,
    ctx: &RepoContext<'_>,
    kind: RefKind,
    body: &NewRefRequest,
) -> Result<(String, git2::Oid), DcError> {
    let noun = kind.noun();
    let name = body
        .name
        .as_deref()
        .map(|n| n.trim_start_matches(kind.prefix()).to_string())
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| DcError::validation(format!("The {noun} name is required.")))?;
    if !valid_ref_name(&name) {
        return Err(DcError::validation(format!(
            "'{name}' is not a valid {noun} name."
        )));
    }
    let start = body
        .start_point
        .as_deref()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| DcError::validation("The startPoint is required."))?;
    let target = call
        .state
        .store()
        .repo(&ctx.key)
        .ok()
        .and_then(|repo| repo.resolve(start))
        .ok_or_else(|| DcError::validation(format!("The start point '{start}' does not exist.")))?;
    Ok((name, target))
}

/// The 400 `DuplicateRefException` for a tag or branch name that is taken.
fn duplicate_ref(ctx: &RepoContext<'_>, kind: RefKind, name: &str) -> DcError {
    let noun = match kind {
        RefKind::Tag => "Tag",
        RefKind::Branch => "Branch",
    };
    DcError::new(
        StatusCode::BAD_REQUEST,
        format!(
            "{noun} '{name}' already exists in repository '{}'.",
            ctx.repo.slug
        ),
        "com.atlassian.bitbucket.repository.DuplicateRefException",
    )
}

/// `POST …/tags`: creates a tag at `startPoint` (a ref or commit), annotated with `message` when
/// one is given, lightweight otherwise. REPO_WRITE; 400 when the name is missing, invalid or
/// taken, or the start point is unknown.
pub async fn create_tag(
    call: Call,
    Path((key, slug)): Repo,
    body: Result<Json<NewRefRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, DcError> {
    let ctx = repo_context(&call, &key, &slug, Access::Write)?;
    let Json(body) = body.map_err(|e| DcError::validation(e.body_text()))?;
    let (name, target) = new_ref(&call, &ctx, RefKind::Tag, &body)?;
    let annotation = body
        .message
        .filter(|m| !m.trim().is_empty())
        .map(|m| (m, call.identity().unwrap_or_default()));
    let store = call.state.store();
    let created = store.create_tag(&ctx.key, &name, target, annotation.as_ref());
    let created = created
        .map_err(git_error)?
        .ok_or_else(|| duplicate_ref(&ctx, RefKind::Tag, &name))?;
    Ok(Json(json::tag(&created)))
}

/// `POST /rest/branch-utils/latest/…/branches`: creates a branch at `startPoint` (a ref or
/// commit), 201 with the branch. REPO_WRITE and no branch permission forbidding the name; 400
/// when the name is missing, invalid or taken, or the start point is unknown.
pub async fn create_branch(
    call: Call,
    Path((key, slug)): Repo,
    body: Result<Json<NewRefRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, DcError> {
    let ctx = repo_context(&call, &key, &slug, Access::Write)?;
    let Json(body) = body.map_err(|e| DcError::validation(e.body_text()))?;
    let (name, target) = new_ref(&call, &ctx, RefKind::Branch, &body)?;
    check_branch_writable(&call, &ctx, &name)?;
    if !call
        .state
        .store()
        .create_branch(&ctx.key, &name, target)
        .map_err(git_error)?
    {
        return Err(duplicate_ref(&ctx, RefKind::Branch, &name));
    }
    let branch = json::branch(&name, &target.to_string(), false);
    Ok((StatusCode::CREATED, Json(branch)).into_response())
}

/// Body of `DELETE /rest/branch-utils/latest/…/branches` (`RestBranchDeleteRequest`).
#[derive(Deserialize)]
pub struct DeleteBranchRequest {
    name: Option<String>,
    #[serde(rename = "endPoint")]
    end_point: Option<String>,
    #[serde(rename = "dryRun", default)]
    dry_run: bool,
}

/// `DELETE /rest/branch-utils/latest/…/branches`: deletes the branch `name` (with or without
/// `refs/heads/`), 204 also when it does not exist, as the description says. REPO_WRITE and no
/// `read-only` or `no-deletes` branch permission on it (else 401); 400 without a name, for the
/// default branch, or when `endPoint` is given and the branch points elsewhere. `dryRun` checks
/// and deletes nothing.
pub async fn delete_branch(
    call: Call,
    Path((key, slug)): Repo,
    body: Result<Json<DeleteBranchRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<StatusCode, DcError> {
    let ctx = repo_context(&call, &key, &slug, Access::Write)?;
    let Json(body) = body.map_err(|e| DcError::validation(e.body_text()))?;
    let name = body
        .name
        .as_deref()
        .map(|n| n.trim_start_matches("refs/heads/").to_string())
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| DcError::validation("The branch name is required."))?;
    if name == ctx.repo.main_branch {
        return Err(DcError::validation(format!(
            "'{name}' is the default branch of repository '{}' and cannot be deleted.",
            ctx.repo.slug
        )));
    }
    if let Some(r) = dc_delete_blocker(call.state.config(), ctx.repo, &name, &call.caller) {
        return Err(DcError::new(
            StatusCode::UNAUTHORIZED,
            format!(
                "You do not have permission to delete branch '{name}': it has a '{}' branch permission.",
                r.dc_type.map(|t| t.name()).unwrap_or_default()
            ),
            "com.atlassian.bitbucket.AuthorisationException",
        ));
    }
    let store = call.state.store();
    let expected = match body.end_point.as_deref().filter(|e| !e.is_empty()) {
        Some(end) => Some(
            store
                .repo(&ctx.key)
                .ok()
                .and_then(|repo| repo.resolve(end))
                .ok_or_else(|| {
                    DcError::validation(format!("The end point '{end}' does not exist."))
                })?,
        ),
        None => None,
    };
    let full = format!("refs/heads/{name}");
    if body.dry_run {
        return match (
            expected,
            store
                .repo(&ctx.key)
                .ok()
                .and_then(|repo| repo.branch_tip(&name)),
        ) {
            (Some(expected), Some(at)) if expected != at => Err(moved_branch(&name, at)),
            _ => Ok(StatusCode::NO_CONTENT),
        };
    }
    match store
        .delete_ref(&ctx.key, &full, expected)
        .map_err(git_error)?
    {
        RefDeletion::Elsewhere(at) => Err(moved_branch(&name, at)),
        RefDeletion::Deleted | RefDeletion::Missing => Ok(StatusCode::NO_CONTENT),
    }
}

fn moved_branch(name: &str, at: git2::Oid) -> DcError {
    DcError::validation(format!(
        "The branch '{name}' points at {at}, not at the endPoint given; it was not deleted."
    ))
}

/// `DELETE /rest/git/latest/…/tags/{name}`: deletes a tag, 204; REPO_WRITE (else 401); 404
/// `NoSuchTagException` when it does not exist.
pub async fn delete_tag(
    call: Call,
    Path((key, slug, name)): Path<(String, String, String)>,
) -> Result<StatusCode, DcError> {
    let ctx = repo_context(&call, &key, &slug, Access::Write)?;
    let name = name.trim_start_matches("refs/tags/");
    let full = format!("refs/tags/{name}");
    match call
        .state
        .store()
        .delete_ref(&ctx.key, &full, None)
        .map_err(git_error)?
    {
        RefDeletion::Missing => Err(no_such_tag(name, &ctx)),
        _ => Ok(StatusCode::NO_CONTENT),
    }
}

/// `GET …/commits` with `until`, `path`, `start`, `limit`.
pub async fn commits(call: Call, Path((key, slug)): Repo) -> Result<Json<Value>, DcError> {
    let ctx = repo_context(&call, &key, &slug, Access::Read)?;
    let params = call.params();
    let until = params
        .get("until")
        .filter(|u| !u.is_empty())
        .unwrap_or(&ctx.repo.main_branch)
        .to_string();
    let from = call
        .state
        .store()
        .repo(&ctx.key)
        .ok()
        .and_then(|repo| repo.resolve(&until))
        .ok_or_else(|| DcError::no_such_commit(&until, &slug))?;
    let log = call
        .state
        .store()
        .repo(&ctx.key)
        .and_then(|repo| repo.log(from, params.get("path")))
        .map_err(git_error)?;
    let users = &call.state.config().users;
    let values = log
        .iter()
        .map(|c| json::commit(&ctx.origin, users, c))
        .collect();
    paged(values, &params, 25)
}

/// `GET /rest/branch-permissions/{2.0,latest}/…/restrictions` (REPO_ADMIN).
pub async fn restrictions(call: Call, Path((key, slug)): Repo) -> Result<Json<Value>, DcError> {
    let ctx = repo_context(&call, &key, &slug, Access::Admin)?;
    let config = call.state.config();
    let values = ctx
        .repo
        .restrictions
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let kind = r.dc_type.as_ref()?;
            let matcher = r.matcher.as_ref()?;
            let (type_name, display) = match matcher.kind {
                MatcherKind::Branch => ("Branch", matcher.id.trim_start_matches("refs/heads/").to_string()),
                MatcherKind::Pattern => ("Pattern", matcher.id.clone()),
                MatcherKind::ModelCategory => ("Branching model category", matcher.id.clone()),
                MatcherKind::ModelBranch => ("Branching model branch", matcher.id.clone()),
            };
            let users: Vec<Value> = r.users.iter().filter_map(|u| config.user(u)).map(|u| json::user(&ctx.origin, u)).collect();
            Some(json!({
                "id": i + 1,
                "scope": { "type": "REPOSITORY", "resourceId": crate::links::numeric_id(&format!("repo:{}/{}", ctx.project.key, ctx.repo.slug)) },
                "type": kind,
                "matcher": { "id": matcher.id, "displayId": display, "active": true,
                             "type": { "id": matcher.kind, "name": type_name } },
                "users": users,
                "groups": r.groups,
                "accessKeys": [],
            }))
        })
        .collect();
    paged(values, &call.params(), 25)
}
