//! Cloud pull requests: `…/pullrequests` (list, create) and `…/pullrequests/{id}` with `approve`,
//! `request-changes`, `merge` and `decline`, with the scopes the description gives each operation.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::context::{repo_context, RepoContext};
use super::json::account;
use crate::call::Call;
use crate::config::Access;
use crate::errors::CloudError;
use crate::links::uuid;
use crate::pull_requests::{actor, Opening, PullRequest, Refusal, State, Verdict};
use crate::query::{Filter, CLOUD_DEFAULT_PAGELEN};
use crate::store::{MergeHow, MergeStrategy};
use crate::time::iso8601;

/// Scopes of reading pull requests: API-token scope, access-token scope.
const READ_PR: (&[&str], &[&str]) = (&["read:pullrequest:bitbucket"], &["pullrequest"]);
/// Scopes of changing them.
const WRITE_PR: (&[&str], &[&str]) = (
    &["read:pullrequest:bitbucket", "write:pullrequest:bitbucket"],
    &["pullrequest:write"],
);
/// The merge strategies the sandbox's repositories allow, the default first.
const STRATEGIES: [&str; 3] = ["merge_commit", "squash", "fast_forward"];

type Repo = Path<(String, String)>;
type One = Path<(String, String, u64)>;

fn context<'a>(
    call: &'a Call,
    (ws, slug): (&str, &str),
    scopes: (&[&str], &[&str]),
    need: Access,
) -> Result<RepoContext<'a>, CloudError> {
    call.caller.require_scopes(scopes.0, scopes.1)?;
    repo_context(call, ws, slug, need)
}

/// A user named by the sandbox (or an access token's pseudo-user).
fn user(call: &Call, ctx: &RepoContext<'_>, name: &str) -> Value {
    match call.state.config().user(name) {
        Some(u) => account(&ctx.origin, u),
        None => {
            json!({ "type": "user", "display_name": name, "uuid": uuid(&format!("token:{name}")) })
        }
    }
}

/// The `pullrequest` object.
fn object(call: &Call, ctx: &RepoContext<'_>, pr: &PullRequest) -> Value {
    let store = call.state.store();
    let endpoint = |branch: &str, destination: bool| {
        let hash = store
            .repo(&ctx.key)
            .ok()
            .and_then(|repo| repo.branch_tip(branch))
            .map(|o| o.to_string());
        let mut branch = json!({ "name": branch });
        if destination {
            branch["merge_strategies"] = json!(STRATEGIES);
            branch["default_merge_strategy"] = json!(STRATEGIES[0]);
        }
        json!({
            "branch": branch,
            "commit": hash.map(|h| json!({ "type": "commit", "hash": h })),
            "repository": super::json::repository_ref(ctx),
        })
    };
    let participants: Vec<Value> = pr
        .opened
        .reviewers
        .iter()
        .chain(
            pr.verdicts
                .keys()
                .filter(|u| !pr.opened.reviewers.contains(u)),
        )
        .map(|name| {
            let verdict = pr.verdicts.get(name);
            json!({
                "type": "participant",
                "user": user(call, ctx, name),
                "role": if pr.opened.reviewers.contains(name) { "REVIEWER" } else { "PARTICIPANT" },
                "approved": verdict == Some(&Verdict::Approved),
                "state": match verdict {
                    Some(Verdict::Approved) => json!("approved"),
                    Some(Verdict::ChangesRequested) => json!("changes_requested"),
                    None => Value::Null,
                },
                "participated_on": verdict.map(|_| iso8601(pr.updated, 0)),
            })
        })
        .collect();
    let api = format!("{}/pullrequests/{}", ctx.api(), pr.id);
    let link = |path: &str| json!({ "href": format!("{api}{path}") });
    json!({
        "type": "pullrequest",
        "id": pr.id,
        "title": pr.opened.title,
        "description": pr.opened.description,
        "summary": { "type": "rendered", "raw": pr.opened.description, "markup": "markdown", "html": "" },
        "state": match pr.state {
            State::Open => "OPEN",
            State::Merged => "MERGED",
            State::Declined => "DECLINED",
        },
        "author": user(call, ctx, &pr.opened.author),
        "source": endpoint(&pr.opened.source, false),
        "destination": endpoint(&pr.opened.destination, true),
        "merge_commit": pr.merge_commit.as_ref().map(|h| json!({ "type": "commit", "hash": h })),
        "comment_count": 0,
        "task_count": 0,
        "close_source_branch": false,
        "closed_by": pr.closed_by.as_ref().map(|u| user(call, ctx, u)),
        "reason": "",
        "created_on": iso8601(pr.created, 0),
        "updated_on": iso8601(pr.updated, 0),
        "reviewers": pr.opened.reviewers.iter().map(|u| user(call, ctx, u)).collect::<Vec<_>>(),
        "participants": participants,
        "draft": false,
        "queued": false,
        "links": {
            "self": link(""),
            "html": { "href": format!("{}/pull-requests/{}", ctx.web(), pr.id) },
            "commits": link("/commits"),
            "approve": link("/approve"),
            "request-changes": link("/request-changes"),
            "diff": link("/diff"),
            "diffstat": link("/diffstat"),
            "comments": link("/comments"),
            "activity": link("/activity"),
            "merge": link("/merge"),
            "decline": link("/decline"),
        },
    })
}

/// Cloud's words for a refusal.
fn refused(refusal: Refusal) -> CloudError {
    match refusal {
        Refusal::NoSuchBranch(name) => {
            CloudError::bad_request(format!("source: branch not found: {name}"))
        }
        Refusal::SameBranch => {
            CloudError::bad_request("source and destination: must be different branches")
        }
        Refusal::NothingToMerge => CloudError::bad_request("There are no changes to be pulled"),
        Refusal::Duplicate(id) => CloudError::bad_request(format!(
            "There is already an open pull request (#{id}) from this source branch to this destination branch."
        )),
        Refusal::NoSuchPullRequest(_) => CloudError::not_found("Pull request not found."),
        Refusal::NotOpen | Refusal::StaleVersion => {
            CloudError::bad_request("The pull request is not open.")
        }
        Refusal::OwnPullRequest => {
            CloudError::bad_request("You can't approve or request changes on your own pull request.")
        }
        Refusal::Conflicts => CloudError::new(
            StatusCode::CONFLICT,
            "Unable to merge: the pull request has conflicts, or one of its branches changed while merging.",
        ),
        Refusal::NotFastForward => CloudError::bad_request(
            "The destination branch has moved on: it cannot be fast-forwarded. Choose another merge strategy.",
        ),
        Refusal::Git(message) => CloudError::new(StatusCode::INTERNAL_SERVER_ERROR, message),
    }
}

/// Body of `POST …/pullrequests`.
#[derive(Deserialize, Default)]
pub struct NewPullRequest {
    title: Option<String>,
    description: Option<String>,
    source: Option<Endpoint>,
    destination: Option<Endpoint>,
    #[serde(default)]
    reviewers: Vec<Reviewer>,
}

/// `source` or `destination` of a new pull request.
#[derive(Deserialize)]
pub struct Endpoint {
    branch: Option<Name>,
}

/// `{"name": …}`.
#[derive(Deserialize)]
pub struct Name {
    name: String,
}

/// A reviewer, by `uuid` or `account_id`.
#[derive(Deserialize)]
pub struct Reviewer {
    uuid: Option<String>,
    account_id: Option<String>,
}

/// `GET …/pullrequests` with `state` (repeatable; default `OPEN`) and `q` (e.g.
/// `source.branch.name="x"`).
pub async fn list(call: Call, Path((ws, slug)): Repo) -> Result<Json<Value>, CloudError> {
    let ctx = context(&call, (&ws, &slug), READ_PR, Access::Read)?;
    let params = call.params();
    let states: Vec<&str> = params.all("state").collect();
    let states = if states.is_empty() {
        vec!["OPEN"]
    } else {
        states
    };
    let filter = Filter::parse(params.get("q").unwrap_or("")).map_err(CloudError::bad_request)?;
    let mut values = Vec::new();
    for pr in call.state.pull_requests().list(&ctx.key) {
        let value = object(&call, &ctx, &pr);
        let state = value["state"].as_str().unwrap_or_default().to_owned();
        let fields = |f: &str| match f {
            "source.branch.name" => Some(pr.opened.source.clone()),
            "destination.branch.name" => Some(pr.opened.destination.clone()),
            "state" => Some(state.clone()),
            "title" => Some(pr.opened.title.clone()),
            _ => None,
        };
        if states.contains(&state.as_str())
            && filter.matches(fields).map_err(CloudError::bad_request)?
        {
            values.push(value);
        }
    }
    call.cloud_page(values, CLOUD_DEFAULT_PAGELEN)
}

/// `POST …/pullrequests`: 201 with the pull request; 400 without a title or source, for an unknown
/// branch or reviewer, the same branches, nothing to merge, or one open for the same branches.
pub async fn create(
    call: Call,
    Path((ws, slug)): Repo,
    body: Result<Json<NewPullRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, CloudError> {
    let ctx = context(&call, (&ws, &slug), WRITE_PR, Access::Read)?;
    let Json(body) = body.map_err(|e| CloudError::bad_request(e.body_text()))?;
    let title = body
        .title
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| CloudError::bad_request("title: This field is required."))?;
    let source = body
        .source
        .and_then(|s| s.branch)
        .ok_or_else(|| CloudError::bad_request("source: This field is required."))?;
    let destination = match body.destination.and_then(|d| d.branch) {
        Some(branch) => branch.name,
        None => ctx.repo.main_branch.clone(),
    };
    let users = &call.state.config().users;
    let mut reviewers = Vec::new();
    for reviewer in &body.reviewers {
        let found = users.iter().find(|u| {
            let id = uuid(&format!("user:{}", u.username));
            reviewer.uuid.as_deref() == Some(id.as_str())
                || reviewer.account_id.as_deref() == Some(&format!("712020:{}", &id[1..37]))
        });
        let found = found.ok_or_else(|| {
            CloudError::bad_request(format!(
                "reviewers: {} is not a valid user",
                reviewer
                    .uuid
                    .clone()
                    .or(reviewer.account_id.clone())
                    .unwrap_or_default()
            ))
        })?;
        reviewers.push(found.username.clone());
    }
    let opening = Opening {
        title,
        description: body.description.unwrap_or_default(),
        source: source.name,
        destination,
        author: actor(&call.caller),
        reviewers,
    };
    let created = call
        .state
        .pull_requests()
        .open(call.state.store(), &ctx.key, opening)
        .map_err(refused)?;
    Ok((StatusCode::CREATED, Json(object(&call, &ctx, &created))).into_response())
}

/// `GET …/pullrequests/{id}`.
pub async fn get(call: Call, Path((ws, slug, id)): One) -> Result<Json<Value>, CloudError> {
    let ctx = context(&call, (&ws, &slug), READ_PR, Access::Read)?;
    let pr = call
        .state
        .pull_requests()
        .get(&ctx.key, id)
        .map_err(refused)?;
    Ok(Json(object(&call, &ctx, &pr)))
}

/// A verdict: 200 with the `participant`.
async fn review(
    call: Call,
    (ws, slug, id): (String, String, u64),
    verdict: Verdict,
) -> Result<Json<Value>, CloudError> {
    let ctx = context(&call, (&ws, &slug), WRITE_PR, Access::Read)?;
    let name = actor(&call.caller);
    call.state
        .pull_requests()
        .review(&ctx.key, id, &name, Some(verdict))
        .map_err(refused)?;
    Ok(Json(json!({
        "type": "participant",
        "user": user(&call, &ctx, &name),
        "role": "PARTICIPANT",
        "approved": verdict == Verdict::Approved,
        "state": match verdict {
            Verdict::Approved => "approved",
            Verdict::ChangesRequested => "changes_requested",
        },
        "participated_on": iso8601(crate::time::now_secs(), 0),
    })))
}

/// `POST …/pullrequests/{id}/approve`.
pub async fn approve(call: Call, Path(one): One) -> Result<Json<Value>, CloudError> {
    review(call, one, Verdict::Approved).await
}

/// `POST …/pullrequests/{id}/request-changes`.
pub async fn request_changes(call: Call, Path(one): One) -> Result<Json<Value>, CloudError> {
    review(call, one, Verdict::ChangesRequested).await
}

/// Body of `POST …/merge` (`pullrequest_merge_parameters`).
#[derive(Deserialize, Default)]
pub struct MergeParameters {
    message: Option<String>,
    merge_strategy: Option<String>,
}

/// `POST …/pullrequests/{id}/merge`: write permission; a real git merge (`merge_commit`, `squash`,
/// `fast_forward`). A `push` restriction does not apply: merging through a pull request is its own
/// right in Cloud.
pub async fn merge(
    call: Call,
    Path((ws, slug, id)): One,
    body: Option<Json<MergeParameters>>,
) -> Result<Json<Value>, CloudError> {
    let ctx = context(&call, (&ws, &slug), WRITE_PR, Access::Write)?;
    let Json(body) = body.unwrap_or_default();
    let pulls = call.state.pull_requests();
    let pr = pulls.get(&ctx.key, id).map_err(refused)?;
    let strategy = match body.merge_strategy.as_deref().unwrap_or(STRATEGIES[0]) {
        "merge_commit" => MergeStrategy::MergeCommit,
        "squash" => MergeStrategy::Squash,
        "fast_forward" => MergeStrategy::FastForward,
        other => {
            return Err(CloudError::bad_request(format!(
                "merge_strategy: {other} is not allowed for this branch; allowed: {}",
                STRATEGIES.join(", ")
            )))
        }
    };
    let (name, email) = call.identity().unwrap_or_default();
    let message = body.message.unwrap_or_else(|| {
        format!(
            "Merged in {} (pull request #{id})\n\n{}",
            pr.opened.source, pr.opened.title
        )
    });
    let how = MergeHow {
        strategy,
        message: &message,
        author: (&name, &email),
    };
    let merged = pulls
        .merge(
            call.state.store(),
            &ctx.key,
            (id, None),
            &actor(&call.caller),
            &how,
        )
        .map_err(refused)?;
    Ok(Json(object(&call, &ctx, &merged)))
}

/// `POST …/pullrequests/{id}/decline`.
pub async fn decline(call: Call, Path((ws, slug, id)): One) -> Result<Json<Value>, CloudError> {
    let ctx = context(&call, (&ws, &slug), WRITE_PR, Access::Read)?;
    let declined = call
        .state
        .pull_requests()
        .decline(&ctx.key, id, None, &actor(&call.caller))
        .map_err(refused)?;
    Ok(Json(object(&call, &ctx, &declined)))
}
