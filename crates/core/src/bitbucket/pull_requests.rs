//! Pull requests on both products: opening one from a pushed branch, reading its state, and asking Cloud
//! whether a token may open them.
//!
//! Cloud: `POST /repositories/{workspace}/{repo_slug}/pullrequests` (scopes `read:pullrequest:bitbucket`
//! and `write:pullrequest:bitbucket`, classic `pullrequest:write`), `GET …/pullrequests/{id}`. Data Center:
//! `POST /api/latest/projects/{key}/repos/{slug}/pull-requests` (REPO_READ on both ends),
//! `GET …/pull-requests/{id}`.

use serde::{Deserialize, Serialize};

use super::api::{encode_component, json, Api, Call};
use super::error::{ApiError, Operation};
use super::request::{ApiResponse, Method};
use crate::repo_url::Flavour;
use crate::roles::PullRequestPermit;

/// Where a pull request stands, as the History shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PullRequestState {
    /// Open, with no verdict from a reviewer yet (drafts and queued merges included).
    Open,
    /// Open, and approved by a reviewer (and none asks for changes).
    Approved,
    /// Open, and a reviewer asks for changes.
    ChangesRequested,
    /// Merged into its destination.
    Merged,
    /// Declined.
    Declined,
    /// Replaced by another pull request (Cloud).
    Superseded,
}

impl PullRequestState {
    /// The word the History shows.
    pub fn label(self) -> &'static str {
        match self {
            PullRequestState::Open => "open",
            PullRequestState::Approved => "approved",
            PullRequestState::ChangesRequested => "changes requested",
            PullRequestState::Merged => "merged",
            PullRequestState::Declined => "declined",
            PullRequestState::Superseded => "superseded",
        }
    }

    /// Whether the state can still change (worth reading again when the History is shown).
    pub fn is_open(self) -> bool {
        match self {
            PullRequestState::Open
            | PullRequestState::Approved
            | PullRequestState::ChangesRequested => true,
            PullRequestState::Merged
            | PullRequestState::Declined
            | PullRequestState::Superseded => false,
        }
    }
}

/// A pull request as the product keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullRequest {
    /// Its id within the repository.
    pub id: u64,
    /// Its title.
    pub title: String,
    /// Where it stands.
    pub state: PullRequestState,
    /// The branch it merges.
    pub source: String,
    /// The branch it merges into.
    pub destination: String,
    /// Its page on Bitbucket, when the answer named one.
    pub link: Option<String>,
}

/// What a new pull request says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPullRequest {
    /// The title.
    pub title: String,
    /// The description (plain text; both products read it as Markdown).
    pub description: String,
    /// The pushed branch.
    pub source: String,
    /// The branch to merge into (the main branch by default).
    pub destination: String,
    /// Reviewers: Cloud account ids (or `{uuid}`s), Data Center user names.
    pub reviewers: Vec<String>,
}

/// Whether a token may open pull requests, as the connection test found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PullRequestAccess {
    /// It may (Cloud: the token holds the scopes; Data Center: read permission suffices).
    Allowed,
    /// Cloud: the token lacks these scopes.
    MissingScope {
        /// The scopes Bitbucket asked for.
        needed: Vec<String>,
    },
    /// Bitbucket refused for another reason, in its words.
    Refused {
        /// Why, as the error map explains it.
        reason: String,
    },
}

impl PullRequestAccess {
    /// What the push dialog says before a pull request is opened, `None` when it may be.
    pub fn warning(&self) -> Option<String> {
        match self {
            PullRequestAccess::Allowed => None,
            PullRequestAccess::MissingScope { needed } => Some(format!(
                "This connection's token cannot open pull requests: it lacks the scope {}. Scopes cannot \
                 be added to a token: create a new one that includes it, or open the pull request in \
                 Bitbucket.",
                needed.join(", ")
            )),
            PullRequestAccess::Refused { reason } => Some(format!(
                "Bitbucket refused to let this token open pull requests: {reason}"
            )),
        }
    }
}

#[derive(Deserialize)]
struct RawName {
    name: String,
}

#[derive(Deserialize)]
struct RawHref {
    href: String,
}

#[derive(Deserialize)]
struct RawCloudEndpoint {
    branch: RawName,
}

#[derive(Deserialize)]
struct RawCloudParticipant {
    state: Option<String>,
    #[serde(default)]
    approved: bool,
}

#[derive(Deserialize)]
struct RawCloudLinks {
    html: Option<RawHref>,
}

#[derive(Deserialize)]
struct RawCloudPullRequest {
    id: u64,
    title: String,
    state: String,
    source: RawCloudEndpoint,
    destination: RawCloudEndpoint,
    #[serde(default)]
    participants: Vec<RawCloudParticipant>,
    links: Option<RawCloudLinks>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawDcRef {
    display_id: String,
}

#[derive(Deserialize)]
struct RawDcParticipant {
    status: Option<String>,
}

#[derive(Deserialize)]
struct RawDcLinks {
    #[serde(rename = "self", default)]
    own: Vec<RawHref>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawDcPullRequest {
    id: u64,
    title: String,
    state: String,
    from_ref: RawDcRef,
    to_ref: RawDcRef,
    #[serde(default)]
    reviewers: Vec<RawDcParticipant>,
    #[serde(default)]
    participants: Vec<RawDcParticipant>,
    links: Option<RawDcLinks>,
}

/// The verdicts of the reviewers of an open pull request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    None,
    Approved,
    ChangesRequested,
}

/// An open pull request's state from its reviewers' verdicts: a request for changes wins over approvals.
fn open_state(verdicts: impl IntoIterator<Item = Verdict>) -> PullRequestState {
    let verdicts: Vec<Verdict> = verdicts.into_iter().collect();
    if verdicts.contains(&Verdict::ChangesRequested) {
        PullRequestState::ChangesRequested
    } else if verdicts.contains(&Verdict::Approved) {
        PullRequestState::Approved
    } else {
        PullRequestState::Open
    }
}

impl From<RawCloudPullRequest> for PullRequest {
    fn from(raw: RawCloudPullRequest) -> Self {
        let verdicts = raw
            .participants
            .iter()
            .map(|p| match (p.state.as_deref(), p.approved) {
                (Some("changes_requested"), _) => Verdict::ChangesRequested,
                (Some("approved"), _) | (_, true) => Verdict::Approved,
                _ => Verdict::None,
            });
        let state = match raw.state.as_str() {
            "MERGED" => PullRequestState::Merged,
            "DECLINED" => PullRequestState::Declined,
            "SUPERSEDED" => PullRequestState::Superseded,
            _ => open_state(verdicts),
        };
        PullRequest {
            id: raw.id,
            title: raw.title,
            state,
            source: raw.source.branch.name,
            destination: raw.destination.branch.name,
            link: raw.links.and_then(|l| l.html).map(|h| h.href),
        }
    }
}

impl From<RawDcPullRequest> for PullRequest {
    fn from(raw: RawDcPullRequest) -> Self {
        let verdicts =
            raw.reviewers
                .iter()
                .chain(&raw.participants)
                .map(|p| match p.status.as_deref() {
                    Some("NEEDS_WORK") => Verdict::ChangesRequested,
                    Some("APPROVED") => Verdict::Approved,
                    _ => Verdict::None,
                });
        let state = match raw.state.as_str() {
            "MERGED" => PullRequestState::Merged,
            "DECLINED" => PullRequestState::Declined,
            _ => open_state(verdicts),
        };
        PullRequest {
            id: raw.id,
            title: raw.title,
            state,
            source: raw.from_ref.display_id,
            destination: raw.to_ref.display_id,
            link: raw
                .links
                .and_then(|l| l.own.into_iter().next())
                .map(|h| h.href),
        }
    }
}

/// The path of the repository's pull requests.
fn collection_path(api: &Api) -> String {
    match api.flavour() {
        Flavour::Cloud => format!("{}/pullrequests", api.repository_path()),
        Flavour::DataCenter => format!("{}/pull-requests", api.data_center_path("api")),
    }
}

/// The request body of a new pull request, in the product's shape.
fn body(api: &Api, new: &NewPullRequest) -> serde_json::Value {
    match api.flavour() {
        Flavour::Cloud => {
            let reviewers: Vec<serde_json::Value> = new
                .reviewers
                .iter()
                .map(|id| match id.starts_with('{') {
                    true => serde_json::json!({ "uuid": id }),
                    false => serde_json::json!({ "account_id": id }),
                })
                .collect();
            serde_json::json!({
                "title": new.title,
                "description": new.description,
                "source": { "branch": { "name": new.source } },
                "destination": { "branch": { "name": new.destination } },
                "reviewers": reviewers,
            })
        }
        Flavour::DataCenter => {
            let repository = serde_json::json!({
                "slug": api.slug(),
                "project": { "key": api.owner() },
            });
            let reference = |branch: &str| {
                serde_json::json!({
                    "id": format!("refs/heads/{}", crate::names::RefKind::Branch.short(branch)),
                    "repository": repository,
                })
            };
            let reviewers: Vec<serde_json::Value> = new
                .reviewers
                .iter()
                .map(|name| serde_json::json!({ "user": { "name": name } }))
                .collect();
            serde_json::json!({
                "title": new.title,
                "description": new.description,
                "fromRef": reference(&new.source),
                "toRef": reference(&new.destination),
                "reviewers": reviewers,
            })
        }
    }
}

/// Reads a pull request in the product's shape.
fn read(flavour: Flavour) -> fn(&ApiResponse) -> Option<PullRequest> {
    match flavour {
        Flavour::Cloud => |response| json::<RawCloudPullRequest>(response).map(PullRequest::from),
        Flavour::DataCenter => |response| json::<RawDcPullRequest>(response).map(PullRequest::from),
    }
}

/// Opens a pull request (a [`PullRequestPermit`] from the role check opens it). Bitbucket's refusals (one
/// is open for the same branches, nothing to merge, an unknown reviewer) are
/// [`ApiError::PullRequestRefused`] in its words.
pub fn open(api: &Api, _permit: &PullRequestPermit, new: &NewPullRequest) -> Call<PullRequest> {
    let request = api.json_request(Method::Post, &collection_path(api), body(api, new));
    let subject = format!("The branch `{}` or `{}`", new.source, new.destination);
    api.call(
        request,
        Operation::OpenPullRequest,
        subject,
        read(api.flavour()),
    )
}

/// `GET …/pullrequests/{id}` (Cloud) or `…/pull-requests/{id}` (Data Center): one pull request, with its
/// reviewers' verdicts.
pub fn get(api: &Api, id: u64) -> Call<PullRequest> {
    let path = format!(
        "{}/{}",
        collection_path(api),
        encode_component(&id.to_string())
    );
    let request = api.request(Method::Get, &path, &[], true);
    api.call(
        request,
        Operation::Read,
        format!("The pull request #{id}"),
        read(api.flavour()),
    )
}

/// Cloud: whether the token holds the scopes of opening a pull request, asked with an empty one (`POST
/// …/pullrequests` with `{}`), which Bitbucket refuses either way and never opens: 403 names the missing
/// scopes, 400 (no title, no source) means the scopes are there. `None` on Data Center, where read
/// permission suffices.
pub fn access_probe(api: &Api) -> Option<Call<PullRequestAccess>> {
    if api.flavour() == Flavour::DataCenter {
        return None;
    }
    let request = api.json_request(Method::Post, &collection_path(api), serde_json::json!({}));
    Some(api.call(
        request,
        Operation::OpenPullRequest,
        format!("The pull requests of {}", api.repository_name()),
        |_| Some(PullRequestAccess::Allowed),
    ))
}

/// Reads the answer to [`access_probe`]: the refusal of an empty pull request (400) means the token may
/// open real ones. Failures that say nothing about the token (network, server) stay errors.
pub fn read_access_probe(
    call: &Call<PullRequestAccess>,
    response: &ApiResponse,
) -> Result<PullRequestAccess, ApiError> {
    match call.parse(response) {
        Ok(access) => Ok(access),
        Err(ApiError::PullRequestRefused { .. }) => Ok(PullRequestAccess::Allowed),
        Err(ApiError::MissingScope { needed, .. }) => {
            Ok(PullRequestAccess::MissingScope { needed })
        }
        Err(
            error @ (ApiError::Forbidden { .. }
            | ApiError::TokenWithoutScopes
            | ApiError::ResourceTokenCannot { .. }),
        ) => Ok(PullRequestAccess::Refused {
            reason: error.to_string(),
        }),
        Err(error) => Err(error),
    }
}
