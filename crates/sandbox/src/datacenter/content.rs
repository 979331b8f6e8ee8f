//! File listings, browsing (lines or directory children) and raw content.

use axum::extract::Path;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use git2::Oid;
use serde::Deserialize;
use serde_json::{json, Value};

use super::context::{paged, repo_context, RepoContext};
use super::json;
use crate::call::Call;
use crate::config::Access;
use crate::errors::DcError;
use crate::links::mime;
use crate::query::{dc_page, Params};
use crate::store::Entry;

/// Finds the repository for reading and resolves the `at` parameter (default: the default
/// branch): the repository, the query, the commit and the revision as asked.
pub(super) fn at<'a>(
    call: &'a Call,
    key: &str,
    slug: &str,
) -> Result<(RepoContext<'a>, Params, Oid, String), DcError> {
    let ctx = repo_context(call, key, slug, Access::Read)?;
    let params = call.params();
    let rev = params
        .get("at")
        .filter(|a| !a.is_empty())
        .unwrap_or(&ctx.repo.main_branch)
        .to_string();
    let oid = call
        .state
        .store()
        .repo(&ctx.key)
        .ok()
        .and_then(|repo| repo.resolve(&rev))
        .ok_or_else(|| DcError::no_such_commit(&rev, &ctx.repo.slug))?;
    Ok((ctx, params, oid, rev))
}

/// Path of a repository's content resource, with the file or directory after it (none: the root).
#[derive(Deserialize)]
pub struct ContentPath {
    #[serde(rename = "projectKey")]
    key: String,
    #[serde(rename = "repositorySlug")]
    slug: String,
    #[serde(default)]
    path: String,
}

/// `GET …/files` and `…/files/{path}`: every file under a directory (none: the root),
/// recursively, relative to it.
pub async fn files(
    call: Call,
    Path(ContentPath { key, slug, path }): Path<ContentPath>,
) -> Result<Json<Value>, DcError> {
    let (ctx, params, oid, rev) = at(&call, &key, &slug)?;
    let files = match call
        .state
        .store()
        .repo(&ctx.key)
        .ok()
        .and_then(|repo| repo.entry(oid, &path))
    {
        None => return Err(DcError::no_such_path(&path, &rev)),
        Some(Entry::File { .. }) => {
            return Err(DcError::new(
                axum::http::StatusCode::BAD_REQUEST,
                format!("The path \"{path}\" is not a directory at revision \"{rev}\""),
                "com.atlassian.bitbucket.content.NoSuchPathException",
            ))
        }
        Some(Entry::Dir(_)) => call
            .state
            .store()
            .repo(&ctx.key)
            .ok()
            .and_then(|repo| repo.files(oid, &path))
            .unwrap_or_default(),
    };
    let values = files.into_iter().map(Value::String).collect();
    paged(values, &params, 25)
}

/// `GET …/browse` and `…/browse/{path}`: a file as pages of lines, a directory's children (none:
/// the root), or `type=true` / `size=true`.
pub async fn browse(
    call: Call,
    Path(ContentPath { key, slug, path }): Path<ContentPath>,
) -> Result<Json<Value>, DcError> {
    let (ctx, params, oid, rev) = at(&call, &key, &slug)?;
    let path = path.trim_matches('/').to_string();
    let entry = call
        .state
        .store()
        .repo(&ctx.key)
        .ok()
        .and_then(|repo| repo.entry(oid, &path))
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
                        "path": json::path(name),
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
                json!({ "path": json::path(&path), "revision": rev, "children": children }),
            ))
        }
    }
}

/// `GET …/raw/{path}?at=`: the file's bytes.
pub async fn raw(
    call: Call,
    Path(ContentPath { key, slug, path }): Path<ContentPath>,
) -> Result<Response, DcError> {
    let (ctx, _, oid, rev) = at(&call, &key, &slug)?;
    match call
        .state
        .store()
        .repo(&ctx.key)
        .ok()
        .and_then(|repo| repo.entry(oid, &path))
    {
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
