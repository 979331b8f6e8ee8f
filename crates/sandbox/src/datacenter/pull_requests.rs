//! Data Center pull requests: `…/pull-requests` (list, create), `…/pull-requests/{id}`, a participant's
//! status (`PUT …/participants/{userSlug}`, and the deprecated `POST …/approve`), `merge` and
//! `decline` (both with `version`). REPO_READ for everything but merging (REPO_WRITE, and no
//! `read-only` branch permission on the target the caller is not exempt from).

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::context::{paged, repo_context, RepoContext};
use super::json::{repository, user as user_json};
use crate::call::Call;
use crate::config::{Access, DcRestrictionType};
use crate::errors::DcError;
use crate::pull_requests::{actor, Opening, PullRequest, Refusal, State, Verdict};
use crate::restrictions::dc_write_blocker;
use crate::store::{MergeHow, MergeStrategy};

type Repo = Path<(String, String)>;
type One = Path<(String, String, u64)>;

const EXCEPTIONS: &str = "com.atlassian.bitbucket.pull";

/// A user as a `RestPullRequestParticipant.user` (an access token's pseudo-user when unknown).
fn user(call: &Call, ctx: &RepoContext<'_>, name: &str) -> Value {
    match call.state.config().user(name) {
        Some(u) => user_json(&ctx.origin, u),
        None => {
            json!({ "name": name, "slug": name, "displayName": name, "type": "SERVICE", "active": true })
        }
    }
}

/// `RestPullRequestParticipant`.
fn participant(
    call: &Call,
    ctx: &RepoContext<'_>,
    pr: &PullRequest,
    name: &str,
    role: &str,
) -> Value {
    let verdict = pr.verdicts.get(name);
    json!({
        "user": user(call, ctx, name),
        "role": role,
        "approved": verdict == Some(&Verdict::Approved),
        "status": match verdict {
            Some(Verdict::Approved) => "APPROVED",
            Some(Verdict::ChangesRequested) => "NEEDS_WORK",
            None => "UNAPPROVED",
        },
    })
}

/// `RestPullRequest`.
fn object(call: &Call, ctx: &RepoContext<'_>, pr: &PullRequest) -> Value {
    let store = call.state.store();
    let reference = |branch: &str| {
        json!({
            "id": format!("refs/heads/{branch}"),
            "displayId": branch,
            "type": "BRANCH",
            "latestCommit": store.repo(&ctx.key).ok().and_then(|repo| repo.branch_tip(branch)).map(|o| o.to_string()),
            "repository": repository(ctx),
        })
    };
    let state = match pr.state {
        State::Open => "OPEN",
        State::Merged => "MERGED",
        State::Declined => "DECLINED",
    };
    let others: Vec<Value> = pr
        .verdicts
        .keys()
        .filter(|u| !pr.opened.reviewers.contains(u))
        .map(|u| participant(call, ctx, pr, u, "PARTICIPANT"))
        .collect();
    json!({
        "id": pr.id,
        "version": pr.version,
        "title": pr.opened.title,
        "description": pr.opened.description,
        "state": state,
        "open": pr.state == State::Open,
        "closed": pr.state != State::Open,
        "draft": false,
        "locked": false,
        "createdDate": pr.created * 1000,
        "updatedDate": pr.updated * 1000,
        "closedDate": (pr.state != State::Open).then_some(pr.updated * 1000),
        "fromRef": reference(&pr.opened.source),
        "toRef": reference(&pr.opened.destination),
        "author": participant(call, ctx, pr, &pr.opened.author, "AUTHOR"),
        "reviewers": pr.opened.reviewers.iter().map(|u| participant(call, ctx, pr, u, "REVIEWER")).collect::<Vec<_>>(),
        "participants": others,
        "properties": { "mergeCommit": pr.merge_commit.as_ref().map(|h| json!({ "id": h, "displayId": &h[..11] })) },
        "links": { "self": [{ "href": format!("{}/projects/{}/repos/{}/pull-requests/{}/overview",
            ctx.origin, ctx.project.key, ctx.repo.slug, pr.id) }] },
    })
}

/// Data Center's words for a refusal.
fn refused(refusal: Refusal) -> DcError {
    let conflict = |message: String, exception: &str| {
        DcError::new(
            StatusCode::CONFLICT,
            message,
            &format!("{EXCEPTIONS}.{exception}"),
        )
    };
    match refusal {
        Refusal::NoSuchBranch(name) => DcError::new(
            StatusCode::NOT_FOUND,
            format!("Repository ref 'refs/heads/{name}' does not exist."),
            "com.atlassian.bitbucket.repository.NoSuchBranchException",
        ),
        Refusal::SameBranch => conflict(
            "The source and target refs of a pull request must be different.".to_owned(),
            "InvalidPullRequestTargetException",
        ),
        Refusal::NothingToMerge => conflict(
            "The pull request cannot be created: the target branch is already up-to-date with every commit of the source branch.".to_owned(),
            "EmptyPullRequestException",
        ),
        Refusal::Duplicate(_) => conflict(
            "Only one pull request may be open for a given source and target branch".to_owned(),
            "DuplicatePullRequestException",
        ),
        Refusal::NoSuchPullRequest(id) => DcError::new(
            StatusCode::NOT_FOUND,
            format!("No pull request exists with ID {id} for this repository."),
            &format!("{EXCEPTIONS}.NoSuchPullRequestException"),
        ),
        Refusal::NotOpen => conflict(
            "The pull request is not open.".to_owned(),
            "IllegalPullRequestStateException",
        ),
        Refusal::StaleVersion => conflict(
            "You are attempting to modify a pull request based on out-of-date information.".to_owned(),
            "PullRequestOutOfDateException",
        ),
        Refusal::OwnPullRequest => DcError::validation(
            "The author of a pull request cannot change their own status as a reviewer.",
        ),
        Refusal::Conflicts | Refusal::NotFastForward => conflict(
            "The pull request has conflicts and cannot be merged.".to_owned(),
            "PullRequestMergeVetoedException",
        ),
        Refusal::Git(message) => DcError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            message,
            "com.atlassian.bitbucket.scm.CommandFailedException",
        ),
    }
}

/// A ref of a new pull request (`fromRef`, `toRef`).
#[derive(Deserialize)]
pub struct NewRef {
    id: Option<String>,
}

/// A reviewer of a new pull request: `{"user": {"name"}}`.
#[derive(Deserialize)]
pub struct NewReviewer {
    user: Option<ReviewerUser>,
}

/// `{"name": …}`.
#[derive(Deserialize)]
pub struct ReviewerUser {
    name: Option<String>,
}

/// Body of `POST …/pull-requests`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewPullRequest {
    title: Option<String>,
    description: Option<String>,
    from_ref: Option<NewRef>,
    to_ref: Option<NewRef>,
    #[serde(default)]
    reviewers: Vec<NewReviewer>,
}

fn branch_of(reference: Option<NewRef>, field: &str) -> Result<String, DcError> {
    let id = reference
        .and_then(|r| r.id)
        .ok_or_else(|| DcError::validation(format!("{field}: a branch is required.")))?;
    Ok(id.strip_prefix("refs/heads/").unwrap_or(&id).to_owned())
}

/// `GET …/pull-requests` with `state` (default `OPEN`, `ALL`), `at` (a fully qualified branch),
/// `direction` (`INCOMING` by default: `at` is the target; `OUTGOING`: the source), `start`, `limit`.
pub async fn list(call: Call, Path((key, slug)): Repo) -> Result<Json<Value>, DcError> {
    let ctx = repo_context(&call, &key, &slug, Access::Read)?;
    let params = call.params();
    let state = params.get("state").unwrap_or("OPEN").to_ascii_uppercase();
    let at = params
        .get("at")
        .map(|a| a.strip_prefix("refs/heads/").unwrap_or(a).to_owned());
    let outgoing = params
        .get("direction")
        .is_some_and(|d| d.eq_ignore_ascii_case("OUTGOING"));
    let values = call
        .state
        .pull_requests()
        .list(&ctx.key)
        .into_iter()
        .filter(|pr| {
            let end = if outgoing {
                &pr.opened.source
            } else {
                &pr.opened.destination
            };
            at.as_ref().is_none_or(|at| at == end)
        })
        .map(|pr| object(&call, &ctx, &pr))
        .filter(|v| state == "ALL" || v["state"] == state.as_str())
        .collect();
    paged(values, &params, 25)
}

/// `POST …/pull-requests`: 201; 400 without a title or refs, 404 for an unknown branch, 409 for the
/// same branches, nothing to merge, one open for the same branches, or an unknown reviewer.
pub async fn create(
    call: Call,
    Path((key, slug)): Repo,
    body: Result<Json<NewPullRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, DcError> {
    let ctx = repo_context(&call, &key, &slug, Access::Read)?;
    let Json(body) = body.map_err(|e| DcError::validation(e.body_text()))?;
    let title = body
        .title
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| DcError::validation("title: a pull request needs a title."))?;
    let source = branch_of(body.from_ref, "fromRef")?;
    let destination = branch_of(body.to_ref, "toRef")?;
    let mut reviewers = Vec::new();
    for name in body
        .reviewers
        .into_iter()
        .filter_map(|r| r.user.and_then(|u| u.name))
    {
        if call.state.config().user(&name).is_none() {
            return Err(DcError::new(
                StatusCode::CONFLICT,
                format!("Errors encountered while adding some reviewers to this pull request: {name} is not a user."),
                &format!("{EXCEPTIONS}.InvalidPullRequestReviewersException"),
            ));
        }
        reviewers.push(name);
    }
    let opening = Opening {
        title,
        description: body.description.unwrap_or_default(),
        source,
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

/// `GET …/pull-requests/{id}`.
pub async fn get(call: Call, Path((key, slug, id)): One) -> Result<Json<Value>, DcError> {
    let ctx = repo_context(&call, &key, &slug, Access::Read)?;
    let pr = call
        .state
        .pull_requests()
        .get(&ctx.key, id)
        .map_err(refused)?;
    Ok(Json(object(&call, &ctx, &pr)))
}

/// Body of `PUT …/participants/{userSlug}` (`RestPullRequestAssignStatusRequest`).
#[derive(Deserialize)]
pub struct StatusRequest {
    status: Option<String>,
}

async fn set_status(
    call: Call,
    (key, slug, id): (String, String, u64),
    verdict: Option<Verdict>,
) -> Result<Json<Value>, DcError> {
    let ctx = repo_context(&call, &key, &slug, Access::Read)?;
    let name = actor(&call.caller);
    let pr = call
        .state
        .pull_requests()
        .review(&ctx.key, id, &name, verdict)
        .map_err(refused)?;
    let role = if pr.opened.reviewers.contains(&name) {
        "REVIEWER"
    } else {
        "PARTICIPANT"
    };
    Ok(Json(participant(&call, &ctx, &pr, &name, role)))
}

/// `PUT …/pull-requests/{id}/participants/{userSlug}` with `{"status"}`: the caller's own status
/// (`UNAPPROVED`, `NEEDS_WORK`, `APPROVED`); another user's slug is refused (400).
pub async fn participant_status(
    call: Call,
    Path((key, slug, id, user_slug)): Path<(String, String, u64, String)>,
    body: Result<Json<StatusRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, DcError> {
    let Json(body) = body.map_err(|e| DcError::validation(e.body_text()))?;
    if call.caller.user.as_deref() != Some(user_slug.as_str()) {
        return Err(DcError::validation("You can only change your own status."));
    }
    let verdict = match body.status.as_deref() {
        Some("APPROVED") => Some(Verdict::Approved),
        Some("NEEDS_WORK") => Some(Verdict::ChangesRequested),
        Some("UNAPPROVED") => None,
        other => {
            return Err(DcError::validation(format!(
                "status: {} is not one of UNAPPROVED, NEEDS_WORK, APPROVED.",
                other.unwrap_or("nothing")
            )))
        }
    };
    set_status(call, (key, slug, id), verdict).await
}

/// `POST …/pull-requests/{id}/approve` (deprecated since 4.2, still served).
pub async fn approve(call: Call, Path(one): One) -> Result<Json<Value>, DcError> {
    set_status(call, one, Some(Verdict::Approved)).await
}

fn version(call: &Call) -> Result<Option<u64>, DcError> {
    call.params()
        .get("version")
        .map(|v| {
            v.parse()
                .map_err(|_| DcError::validation(format!("version: {v} is not a number.")))
        })
        .transpose()
}

/// Body of `POST …/merge` (`RestPullRequestMergeRequest`).
#[derive(Deserialize, Default)]
pub struct MergeRequest {
    message: Option<String>,
    #[serde(rename = "strategyId")]
    strategy_id: Option<String>,
}

/// `POST …/pull-requests/{id}/merge?version=`: REPO_WRITE, and no `read-only` branch permission on
/// the target the caller is not exempt from (401); a real git merge (`no-ff` by default, `ff-only`,
/// `squash`; `ff`, which fast-forwards when it can, is not enabled here).
pub async fn merge(
    call: Call,
    Path((key, slug, id)): One,
    body: Option<Json<MergeRequest>>,
) -> Result<Json<Value>, DcError> {
    let ctx = repo_context(&call, &key, &slug, Access::Write)?;
    let Json(body) = body.unwrap_or_default();
    let pulls = call.state.pull_requests();
    let pr = pulls.get(&ctx.key, id).map_err(refused)?;
    let blocker = dc_write_blocker(
        call.state.config(),
        ctx.repo,
        &pr.opened.destination,
        &call.caller,
    )
    .filter(|r| r.dc_type == Some(DcRestrictionType::ReadOnly));
    if blocker.is_some() {
        return Err(DcError::new(
            StatusCode::UNAUTHORIZED,
            format!(
                "You do not have permission to merge into '{}': it is read-only.",
                pr.opened.destination
            ),
            "com.atlassian.bitbucket.AuthorisationException",
        ));
    }
    let strategy = match body.strategy_id.as_deref().unwrap_or("no-ff") {
        "no-ff" => MergeStrategy::MergeCommit,
        "ff-only" => MergeStrategy::FastForward,
        "squash" => MergeStrategy::Squash,
        other => {
            return Err(DcError::validation(format!(
                "strategyId: {other} is not enabled for this repository."
            )))
        }
    };
    let (name, email) = call.identity().unwrap_or_default();
    let message = body.message.unwrap_or_else(|| {
        format!(
            "Pull request #{id}: {}\n\nMerge in {}/{} from {} to {}",
            pr.opened.title,
            ctx.project.key,
            ctx.repo.slug,
            pr.opened.source,
            pr.opened.destination
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
            (id, version(&call)?),
            &actor(&call.caller),
            &how,
        )
        .map_err(refused)?;
    Ok(Json(object(&call, &ctx, &merged)))
}

/// `POST …/pull-requests/{id}/decline?version=`.
pub async fn decline(call: Call, Path((key, slug, id)): One) -> Result<Json<Value>, DcError> {
    let ctx = repo_context(&call, &key, &slug, Access::Read)?;
    let declined = call
        .state
        .pull_requests()
        .decline(&ctx.key, id, version(&call)?, &actor(&call.caller))
        .map_err(refused)?;
    Ok(Json(object(&call, &ctx, &declined)))
}
