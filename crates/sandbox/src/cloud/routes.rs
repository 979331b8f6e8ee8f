//! The Cloud routes: each path template with its methods and handlers.

use axum::routing::{get, post};

use super::{diff, pullrequests, refs, src, user};
use crate::route::Route;

/// The Cloud routes.
pub fn table() -> Vec<Route> {
    let repo = "/2.0/repositories/{workspace}/{repo_slug}";
    vec![
        Route::new("/2.0/user", &["GET"], get(user::current)),
        Route::new(
            "/2.0/user/workspaces/{workspace}/permissions/repositories",
            &["GET"],
            get(user::repository_permissions),
        ),
        Route::new(repo, &["GET"], get(refs::repository)),
        Route::new(
            format!("{repo}/refs/branches"),
            &["GET", "POST"],
            get(refs::branches).post(refs::create_branch),
        ),
        Route::new(
            format!("{repo}/refs/branches/{{*name}}"),
            &["GET", "DELETE"],
            get(refs::branch).delete(refs::delete_branch),
        ),
        Route::new(
            format!("{repo}/refs/tags"),
            &["GET", "POST"],
            get(refs::tags).post(refs::create_tag),
        ),
        Route::new(
            format!("{repo}/refs/tags/{{*name}}"),
            &["GET", "DELETE"],
            get(refs::tag).delete(refs::delete_tag),
        ),
        Route::new(
            format!("{repo}/branch-restrictions"),
            &["GET"],
            get(refs::restrictions),
        ),
        Route::new(format!("{repo}/commits"), &["GET"], get(refs::commits)),
        Route::new(
            format!("{repo}/commits/{{revision}}"),
            &["GET"],
            get(refs::commits),
        ),
        Route::new(
            format!("{repo}/diffstat/{{spec}}"),
            &["GET"],
            get(diff::diffstat),
        ),
        Route::new(format!("{repo}/diff/{{spec}}"), &["GET"], get(diff::diff)),
        Route::new(
            format!("{repo}/commit/{{commit}}"),
            &["GET"],
            get(refs::commit),
        ),
        Route::new(
            format!("{repo}/pullrequests"),
            &["GET", "POST"],
            get(pullrequests::list).post(pullrequests::create),
        ),
        Route::new(
            format!("{repo}/pullrequests/{{pull_request_id}}"),
            &["GET"],
            get(pullrequests::get),
        ),
        Route::new(
            format!("{repo}/pullrequests/{{pull_request_id}}/approve"),
            &["POST"],
            post(pullrequests::approve),
        ),
        Route::new(
            format!("{repo}/pullrequests/{{pull_request_id}}/request-changes"),
            &["POST"],
            post(pullrequests::request_changes),
        ),
        Route::new(
            format!("{repo}/pullrequests/{{pull_request_id}}/merge"),
            &["POST"],
            post(pullrequests::merge),
        ),
        Route::new(
            format!("{repo}/pullrequests/{{pull_request_id}}/decline"),
            &["POST"],
            post(pullrequests::decline),
        ),
        Route::new(
            format!("{repo}/src"),
            &["GET", "POST"],
            get(src::read).post(src::create_commit),
        ),
        Route::new(format!("{repo}/src/{{commit}}/"), &["GET"], get(src::read)),
        Route::new(
            format!("{repo}/src/{{commit}}/{{*path}}"),
            &["GET"],
            get(src::read),
        ),
    ]
}
