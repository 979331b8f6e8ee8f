//! `GET /2.0/user` and `GET /2.0/user/workspaces/{workspace}/permissions/repositories`.

use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::{Extension, Json};
use serde_json::{json, Value};

use super::json::{account, token_account};
use crate::auth::Caller;
use crate::errors::CloudError;
use crate::links::{origin, uuid};
use crate::query::{cloud_page, sort_by_field, Filter, Params};
use crate::state::AppState;

fn unauthenticated() -> CloudError {
    CloudError::new(
        StatusCode::UNAUTHORIZED,
        "This API is only accessible with the following authentication types: session, password, apppassword, api_token, oauth",
    )
}

/// The authenticated account; a resource access token answers as its pseudo-user.
pub async fn current(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
) -> Result<Json<Value>, CloudError> {
    let origin = origin(&headers);
    if let Some(grant) = &caller.grant {
        return Ok(Json(token_account(&origin, &grant.name)));
    }
    let username = caller.user.as_deref().ok_or_else(unauthenticated)?;
    caller.require_scopes(&["read:user:bitbucket"], &["account"])?;
    let user = state.config().user(username).ok_or_else(unauthenticated)?;
    Ok(Json(account(&origin, user)))
}

/// The caller's explicit permissions on the repositories of a workspace, filterable with `q`.
pub async fn repository_permissions(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(workspace): Path<String>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Result<Json<Value>, CloudError> {
    if caller.is_anonymous() {
        return Err(unauthenticated());
    }
    caller.require_scopes(&["read:repository:bitbucket"], &["account", "repository"])?;
    let username = caller.user.as_deref().unwrap_or_default();
    let config = state.config();
    let user = config.user(username).ok_or_else(unauthenticated)?;
    let ws = config
        .cloud
        .workspaces
        .iter()
        .find(|w| w.slug == workspace)
        .ok_or_else(|| {
            CloudError::not_found(format!("No workspace with identifier '{workspace}'."))
        })?;
    let params = Params::from_uri(&uri);
    let filter = Filter::parse(params.get("q").unwrap_or("")).map_err(CloudError::bad_request)?;
    let origin = origin(&headers);
    let mut rows = Vec::new();
    for repo in &ws.repositories {
        let Some(access) = repo.permissions.get(username) else {
            continue;
        };
        let full_name = format!("{}/{}", ws.slug, repo.slug);
        let fields = |field: &str| match field {
            "permission" => Some(access.cloud_name().to_string()),
            "repository.name" => Some(repo.display_name().to_string()),
            "repository.full_name" => Some(full_name.clone()),
            "repository.slug" => Some(repo.slug.clone()),
            "repository.uuid" => Some(uuid(&format!("repo:{full_name}"))),
            _ => None,
        };
        if !filter.matches(fields).map_err(CloudError::bad_request)? {
            continue;
        }
        rows.push((
            repo.display_name().to_string(),
            access.cloud_name(),
            json!({
                "type": "repository_permission",
                "permission": access.cloud_name(),
                "user": account(&origin, user),
                "repository": {
                    "type": "repository",
                    "name": repo.display_name(),
                    "full_name": full_name,
                    "uuid": uuid(&format!("repo:{full_name}")),
                    "links": {
                        "self": { "href": format!("{origin}/2.0/repositories/{full_name}") },
                        "html": { "href": format!("{origin}/{full_name}") },
                    },
                },
            }),
        ));
    }
    sort_by_field(&mut rows, params.get("sort"), |row, field| match field {
        "repository.name" => Some(row.0.clone()),
        "permission" => Some(row.1.to_string()),
        _ => None,
    });
    let base = format!("{origin}{}", uri.path());
    let page = cloud_page(rows.into_iter().map(|r| r.2).collect(), &params, &base)
        .map_err(CloudError::bad_request)?;
    Ok(Json(page))
}
