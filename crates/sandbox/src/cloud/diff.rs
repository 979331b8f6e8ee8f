//! `GET …/diffstat/{spec}`: the files changed between two commits, with line counts; `GET …/diff/{spec}`:
//! the same change as one raw git patch.

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::context::{path_revision, read_context, RepoContext};
use super::refs::git_error;
use crate::call::Call;
use crate::config::{CloudReadings, PathMatch, RepeatedPath};
use crate::errors::CloudError;
use crate::links::encode_path;
use crate::query::Params;
use crate::store::{ChangeKind, FileChange, PatchOptions};

/// `GET …/diffstat/{spec}`: `spec` is `NEW..OLD` (the commit with the changes, then the one to
/// compare it with: the reverse of `git diff`) or one commit (compared with its first parent).
/// By default (and with `topic=true`) the changes are those of NEW since its merge base with OLD;
/// `topic=false` compares the two trees directly; `merge`, which Cloud removed, is refused. `path`
/// keeps the changes whose old or new path it selects, as the configuration's
/// [`crate::config::CloudReadings`] read it (by default: one file, and only the last `path` counts). Pages default
/// to 500 entries; a `pagelen` above 100 is refused or capped as the configuration says. A diffstat whose
/// files (all of them, not only the page's) take longer than the time limit to produce: 555.
pub async fn diffstat(
    call: Call,
    Path((ws, slug, spec)): Path<(String, String, String)>,
) -> Result<Json<Value>, CloudError> {
    let ctx = read_context(&call, &ws, &slug)?;
    let store = call.state.store();
    let params = call.params();
    let (new, old) = spec_commits(&call, &ctx, &spec)?;
    let readings = call.state.config().cloud.readings;
    let paths = counted_paths(&params, readings);
    let changes = store
        .repo(&ctx.key)
        .and_then(|repo| repo.diff(old, new))
        .map_err(git_error)?;
    let old_hash = old.map(|o| o.to_string()).unwrap_or_default();
    let new_hash = new.to_string();
    let values: Vec<Value> = changes
        .iter()
        .filter(|c| selected(c, &paths, readings.diffstat_path))
        .map(|c| diffstat_json(&ctx, c, &old_hash, &new_hash))
        .collect();
    if !call.state.config().cloud.time_limit.allows(values.len(), 0) {
        return Err(too_slow());
    }
    call.cloud_page(values, DIFFSTAT_PAGELEN)
}

/// The `pagelen` of a diffstat when the request gives none (Cloud's own default, above the maximum a
/// client may ask for).
const DIFFSTAT_PAGELEN: usize = 500;

/// Cloud's answer to a `diff`, `diffstat` or `src` listing it could not produce within its time limit
/// ([`crate::config::TimeLimit`]).
pub(super) fn too_slow() -> CloudError {
    let status = StatusCode::from_u16(555).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    CloudError::new(
        status,
        "The request took too long to process and was stopped.",
    )
}

/// `GET …/diff/{spec}`: the raw git patch between the commits of `spec` (read as for
/// [`diffstat`]), `text/plain`. `path` limits it to the files it selects, read as for [`diffstat`] (Cloud
/// documents it there in the same words); `context` sets the unchanged lines around each change (3); `binary=false` leaves binary files out;
/// `renames=false` shows a move as a deletion and an addition. A patch whose files and bytes take longer
/// than the time limit to produce: 555.
pub async fn diff(
    call: Call,
    Path((ws, slug, spec)): Path<(String, String, String)>,
) -> Result<Response, CloudError> {
    let ctx = read_context(&call, &ws, &slug)?;
    let params = call.params();
    let (new, old) = spec_commits(&call, &ctx, &spec)?;
    let store = call.state.store();
    let readings = call.state.config().cloud.readings;
    let paths = counted_paths(&params, readings);
    // The files the paths select, named one by one: the patch shows what the diffstat lists.
    let files: Vec<String> = match paths.is_empty() {
        true => Vec::new(),
        false => store
            .repo(&ctx.key)
            .and_then(|repo| repo.diff(old, new))
            .map_err(git_error)?
            .into_iter()
            .filter(|c| selected(c, &paths, readings.diffstat_path))
            .flat_map(|c| [c.old_path, c.new_path])
            .flatten()
            .collect(),
    };
    let flag = |name: &str| params.get(name) != Some("false");
    let options = PatchOptions {
        context: match params.number("context").map_err(CloudError::bad_request)? {
            Some(lines) => u32::try_from(lines).unwrap_or(u32::MAX),
            None => 3,
        },
        binary: flag("binary"),
        renames: flag("renames"),
        time_limit: call.state.config().cloud.time_limit,
    };
    let patch = match (paths.is_empty(), files.is_empty()) {
        (false, true) => Vec::new(),
        _ => store
            .repo(&ctx.key)
            .and_then(|repo| repo.patch((old, new), &files, options))
            .map_err(git_error)?
            .ok_or_else(too_slow)?,
    };
    let mut response = patch.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    Ok(response)
}

/// The commits of a spec `NEW..OLD` (with `topic=false` the two trees compared directly, otherwise
/// NEW against its merge base with OLD) or `NEW` (against its first parent). `merge`, which Cloud
/// removed from `diff` and `diffstat` (its description said it could not be used with `topic`), is
/// refused with 400 whatever its value.
fn spec_commits(
    call: &Call,
    ctx: &RepoContext<'_>,
    spec: &str,
) -> Result<(git2::Oid, Option<git2::Oid>), CloudError> {
    let store = call.state.store();
    let params = call.params();
    if params.get("merge").is_some() {
        return Err(CloudError::bad_request(
            "The 'merge' parameter is no longer supported: use 'topic' instead.",
        ));
    }
    Ok(match spec.split_once("..") {
        Some((new, old)) => {
            let new = path_revision(call, ctx, Some(new))?;
            let old = path_revision(call, ctx, Some(old))?;
            let direct = params.get("topic") == Some("false");
            let base = if direct {
                Some(old)
            } else {
                store
                    .repo(&ctx.key)
                    .ok()
                    .and_then(|repo| repo.merge_base(new, old))
            };
            (new, base)
        }
        None => {
            let new = path_revision(call, ctx, Some(spec))?;
            let parent = store
                .repo(&ctx.key)
                .ok()
                .and_then(|repo| repo.commit(new))
                .and_then(|c| c.parents.first().cloned())
                .and_then(|p| git2::Oid::from_str(&p).ok());
            (new, parent)
        }
    })
}

/// The non-empty `path` parameters that count, without surrounding slashes: all of them, or the last
/// only, as the configuration reads repeated ones.
fn counted_paths(params: &Params, readings: CloudReadings) -> Vec<String> {
    let mut paths: Vec<String> = params
        .all("path")
        .map(|v| v.trim_matches('/').to_string())
        .filter(|v| !v.is_empty())
        .collect();
    if readings.diffstat_repeated_path == RepeatedPath::Last {
        paths = paths.split_off(paths.len().saturating_sub(1));
    }
    paths
}

/// Whether `paths` (none: every change) select a change, as the configuration reads one `path`.
fn selected(change: &FileChange, paths: &[String], reading: PathMatch) -> bool {
    paths.is_empty() || paths.iter().any(|p| touches(change, p, reading))
}

/// Whether a change is at `path` (or, read as [`PathMatch::FileOrFolder`], under the folder `path`),
/// on either side.
fn touches(change: &FileChange, path: &str, reading: PathMatch) -> bool {
    let under = |p: &str| p.strip_prefix(path).is_some_and(|r| r.starts_with('/'));
    [&change.old_path, &change.new_path]
        .into_iter()
        .flatten()
        .any(|p| p == path || (reading == PathMatch::FileOrFolder && under(p)))
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
