//! Bitbucket Data Center REST subset under `/rest` (`api/latest` and `api/1.0`, branch permissions).

mod content;
mod edit;
mod json;
mod repos;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::auth::Caller;
use crate::config::{Access, Project, Repository};
use crate::errors::DcError;
use crate::form::{self, FormKind};
use crate::links::origin;
use crate::state::{dc_key, AppState};

/// The Data Center routes.
pub fn routes() -> Router<AppState> {
    let mut router = Router::new();
    for version in ["latest", "1.0"] {
        let api = format!("/rest/api/{version}");
        let repo = format!("{api}/projects/{{projectKey}}/repos/{{repositorySlug}}");
        router = router
            .route(
                &format!("{api}/application-properties"),
                get(repos::application_properties),
            )
            .route(&format!("{api}/users/{{userSlug}}"), get(repos::user))
            .route(&format!("{api}/repos"), get(repos::search))
            .route(&repo, get(repos::repository))
            .route(
                &format!("{repo}/default-branch"),
                get(repos::default_branch),
            )
            .route(&format!("{repo}/branches"), get(repos::branches))
            .route(&format!("{repo}/commits"), get(repos::commits))
            .route(&format!("{repo}/files"), get(content::files_root))
            .route(&format!("{repo}/files/{{*path}}"), get(content::files))
            .route(&format!("{repo}/browse"), get(content::browse_root))
            .route(
                &format!("{repo}/browse/{{*path}}"),
                get(content::browse).put(edit::edit_file),
            )
            .route(&format!("{repo}/raw/{{*path}}"), get(content::raw));
    }
    for version in ["latest", "2.0"] {
        router = router.route(
            &format!("/rest/branch-permissions/{version}/projects/{{projectKey}}/repos/{{repositorySlug}}/restrictions"),
            get(repos::restrictions),
        );
    }
    router
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
    /// `http://host:port`.
    pub origin: String,
}

/// Finds the repository and checks the caller's access (`need`).
pub fn repo_context<'a>(
    state: &'a AppState,
    caller: &Caller,
    headers: &HeaderMap,
    key: &str,
    slug: &str,
    need: Access,
) -> Result<RepoContext<'a>, DcError> {
    if caller.is_anonymous() {
        return Err(DcError::authentication_required());
    }
    let config = state.config();
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
    let access = caller
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
        origin: origin(headers),
    })
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
