//! `PUT …/browse/{path}`: commits one file (create or update) like Data Center's editFile.

use std::collections::BTreeMap;

use axum::extract::{Path, Request};
use axum::http::StatusCode;
use axum::Json;
use serde_json::Value;

use super::context::{check_branch_writable, repo_context};
use super::json;
use crate::call::Call;
use crate::config::{Access, FileEditor, SourceBranchOnExisting};
use crate::errors::DcError;
use crate::form::{self, FormKind};

use crate::store::{CommitError, CommitPlan, Expect};

const DEFAULT_MESSAGE: &str = "Edited file via the REST API";

fn conflict(message: String, exception: &str) -> DcError {
    DcError::new(StatusCode::CONFLICT, message, exception)
}

/// Edits or creates the file at `path` on `branch` (multipart `content`, `message`, `branch`,
/// `sourceCommitId`, `sourceBranch`), answering the new commit. A `sourceBranch` other than an existing
/// `branch` is ignored or refused as [`crate::config::DataCenterReadings`] read it; the server's
/// [`crate::config::DataCenterProperties`] may turn file editing off (409) or bound the content's size
/// (413).
pub async fn edit_file(
    call: Call,
    Path((key, slug, path)): Path<(String, String, String)>,
    request: Request,
) -> Result<Json<Value>, DcError> {
    let ctx = repo_context(&call, &key, &slug, Access::Read)?;
    if call.caller.grant.is_some() {
        return Err(DcError::new(
            StatusCode::FORBIDDEN,
            "The request was authenticated using a project or repository access token, which does not have a valid user associated with it",
            "com.atlassian.bitbucket.AuthorisationException",
        ));
    }
    if ctx.access < Access::Write {
        return Err(DcError::not_permitted());
    }
    let config = call.state.config();
    let properties = config.datacenter.properties;
    if properties.file_editor == FileEditor::Disabled {
        // The editFile description lists no answer for a disabled editor; 409 is the one the description
        // gives a feature its property turned off elsewhere (mirroring's repository diagnostics).
        return Err(DcError::new(
            StatusCode::CONFLICT,
            "File editing is disabled on this Bitbucket instance.",
            "com.atlassian.bitbucket.feature.FeatureDisabledException",
        ));
    }
    if form::kind(&request) != FormKind::Multipart {
        return Err(DcError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Expected a multipart/form-data body",
            "com.atlassian.bitbucket.rest.UnsupportedMediaTypeException",
        ));
    }
    let fields = form::read(request).await.map_err(DcError::validation)?;
    let text = |name: &str| {
        fields
            .iter()
            .find(|f| f.name == name)
            .map(|f| String::from_utf8_lossy(&f.data).into_owned())
            .filter(|v| !v.is_empty())
    };
    let content = fields
        .iter()
        .find(|f| f.name == "content")
        .map(|f| f.data.clone());
    let branch =
        text("branch").ok_or_else(|| DcError::validation("The branch parameter is required."))?;
    let content =
        content.ok_or_else(|| DcError::validation("The content parameter is required."))?;
    if content.len() as u64 > properties.upload_max_bytes {
        // What Data Center answers over its upload limit is not documented: 413 in its error shape,
        // without an exception name.
        return Err(DcError {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            message: format!(
                "The file is {} bytes, larger than the {} bytes this server accepts.",
                content.len(),
                properties.upload_max_bytes
            ),
            exception: None,
        });
    }
    let path = crate::store::clean_path(&path)
        .ok_or_else(|| DcError::validation(format!("Invalid path: {path}")))?;
    let store = call.state.store();
    check_branch_writable(&call, &ctx, &branch)?;
    let tip = store
        .repo(&ctx.key)
        .ok()
        .and_then(|repo| repo.branch_tip(&branch));
    let source_commit = match text("sourceCommitId") {
        Some(id) => Some(
            store
                .repo(&ctx.key)
                .ok()
                .and_then(|repo| repo.resolve(&id))
                .ok_or_else(|| DcError::no_such_commit(&id, &slug))?,
        ),
        None => None,
    };
    let short = |name: &str| name.trim_start_matches("refs/heads/").to_string();
    let source_branch = text("sourceBranch").filter(|s| short(s) != short(&branch));
    let reading = config.datacenter.readings.source_branch_on_existing;
    let (base, expect, start) = match (tip, source_branch) {
        (Some(_), Some(source)) if reading == SourceBranchOnExisting::Refuse => {
            return Err(DcError::validation(format!(
                "The branch '{branch}' already exists; sourceBranch '{source}' can only be the starting point of a new branch."
            )))
        }
        (Some(tip), _) => (tip, Expect::Tip(tip), None),
        (None, None) => {
            return Err(DcError::validation(format!(
                "The branch '{branch}' does not exist; send sourceBranch to create it."
            )))
        }
        (None, Some(source)) => {
            let start = store
                .repo(&ctx.key).ok().and_then(|repo| repo.resolve(&source))
                .ok_or_else(|| DcError::no_such_commit(&source, &slug))?;
            (start, Expect::Absent, Some(start))
        }
    };
    let current = store
        .repo(&ctx.key)
        .ok()
        .and_then(|repo| repo.object_at(base, &path));
    // On an existing branch the edit lands on whatever the tip is by then, provided this file is still as
    // read: Data Center checks the file, not the branch (edits of other files in between do not conflict).
    let expect = match expect {
        Expect::Tip(_) => Expect::File {
            path: path.clone(),
            object: current,
        },
        other => other,
    };
    match source_commit {
        Some(source) if store.repo(&ctx.key).ok().and_then(|repo| repo.object_at(source, &path)) != current => {
            return Err(conflict(
                format!("The file '{path}' has been modified since commit {source}; refresh and try again."),
                "com.atlassian.bitbucket.content.FileOutOfDateException",
            ))
        }
        None if current.is_some() => {
            return Err(conflict(
                format!("The file '{path}' already exists on '{branch}'; send its sourceCommitId to update it."),
                "com.atlassian.bitbucket.content.FileAlreadyExistsException",
            ))
        }
        _ => {}
    }
    if current.is_some() && current == git2::Oid::hash_object(git2::ObjectType::Blob, &content).ok()
    {
        return Err(conflict(
            format!("The content of '{path}' is unchanged; no commit was made."),
            "com.atlassian.bitbucket.content.FileContentUnmodifiedException",
        ));
    }
    let user = call
        .caller
        .user
        .as_deref()
        .and_then(|u| config.user(u))
        .ok_or_else(DcError::not_permitted)?;
    let plan = CommitPlan {
        branch: branch.clone(),
        expect,
        start,
        changes: vec![(path.clone(), Some(content))],
        modes: BTreeMap::new(),
        author: (user.name.clone(), user.email.clone()),
        message: text("message").unwrap_or_else(|| DEFAULT_MESSAGE.to_string()),
    };
    let info = store.apply(&ctx.key, &plan).map_err(|e| match e {
        CommitError::Stale { .. } => conflict(
            format!(
                "The file '{path}' changed on '{branch}' while committing; refresh and try again."
            ),
            "com.atlassian.bitbucket.content.FileOutOfDateException",
        ),
        CommitError::BadPath(p) => DcError::validation(format!("Invalid path: {p}")),
        CommitError::NoStart => DcError::validation("No commit to start from."),
        CommitError::Git(m) => DcError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            m,
            "com.atlassian.bitbucket.scm.CommandFailedException",
        ),
    })?;
    Ok(Json(json::commit(&ctx.origin, &config.users, &info)))
}
