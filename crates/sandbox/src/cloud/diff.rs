//! `GET …/diffstat/{spec}`: the files changed between two commits, with line counts.

use axum::extract::Path;
use axum::Json;
use serde_json::{json, Value};

use super::refs::git_error;
use super::{path_revision, read_context, RepoContext};
use crate::call::Call;
use crate::errors::CloudError;
use crate::links::encode_path;
use crate::query::cloud_page_sized;
use crate::store::{ChangeKind, FileChange};

/// `GET …/diffstat/{spec}`: `spec` is `NEW..OLD` (the commit with the changes, then the one to
/// compare it with: the reverse of `git diff`) or one commit (compared with its first parent).
/// By default (and with `topic=true`) the changes are those of NEW since its merge base with OLD;
/// `topic=false` or `merge=false` compare the two trees directly. `path` (repeatable) keeps the
/// changes at or under those paths. Pages default to 500 entries, at most 5000.
pub async fn diffstat(
    call: Call,
    Path((ws, slug, spec)): Path<(String, String, String)>,
) -> Result<Json<Value>, CloudError> {
    let ctx = read_context(&call, &ws, &slug)?;
    let store = call.state.store();
    let params = call.params();
    let (new, old) = match spec.split_once("..") {
        Some((new, old)) => {
            let new = path_revision(&call, &ctx, Some(new))?;
            let old = path_revision(&call, &ctx, Some(old))?;
            let direct =
                params.get("topic") == Some("false") || params.get("merge") == Some("false");
            let base = if direct {
                Some(old)
            } else {
                store.merge_base(&ctx.key, new, old)
            };
            (new, base)
        }
        None => {
            let new = path_revision(&call, &ctx, Some(&spec))?;
            let parent = store
                .commit(&ctx.key, new)
                .and_then(|c| c.parents.first().cloned())
                .and_then(|p| git2::Oid::from_str(&p).ok());
            (new, parent)
        }
    };
    let paths: Vec<String> = params
        .0
        .iter()
        .filter(|(k, _)| k == "path")
        .map(|(_, v)| v.trim_matches('/').to_string())
        .filter(|v| !v.is_empty())
        .collect();
    let changes = store.diff(&ctx.key, old, new).map_err(git_error)?;
    let old_hash = old.map(|o| o.to_string()).unwrap_or_default();
    let new_hash = new.to_string();
    let values = changes
        .iter()
        .filter(|c| paths.is_empty() || paths.iter().any(|p| touches(c, p)))
        .map(|c| diffstat_json(&ctx, c, &old_hash, &new_hash))
        .collect();
    let base = format!("{}{}", ctx.origin, call.uri.path());
    cloud_page_sized(values, &params, &base, (500, 5000))
        .map(Json)
        .map_err(CloudError::bad_request)
}

/// Whether a change is at `path` or under the folder `path`, on either side.
fn touches(change: &FileChange, path: &str) -> bool {
    [&change.old_path, &change.new_path]
        .into_iter()
        .flatten()
        .any(|p| p == path || p.strip_prefix(path).is_some_and(|r| r.starts_with('/')))
}

fn diffstat_json(ctx: &RepoContext<'_>, c: &FileChange, old_hash: &str, new_hash: &str) -> Value {
    let file = |path: &Option<String>, hash: &str| match path {
        Some(p) => json!({
            "path": p,
            "escaped_path": p,
            "type": "commit_file",
            "links": { "self": { "href": format!("{}/src/{hash}/{}", ctx.api(), encode_path(p)) } },
        }),
        None => Value::Null,
    };
    let status = match c.kind {
        ChangeKind::Added => "added",
        ChangeKind::Removed => "removed",
        ChangeKind::Renamed => "renamed",
        ChangeKind::Modified | ChangeKind::Copied => "modified",
    };
    json!({
        "type": "diffstat",
        "status": status,
        "lines_added": c.lines_added,
        "lines_removed": c.lines_removed,
        "old": file(&c.old_path, old_hash),
        "new": file(&c.new_path, new_hash),
    })
}
