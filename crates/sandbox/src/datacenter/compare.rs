//! `GET …/compare/changes?from=&to=`: the files changed in `from` that are not in `to`.

use axum::extract::Path;
use axum::Json;
use serde_json::{json, Value};

use super::context::{paged, repo_context};
use super::json;
use super::repos::git_error;
use crate::call::Call;
use crate::config::Access;
use crate::errors::DcError;
use crate::store::{ChangeKind, FileChange};

/// `GET …/compare/changes?from={new}&to={old}`: the changes in `from` since its merge base with
/// `to` (for a `to` that `from` descends from: the plain difference), as a page (`start`,
/// `limit`, default 25) of `RestChange`. A missing `from` or `to` is the default branch; an
/// unknown one is 404 `NoSuchCommitException`.
pub async fn changes(
    call: Call,
    Path((key, slug)): Path<(String, String)>,
) -> Result<Json<Value>, DcError> {
    let ctx = repo_context(&call, &key, &slug, Access::Read)?;
    let params = call.params();
    let store = call.state.store();
    let resolve = |name: &str| {
        let rev = params
            .get(name)
            .filter(|r| !r.is_empty())
            .unwrap_or(&ctx.repo.main_branch);
        store
            .repo(&ctx.key)
            .ok()
            .and_then(|repo| repo.resolve(rev))
            .ok_or_else(|| DcError::no_such_commit(rev, &ctx.repo.slug))
    };
    let (from, to) = (resolve("from")?, resolve("to")?);
    let base = store
        .repo(&ctx.key)
        .ok()
        .and_then(|repo| repo.merge_base(from, to));
    let changes = store
        .repo(&ctx.key)
        .and_then(|repo| repo.diff(base, from))
        .map_err(git_error)?;
    paged(changes.iter().map(change_json).collect(), &params, 25)
}

fn change_json(c: &FileChange) -> Value {
    let kind = match c.kind {
        ChangeKind::Added => "ADD",
        ChangeKind::Removed => "DELETE",
        ChangeKind::Modified => "MODIFY",
        ChangeKind::Renamed => "MOVE",
        ChangeKind::Copied => "COPY",
    };
    let path = c.new_path.as_ref().or(c.old_path.as_ref());
    let mut out = json!({
        "path": json::path(path.map(String::as_str).unwrap_or_default()),
        "executable": c.executable,
        "percentUnchanged": -1,
        "type": kind,
        "nodeType": "FILE",
        "properties": { "gitChangeType": kind },
    });
    if let Some(id) = &c.new_id {
        out["contentId"] = json!(id);
    }
    if let Some(id) = &c.old_id {
        out["fromContentId"] = json!(id);
    }
    if matches!(c.kind, ChangeKind::Renamed | ChangeKind::Copied) {
        if let Some(src) = &c.old_path {
            out["srcPath"] = json::path(src);
        }
    }
    out
}
