//! The Data Center routes: each path template with its methods and handlers.

use axum::routing::{delete, get, post, put};

use super::{archive, compare, content, edit, pull_requests, repos};
use crate::route::Route;

/// The Data Center routes (`api/latest` and `api/1.0`; branch utilities `latest`; branch
/// permissions `latest` and `2.0`; `git/latest` tag deletion).
pub fn table() -> Vec<Route> {
    let mut routes = Vec::new();
    for version in ["latest", "1.0"] {
        let api = format!("/rest/api/{version}");
        let repo = format!("{api}/projects/{{projectKey}}/repos/{{repositorySlug}}");
        routes.extend([
            Route::new(
                format!("{api}/application-properties"),
                &["GET"],
                get(repos::application_properties),
            ),
            Route::new(
                format!("{api}/users/{{userSlug}}"),
                &["GET"],
                get(repos::user),
            ),
            Route::new(format!("{api}/repos"), &["GET"], get(repos::search)),
            Route::new(repo.clone(), &["GET"], get(repos::repository)),
            Route::new(
                format!("{repo}/default-branch"),
                &["GET"],
                get(repos::default_branch),
            ),
            Route::new(format!("{repo}/branches"), &["GET"], get(repos::branches)),
            Route::new(
                format!("{repo}/tags"),
                &["GET", "POST"],
                get(repos::tags).post(repos::create_tag),
            ),
            Route::new(format!("{repo}/tags/{{*name}}"), &["GET"], get(repos::tag)),
            Route::new(format!("{repo}/commits"), &["GET"], get(repos::commits)),
            Route::new(
                format!("{repo}/compare/changes"),
                &["GET"],
                get(compare::changes),
            ),
            Route::new(format!("{repo}/files"), &["GET"], get(content::files)),
            Route::new(
                format!("{repo}/files/{{*path}}"),
                &["GET"],
                get(content::files),
            ),
            Route::new(format!("{repo}/browse"), &["GET"], get(content::browse)),
            Route::new(
                format!("{repo}/browse/{{*path}}"),
                &["GET", "PUT"],
                get(content::browse).put(edit::edit_file),
            ),
            Route::new(format!("{repo}/raw/{{*path}}"), &["GET"], get(content::raw)),
            Route::new(format!("{repo}/archive"), &["GET"], get(archive::archive)),
            Route::new(
                format!("{repo}/pull-requests"),
                &["GET", "POST"],
                get(pull_requests::list).post(pull_requests::create),
            ),
            Route::new(
                format!("{repo}/pull-requests/{{pullRequestId}}"),
                &["GET"],
                get(pull_requests::get),
            ),
            Route::new(
                format!("{repo}/pull-requests/{{pullRequestId}}/participants/{{userSlug}}"),
                &["PUT"],
                put(pull_requests::participant_status),
            ),
            Route::new(
                format!("{repo}/pull-requests/{{pullRequestId}}/approve"),
                &["POST"],
                post(pull_requests::approve),
            ),
            Route::new(
                format!("{repo}/pull-requests/{{pullRequestId}}/merge"),
                &["POST"],
                post(pull_requests::merge),
            ),
            Route::new(
                format!("{repo}/pull-requests/{{pullRequestId}}/decline"),
                &["POST"],
                post(pull_requests::decline),
            ),
        ]);
    }
    routes.push(Route::new(
        "/rest/branch-utils/latest/projects/{projectKey}/repos/{repositorySlug}/branches",
        &["POST", "DELETE"],
        post(repos::create_branch).delete(repos::delete_branch),
    ));
    routes.push(Route::new(
        "/rest/git/latest/projects/{projectKey}/repos/{repositorySlug}/tags/{*name}",
        &["DELETE"],
        delete(repos::delete_tag),
    ));
    for version in ["latest", "2.0"] {
        routes.push(Route::new(
            format!("/rest/branch-permissions/{version}/projects/{{projectKey}}/repos/{{repositorySlug}}/restrictions"),
            &["GET"],
            get(repos::restrictions),
        ));
    }
    routes
}
