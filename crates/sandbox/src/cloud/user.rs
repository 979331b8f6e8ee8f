//! `GET /2.0/user` and `GET /2.0/user/workspaces/{workspace}/permissions/repositories`.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use super::json::account;
use crate::call::Call;
use crate::errors::CloudError;
use crate::links::uuid;
use crate::query::{sort_by_field, Filter, CLOUD_DEFAULT_PAGELEN};

fn unauthenticated() -> CloudError {
    CloudError::new(
        StatusCode::UNAUTHORIZED,
        "This API is only accessible with the following authentication types: session, password, apppassword, api_token, oauth",
    )
}

/// Message of the 403 answered to resource access tokens on `GET /2.0/user`.
pub const NOT_FOR_ACCESS_TOKENS: &str =
    "This API is not accessible by this authentication mechanism";

/// The authenticated account. Resource (repository, project, workspace) access tokens have no
/// account: 403, as on Bitbucket Cloud.
pub async fn current(call: Call) -> Result<Json<Value>, CloudError> {
    let origin = call.origin();
    if call.caller.grant.is_some() {
        return Err(CloudError::new(
            StatusCode::FORBIDDEN,
            NOT_FOR_ACCESS_TOKENS,
        ));
    }
    let username = call.caller.user.as_deref().ok_or_else(unauthenticated)?;
    call.caller
        .require_scopes(&["read:user:bitbucket"], &["account"])?;
    let user = call
        .state
        .config()
        .user(username)
        .ok_or_else(unauthenticated)?;
    Ok(Json(account(&origin, user)))
}

/// The caller's explicit permissions on the repositories of a workspace, filterable with `q`.
pub async fn repository_permissions(
    call: Call,
    Path(workspace): Path<String>,
) -> Result<Json<Value>, CloudError> {
    if call.caller.is_anonymous() {
        return Err(unauthenticated());
    }
    call.caller
        .require_scopes(&["read:repository:bitbucket"], &["account", "repository"])?;
    let username = call.caller.user.as_deref().unwrap_or_default();
    let config = call.state.config();
    let user = config.user(username).ok_or_else(unauthenticated)?;
    let ws = config
        .cloud
        .workspaces
        .iter()
        .find(|w| w.slug == workspace)
        .ok_or_else(|| {
            CloudError::not_found(format!("No workspace with identifier '{workspace}'."))
        })?;
    let params = call.params();
    let filter = Filter::parse(params.get("q").unwrap_or("")).map_err(CloudError::bad_request)?;
    let origin = call.origin();
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
    call.cloud_page(
        rows.into_iter().map(|r| r.2).collect(),
        CLOUD_DEFAULT_PAGELEN,
    )
}
