//! `…/src`: reading trees and files, and `POST …/src` committing many files at once.

use std::collections::BTreeMap;

use axum::extract::{Path, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use super::context::{path_revision, read_context, repo_context, WRITE};
use super::json::{self, commit_ref};
use super::refs::{git_error, restriction_refusal};
use crate::call::Call;
use crate::config::Access;
use crate::errors::CloudError;
use crate::form::{self, Field};
use crate::links::mime;
use crate::query::CLOUD_DEFAULT_PAGELEN;
use crate::restrictions::cloud_push_blocker;
use crate::store::{CommitError, CommitPlan, Entry, Expect, FileMode};

const META_FIELDS: [&str; 5] = ["message", "author", "parents", "branch", "files"];
const DEFAULT_MESSAGE: &str = "Edited online with Bitbucket";

/// Path of `…/src` (the main branch's root), `…/src/{commit}/` and `…/src/{commit}/{path}`.
#[derive(Deserialize)]
pub struct SrcPath {
    workspace: String,
    repo_slug: String,
    #[serde(default)]
    commit: Option<String>,
    #[serde(default)]
    path: String,
}

/// `GET …/src`, `…/src/{commit}/` and `…/src/{commit}/{path}`: a directory listing, a file's
/// bytes, or `format=meta`. A listing of a folder whose entries take longer than the time limit to
/// list: 555.
pub async fn read(
    call: Call,
    Path(SrcPath {
        workspace: ws,
        repo_slug: slug,
        commit,
        path,
    }): Path<SrcPath>,
) -> Result<Response, CloudError> {
    let ctx = read_context(&call, &ws, &slug)?;
    let oid = path_revision(&call, &ctx, commit.as_deref())?;
    let hash = oid.to_string();
    let path = path.trim_matches('/').to_string();
    let entry = call
        .state
        .store()
        .repo(&ctx.key)
        .ok()
        .and_then(|repo| repo.entry(oid, &path))
        .ok_or_else(|| CloudError::not_found(format!("No such file or directory: {path}")))?;
    let params = call.params();
    let meta = params.get("format") == Some("meta");
    match entry {
        Entry::File { data, mode, id } => {
            if meta {
                let child = crate::store::Child {
                    path: path.clone(),
                    is_dir: false,
                    size: data.len() as u64,
                    mode,
                    id: String::new(),
                };
                return Ok(Json(json::tree_entry(&ctx, &hash, &child)).into_response());
            }
            let etag = format!("\"{id}\"");
            let mut response = data.into_response();
            let h = response.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime(&path)));
            if let Ok(v) = HeaderValue::from_str(&etag) {
                h.insert(header::ETAG, v);
            }
            h.insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment"),
            );
            Ok(response)
        }
        Entry::Dir(children) => {
            // A listing covers the folder's entries, whichever page is asked for.
            let time_limit = call.state.config().cloud.time_limit;
            if !meta && !time_limit.allows(children.len(), 0) {
                return Err(super::diff::too_slow());
            }
            if meta {
                let mut out = json!({ "type": "commit_directory", "path": path, "commit": commit_ref(&ctx, &hash) });
                out["links"] =
                    json!({ "self": { "href": format!("{}/src/{hash}/{path}", ctx.api()) } });
                return Ok(Json(out).into_response());
            }
            let values = children
                .iter()
                .map(|c| json::tree_entry(&ctx, &hash, c))
                .collect();
            Ok(call
                .cloud_page(values, CLOUD_DEFAULT_PAGELEN)?
                .into_response())
        }
    }
}

/// What a `POST …/src` form asks for.
#[derive(Debug, Default)]
struct CommitForm {
    message: Option<String>,
    author: Option<String>,
    parents: Option<String>,
    branch: Option<String>,
    deletions: Vec<String>,
    files: Vec<(String, Vec<u8>)>,
    /// Uploaded files with `x-attributes: executable` or `link` (other attributes are ignored).
    modes: BTreeMap<String, FileMode>,
}

fn parse_form(fields: Vec<Field>) -> Result<CommitForm, CloudError> {
    let mut form = CommitForm::default();
    for field in fields {
        let text = || String::from_utf8_lossy(&field.data).into_owned();
        let is_meta = META_FIELDS.contains(&field.name.as_str()) && field.filename.is_none();
        if !is_meta {
            let mode = match field.attributes.as_deref() {
                Some("executable") => Some(FileMode::Executable),
                Some("link") => Some(FileMode::Link),
                _ => None,
            };
            if let Some(mode) = mode {
                form.modes.insert(field.name.clone(), mode);
            }
            form.files.push((field.name.clone(), field.data.clone()));
            continue;
        }
        match field.name.as_str() {
            "message" => form.message = Some(text()),
            "author" => form.author = Some(text()),
            "parents" => {
                if form.parents.is_some() {
                    return Err(CloudError::bad_request(
                        "Multiple parents are not supported",
                    ));
                }
                form.parents = Some(text());
            }
            "branch" => {
                if form.branch.is_some() {
                    return Err(CloudError::bad_request("branch may not be repeated"));
                }
                form.branch = Some(text());
            }
            _ => form.deletions.push(text()),
        }
    }
    Ok(form)
}

fn parse_author(raw: &str) -> Option<(String, String)> {
    let (name, rest) = raw.split_once('<')?;
    let email = rest.strip_suffix('>')?.trim();
    let name = name.trim();
    (!name.is_empty() && email.contains('@')).then(|| (name.to_string(), email.to_string()))
}

/// `POST …/src`: one commit with every file field written and every `files` path not uploaded deleted.
pub async fn create_commit(
    call: Call,
    Path((ws, slug)): Path<(String, String)>,
    request: Request,
) -> Result<Response, CloudError> {
    call.caller.require_scopes(WRITE.0, WRITE.1)?;
    if call.caller.is_anonymous() {
        return Err(CloudError::new(
            StatusCode::UNAUTHORIZED,
            "Anonymous commits are not allowed",
        ));
    }
    let ctx = repo_context(&call, &ws, &slug, Access::Write)?;
    let form = parse_form(form::read(request).await.map_err(CloudError::bad_request)?)?;
    let config = call.state.config();
    let author = match &form.author {
        Some(raw) => parse_author(raw).ok_or_else(|| {
            CloudError::bad_request("The author must look like: Name <email@example.com>")
        })?,
        None => call.identity().unwrap_or_default(),
    };
    let store = call.state.store();
    let main = ctx.repo.main_branch.clone();
    let branch = form
        .branch
        .clone()
        .filter(|b| !b.trim().is_empty())
        .unwrap_or_else(|| main.clone());
    let parents = match &form.parents {
        Some(p) => Some(
            store
                .repo(&ctx.key)
                .ok()
                .and_then(|repo| repo.resolve(p.trim()))
                .ok_or_else(|| {
                    CloudError::new(
                        StatusCode::CONFLICT,
                        format!("Parent commit {p} does not exist."),
                    )
                })?,
        ),
        None => None,
    };
    let tip = store
        .repo(&ctx.key)
        .ok()
        .and_then(|repo| repo.branch_tip(&branch));
    let (expect, start) = match (tip, parents) {
        (Some(tip), Some(p)) if p != tip => {
            return Err(CloudError::new(
                StatusCode::CONFLICT,
                format!(
                "The branch \"{branch}\" has moved: its tip is {tip}, not the given parent {p}."
            ),
            ))
        }
        (Some(tip), Some(_)) => (Expect::Tip(tip), None),
        // Without `parents` there is no optimistic check: the commit lands on the newest tip.
        (Some(_), None) => (Expect::Any, None),
        (None, Some(p)) => (Expect::Absent, Some(p)),
        (None, None) => (
            Expect::Absent,
            store
                .repo(&ctx.key)
                .ok()
                .and_then(|repo| repo.branch_tip(&main)),
        ),
    };
    if let Some(r) = cloud_push_blocker(config, ctx.repo, &branch, &call.caller) {
        return Err(restriction_refusal(
            &branch,
            r.pattern.as_deref().unwrap_or_default(),
        ));
    }
    let mut changes: Vec<(String, Option<Vec<u8>>)> = Vec::new();
    for (path, data) in form.files {
        changes.push((path, Some(data)));
    }
    let uploaded: Vec<String> = changes
        .iter()
        .filter_map(|(p, _)| crate::store::clean_path(p))
        .collect();
    for path in form.deletions {
        if crate::store::clean_path(&path).is_some_and(|c| !uploaded.contains(&c)) {
            changes.push((path, None));
        }
    }
    let plan = CommitPlan {
        branch: branch.clone(),
        expect,
        start,
        changes,
        modes: form.modes,
        author,
        message: form.message.unwrap_or_else(|| DEFAULT_MESSAGE.to_string()),
    };
    let info = store.apply(&ctx.key, &plan).map_err(|e| match e {
        CommitError::Stale { .. } => CloudError::new(
            StatusCode::CONFLICT,
            format!("The branch \"{branch}\" changed while committing; retry."),
        ),
        CommitError::BadPath(p) => CloudError::bad_request(format!("Invalid path: {p}")),
        CommitError::NoStart => CloudError::bad_request("No parent commit to start from"),
        CommitError::Git(m) => git_error(git2::Error::from_str(&m)),
    })?;
    let mut response = StatusCode::CREATED.into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("{}/commit/{}", ctx.api(), info.hash)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authors_need_name_and_email() {
        assert_eq!(
            parse_author("Ada Admin <ada@example.com>"),
            Some(("Ada Admin".into(), "ada@example.com".into()))
        );
        assert_eq!(parse_author("ada@example.com"), None);
    }

    #[test]
    fn a_leading_slash_or_file_name_makes_a_meta_name_a_file() {
        let field = |name: &str, filename: Option<&str>| Field {
            name: name.into(),
            filename: filename.map(str::to_string),
            attributes: None,
            data: b"x".to_vec(),
        };
        let form = parse_form(vec![
            field("message", None),
            field("/message", None),
            field("branch", Some("b")),
        ])
        .unwrap();
        assert_eq!(form.message.as_deref(), Some("x"));
        assert_eq!(form.files.len(), 2);
    }
}
