//! File listings, browsing (lines or directory children) and raw content.

use axum::extract::{OriginalUri, Path, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use git2::Oid;
use serde_json::{json, Value};

use super::{repo_context, RepoContext};
use crate::auth::Caller;
use crate::config::Access;
use crate::errors::DcError;
use crate::links::mime;
use crate::query::{dc_page, Params};
use crate::state::AppState;
use crate::store::Entry;

/// Resolves `at` (default: the default branch).
fn at(state: &AppState, ctx: &RepoContext<'_>, params: &Params) -> Result<(Oid, String), DcError> {
    let rev = params
        .get("at")
        .filter(|a| !a.is_empty())
        .unwrap_or(&ctx.repo.main_branch)
        .to_string();
    let oid = state
        .store()
        .resolve(&ctx.key, &rev)
        .ok_or_else(|| DcError::no_such_commit(&rev, &ctx.repo.slug))?;
    Ok((oid, rev))
}

/// `GET …/files`: every file of the repository.
pub async fn files_root(
    state: State<AppState>,
    caller: Extension<Caller>,
    Path((key, slug)): Path<(String, String)>,
    uri: OriginalUri,
    headers: HeaderMap,
) -> Result<Json<Value>, DcError> {
    files(
        state,
        caller,
        Path((key, slug, String::new())),
        uri,
        headers,
    )
    .await
}

/// `GET …/files/{path}`: every file under a directory, recursively, relative to it.
pub async fn files(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((key, slug, path)): Path<(String, String, String)>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Result<Json<Value>, DcError> {
    let ctx = repo_context(&state, &caller, &headers, &key, &slug, Access::Read)?;
    let params = Params::from_uri(&uri);
    let (oid, rev) = at(&state, &ctx, &params)?;
    let files = match state.store().entry(&ctx.key, oid, &path) {
        None => return Err(DcError::no_such_path(&path, &rev)),
        Some(Entry::File { .. }) => {
            return Err(DcError::new(
                axum::http::StatusCode::BAD_REQUEST,
                format!("The path \"{path}\" is not a directory at revision \"{rev}\""),
                "com.atlassian.bitbucket.content.NoSuchPathException",
            ))
        }
        Some(Entry::Dir(_)) => state
            .store()
            .files(&ctx.key, oid, &path)
            .unwrap_or_default(),
    };
    let values = files.into_iter().map(Value::String).collect();
    dc_page(values, &params, 25, "values")
        .map(Json)
        .map_err(DcError::validation)
}

/// `GET …/browse`: the root directory.
pub async fn browse_root(
    state: State<AppState>,
    caller: Extension<Caller>,
    Path((key, slug)): Path<(String, String)>,
    uri: OriginalUri,
    headers: HeaderMap,
) -> Result<Json<Value>, DcError> {
    browse(
        state,
        caller,
        Path((key, slug, String::new())),
        uri,
        headers,
    )
    .await
}

fn path_json(path: &str) -> Value {
    let components: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
    let name = components.last().copied().unwrap_or("");
    let mut out =
        json!({ "components": components, "name": name, "toString": components.join("/") });
    if components.len() > 1 {
        out["parent"] = json!(components[..components.len() - 1].join("/"));
    }
    if let Some((_, ext)) = name.rsplit_once('.') {
        out["extension"] = json!(ext);
    }
    out
}

/// `GET …/browse/{path}`: a file as pages of lines, a directory's children, or `type=true` / `size=true`.
pub async fn browse(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((key, slug, path)): Path<(String, String, String)>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Result<Json<Value>, DcError> {
    let ctx = repo_context(&state, &caller, &headers, &key, &slug, Access::Read)?;
    let params = Params::from_uri(&uri);
    let (oid, rev) = at(&state, &ctx, &params)?;
    let path = path.trim_matches('/').to_string();
    let entry = state
        .store()
        .entry(&ctx.key, oid, &path)
        .ok_or_else(|| DcError::no_such_path(&path, &rev))?;
    if params.flag("type") {
        let kind = if matches!(entry, Entry::File { .. }) {
            "FILE"
        } else {
            "DIRECTORY"
        };
        return Ok(Json(json!({ "type": kind })));
    }
    match entry {
        Entry::File { data, .. } => {
            if params.flag("size") {
                return Ok(Json(json!({ "size": data.len() })));
            }
            let text = String::from_utf8_lossy(&data);
            let lines: Vec<Value> = text
                .strip_suffix('\n')
                .unwrap_or(&text)
                .split('\n')
                .filter(|_| !text.is_empty())
                .map(|l| json!({ "text": l }))
                .collect();
            let mut page = dc_page(lines, &params, 500, "lines").map_err(DcError::validation)?;
            page.as_object_mut().map(|o| o.remove("values"));
            Ok(Json(page))
        }
        Entry::Dir(children) => {
            let values: Vec<Value> = children
                .iter()
                .map(|c| {
                    let name = c.path.rsplit('/').next().unwrap_or(&c.path);
                    let mut v = json!({
                        "path": path_json(name),
                        "contentId": c.id,
                        "type": if c.is_dir { "DIRECTORY" } else { "FILE" },
                    });
                    if !c.is_dir {
                        v["size"] = json!(c.size);
                    }
                    v
                })
                .collect();
            let children = dc_page(values, &params, 500, "values").map_err(DcError::validation)?;
            Ok(Json(
                json!({ "path": path_json(&path), "revision": rev, "children": children }),
            ))
        }
    }
}

/// `GET …/raw/{path}?at=`: the file's bytes.
pub async fn raw(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((key, slug, path)): Path<(String, String, String)>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Result<Response, DcError> {
    let ctx = repo_context(&state, &caller, &headers, &key, &slug, Access::Read)?;
    let params = Params::from_uri(&uri);
    let (oid, rev) = at(&state, &ctx, &params)?;
    match state.store().entry(&ctx.key, oid, &path) {
        Some(Entry::File { data, .. }) => {
            let mut response = data.into_response();
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(mime(&path)));
            Ok(response)
        }
        _ => Err(DcError::no_such_path(&path, &rev)),
    }
}
