//! Bitbucket Data Center REST subset under `/rest` (`api/latest` and `api/1.0`, branch permissions).

mod archive;
mod compare;
mod content;
mod edit;
mod json;
mod repos;

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Json;
use serde_json::Value;

use crate::call::Call;
use crate::config::{Access, Project, Repository};
use crate::errors::DcError;
use crate::form::{self, FormKind};
use crate::query::{dc_page, Params};
use crate::state::{dc_key, AppState};
use crate::Route;

/// The Data Center routes (`api/latest` and `api/1.0`; branch permissions `latest` and `2.0`).
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
        ]);
    }
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

/// `items` as one Data Center page (`start`, `limit`; default `limit`) under `values`, or the
/// validation error of bad paging parameters.
pub fn paged(items: Vec<Value>, params: &Params, limit: usize) -> Result<Json<Value>, DcError> {
    dc_page(items, params, limit, "values")
        .map(Json)
        .map_err(DcError::validation)
}

/// Middleware: Atlassian XSRF protection. Mutating requests with a form or plain-text body need
/// `X-Atlassian-Token: no-check`, else 403 "XSRF check failed" (plain text, as the real filter).
pub async fn xsrf(State(_): State<AppState>, request: Request, next: Next) -> Response {
    let mutating = matches!(
        *request.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    let simple = form::kind(&request) != FormKind::Other
        || request
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().starts_with("text/plain"));
    let opted_out = request
        .headers()
        .get("x-atlassian-token")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("no-check"));
    if request.uri().path().starts_with("/rest") && mutating && simple && !opted_out {
        return (
            StatusCode::FORBIDDEN,
            [(axum::http::header::CONTENT_TYPE, "text/plain")],
            "XSRF check failed",
        )
            .into_response();
    }
    next.run(request).await
}
