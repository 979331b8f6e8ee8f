//! Bitbucket Data Center REST subset under `/rest` (`api/latest` and `api/1.0`, branch utilities,
//! branch permissions, and `git/latest` for deleting tags).

mod archive;
mod compare;
mod content;
mod edit;
mod json;
mod pull_requests;
mod repos;

use axum::extract::Request;
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::Json;
use serde_json::Value;

use crate::call::Call;
use crate::config::{Access, Project, Repository};
use crate::errors::DcError;
use crate::form::{self, FormKind};
use crate::links::{is_https, origin};
use crate::query::{dc_page, Params};
use crate::restrictions::dc_write_blocker;
use crate::state::dc_key;
use crate::Route;

/// The Data Center routes (`api/latest` and `api/1.0`; branch utilities `latest`; branch
/// permissions `latest` and `2.0`; `git/latest` tag deletion).
pub fn table() -> Vec<Route> {
    let mut routes = Vec::new();
    for version in ["latest", "1.0"] {
        let api = format!("/rest/api/{version}");
        let repo = format!("{api}/projects/{{projectKey}}/repos/{{repositorySlug}}");
        routes.extend([
            Route::new(
                format!("{api}/application-properties"),
                &["GET"],
                get(repos::application_properties),
            ),
            Route::new(
                format!("{api}/users/{{userSlug}}"),
                &["GET"],
                get(repos::user),
            ),
            Route::new(format!("{api}/repos"), &["GET"], get(repos::search)),
            Route::new(repo.clone(), &["GET"], get(repos::repository)),
            Route::new(
                format!("{repo}/default-branch"),
                &["GET"],
                get(repos::default_branch),
            ),
            Route::new(format!("{repo}/branches"), &["GET"], get(repos::branches)),
            Route::new(
                format!("{repo}/tags"),
                &["GET", "POST"],
                get(repos::tags).post(repos::create_tag),
            ),
            Route::new(format!("{repo}/tags/{{*name}}"), &["GET"], get(repos::tag)),
            Route::new(format!("{repo}/commits"), &["GET"], get(repos::commits)),
            Route::new(
                format!("{repo}/compare/changes"),
                &["GET"],
                get(compare::changes),
            ),
            Route::new(format!("{repo}/files"), &["GET"], get(content::files)),
            Route::new(
                format!("{repo}/files/{{*path}}"),
                &["GET"],
                get(content::files),
            ),
            Route::new(format!("{repo}/browse"), &["GET"], get(content::browse)),
            Route::new(
                format!("{repo}/browse/{{*path}}"),
                &["GET", "PUT"],
                get(content::browse).put(edit::edit_file),
            ),
            Route::new(format!("{repo}/raw/{{*path}}"), &["GET"], get(content::raw)),
            Route::new(format!("{repo}/archive"), &["GET"], get(archive::archive)),
            Route::new(
                format!("{repo}/pull-requests"),
                &["GET", "POST"],
                get(pull_requests::list).post(pull_requests::create),
            ),
            Route::new(
                format!("{repo}/pull-requests/{{pullRequestId}}"),
                &["GET"],
                get(pull_requests::get),
            ),
            Route::new(
                format!("{repo}/pull-requests/{{pullRequestId}}/participants/{{userSlug}}"),
                &["PUT"],
                put(pull_requests::participant_status),
            ),
            Route::new(
                format!("{repo}/pull-requests/{{pullRequestId}}/approve"),
                &["POST"],
                post(pull_requests::approve),
            ),
            Route::new(
                format!("{repo}/pull-requests/{{pullRequestId}}/merge"),
                &["POST"],
                post(pull_requests::merge),
            ),
            Route::new(
                format!("{repo}/pull-requests/{{pullRequestId}}/decline"),
                &["POST"],
                post(pull_requests::decline),
            ),
        ]);
    }
    routes.push(Route::new(
        "/rest/branch-utils/latest/projects/{projectKey}/repos/{repositorySlug}/branches",
        &["POST", "DELETE"],
        post(repos::create_branch).delete(repos::delete_branch),
    ));
    routes.push(Route::new(
        "/rest/git/latest/projects/{projectKey}/repos/{repositorySlug}/tags/{*name}",
        &["DELETE"],
        delete(repos::delete_tag),
    ));
    for version in ["latest", "2.0"] {
        routes.push(Route::new(
            format!("/rest/branch-permissions/{version}/projects/{{projectKey}}/repos/{{repositorySlug}}/restrictions"),
            &["GET"],
            get(repos::restrictions),
        ));
    }
    routes
}

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

/// Middleware: Atlassian's XSRF protection on `/rest`, 403 "XSRF check failed" (plain text, as
/// the real filter) when [`passes_xsrf_checks`] says no.
pub async fn xsrf(request: Request, next: Next) -> Response {
    if request.uri().path().starts_with("/rest") && !passes_xsrf_checks(&request) {
        return (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "text/plain")],
            "XSRF check failed",
        )
            .into_response();
    }
    next.run(request).await
}

/// Data Center's two XSRF rules. A `POST` from a browser (its `User-Agent` says so) passes only
/// when its `Origin` or `Referer` is Data Center's own origin, whatever `X-Atlassian-Token` says
/// (other methods pass: the real filter only logs them). Any mutating request with a form,
/// multipart or plain-text body needs `X-Atlassian-Token: no-check`.
pub fn passes_xsrf_checks(request: &Request) -> bool {
    let headers = request.headers();
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    if request.method() == Method::POST
        && text(header::USER_AGENT).is_some_and(is_browser)
        && !text(header::ORIGIN)
            .into_iter()
            .chain(text(header::REFERER))
            .any(|from| is_within_origin(from, &origin(headers, is_https(request.extensions()))))
    {
        return false;
    }
    let mutating = matches!(
        *request.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    let simple = form::kind(request) != FormKind::Other
        || text(header::CONTENT_TYPE)
            .is_some_and(|v| v.to_ascii_lowercase().starts_with("text/plain"));
    let opted_out = headers
        .get("x-atlassian-token")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("no-check"));
    !(mutating && simple && !opted_out)
}

/// Whether a `User-Agent` is a browser's, as Atlassian's filter reads it (`Mozilla/…`, `Opera…`).
fn is_browser(user_agent: &str) -> bool {
    user_agent.contains("Mozilla") || user_agent.starts_with("Opera")
}

/// Whether `url` (an `Origin`, or a `Referer`'s full URL) is `origin` or a URL within it.
fn is_within_origin(url: &str, origin: &str) -> bool {
    url.strip_prefix(origin)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '?', '#']))
}
