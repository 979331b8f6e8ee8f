//! Pull requests: the requests both products are sent, their answers read into the states the History
//! shows, Bitbucket's refusals in its words, and the description made of a push's changes.

use crate::bitbucket_support as support;

use serde_json::json;
use support::{cloud, data_center};
use versioning_core::artifacts::{ArtifactId, ArtifactKind};
use versioning_core::bitbucket::pull_requests::{
    self, NewPullRequest, PullRequest, PullRequestAccess, PullRequestState,
};
use versioning_core::bitbucket::{Api, ApiError, ApiResponse, Method, RequestBody};
use versioning_core::roles::{permit_pull_request, Role};
use versioning_core::sync::{pull_request_description, Action, Change};

fn new_pull_request() -> NewPullRequest {
    NewPullRequest {
        title: "Login tests".to_owned(),
        description: "**Added**".to_owned(),
        source: "feature/login".to_owned(),
        destination: "main".to_owned(),
        reviewers: vec!["lee".to_owned()],
    }
}

fn body_of(api: &Api) -> serde_json::Value {
    let permit = permit_pull_request(&[Role::QualityEngineer]).unwrap();
    let call = pull_requests::open(api, &permit, &new_pull_request());
    assert_eq!(call.request.method, Method::Post);
    match &call.request.body {
        Some(RequestBody::Json(text)) => serde_json::from_str(text).unwrap(),
        other => panic!("a JSON body, not {other:?}"),
    }
}

#[test]
fn each_product_is_sent_its_own_shape_of_a_new_pull_request() {
    let cloud_api = Api::new(&cloud());
    assert_eq!(
        body_of(&cloud_api),
        json!({
            "title": "Login tests", "description": "**Added**",
            "source": { "branch": { "name": "feature/login" } },
            "destination": { "branch": { "name": "main" } },
            "reviewers": [{ "account_id": "lee" }],
        })
    );
    let dc = body_of(&Api::new(&data_center()));
    assert_eq!(dc["fromRef"]["id"], "refs/heads/feature/login");
    assert_eq!(dc["toRef"]["id"], "refs/heads/main");
    assert_eq!(
        dc["toRef"]["repository"],
        json!({ "slug": "regression", "project": { "key": "QA" } })
    );
    assert_eq!(dc["reviewers"], json!([{ "user": { "name": "lee" } }]));
}

fn cloud_answer(state: &str, participants: serde_json::Value) -> ApiResponse {
    ApiResponse::new(
        200,
        json!({
            "id": 3, "title": "Login tests", "state": state,
            "source": { "branch": { "name": "feature/login" } },
            "destination": { "branch": { "name": "main" } },
            "participants": participants,
            "links": { "html": { "href": "https://bitbucket.org/acme/checkout-tests/pull-requests/3" } },
        })
        .to_string(),
    )
}

#[test]
fn cloud_answers_read_as_the_states_the_history_shows() {
    let call = pull_requests::get(&Api::new(&cloud()), 3);
    assert!(call
        .request
        .url
        .ends_with("/repositories/acme/checkout-tests/pullrequests/3"));
    let read = |state, participants| call.parse(&cloud_answer(state, participants)).unwrap();
    let open = read("OPEN", json!([]));
    assert_eq!(
        open,
        PullRequest {
            id: 3,
            title: "Login tests".to_owned(),
            state: PullRequestState::Open,
            source: "feature/login".to_owned(),
            destination: "main".to_owned(),
            link: Some("https://bitbucket.org/acme/checkout-tests/pull-requests/3".to_owned()),
        }
    );
    let approved = json!([{ "approved": true, "state": "approved" }]);
    assert_eq!(read("OPEN", approved).state, PullRequestState::Approved);
    let both = json!([{ "approved": true, "state": "approved" }, { "approved": false, "state": "changes_requested" }]);
    assert_eq!(read("OPEN", both).state, PullRequestState::ChangesRequested);
    assert_eq!(read("MERGED", json!([])).state, PullRequestState::Merged);
    assert_eq!(
        read("DECLINED", json!([])).state,
        PullRequestState::Declined
    );
    assert!(!PullRequestState::Merged.is_open());
    assert!(PullRequestState::Approved.is_open());
}

#[test]
fn data_center_answers_read_reviewers_verdicts() {
    let call = pull_requests::get(&Api::new(&data_center()), 5);
    assert!(call
        .request
        .url
        .ends_with("/rest/api/latest/projects/QA/repos/regression/pull-requests/5"));
    let answer = |state: &str, status: &str| {
        ApiResponse::new(
            200,
            json!({
                "id": 5, "version": 2, "title": "Login tests", "state": state,
                "fromRef": { "id": "refs/heads/feature/login", "displayId": "feature/login" },
                "toRef": { "id": "refs/heads/main", "displayId": "main" },
                "reviewers": [{ "status": status, "user": { "name": "lee" } }],
                "links": { "self": [{ "href": "https://git.example.com/bitbucket/projects/QA/repos/regression-suite/pull-requests/5/overview" }] },
            })
            .to_string(),
        )
    };
    let needs_work = call.parse(&answer("OPEN", "NEEDS_WORK")).unwrap();
    assert_eq!(needs_work.state, PullRequestState::ChangesRequested);
    assert_eq!(needs_work.source, "feature/login");
    assert!(needs_work
        .link
        .unwrap()
        .ends_with("/pull-requests/5/overview"));
    assert_eq!(
        call.parse(&answer("OPEN", "APPROVED")).unwrap().state,
        PullRequestState::Approved
    );
    assert_eq!(
        call.parse(&answer("OPEN", "UNAPPROVED")).unwrap().state,
        PullRequestState::Open
    );
    assert_eq!(
        call.parse(&answer("MERGED", "APPROVED")).unwrap().state,
        PullRequestState::Merged
    );
}

#[test]
fn refusals_to_open_are_shown_in_bitbuckets_words() {
    let permit = permit_pull_request(&[Role::QualityLead]).unwrap();
    let dc = pull_requests::open(&Api::new(&data_center()), &permit, &new_pull_request());
    let duplicate = json!({ "errors": [{ "message": "Only one pull request may be open for a given source and target branch",
        "exceptionName": "com.atlassian.bitbucket.pull.DuplicatePullRequestException" }] });
    let error = dc
        .parse(&ApiResponse::new(409, duplicate.to_string()))
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "Bitbucket did not open the pull request: Only one pull request may be open for a given source and target branch."
    );
    let cloud_call = pull_requests::open(&Api::new(&cloud()), &permit, &new_pull_request());
    let empty =
        json!({ "type": "error", "error": { "message": "There are no changes to be pulled" } });
    assert!(matches!(
        cloud_call.parse(&ApiResponse::new(400, empty.to_string())),
        Err(ApiError::PullRequestRefused { message: Some(m) }) if m == "There are no changes to be pulled."
    ));
}

#[test]
fn the_cloud_probe_tells_whether_the_token_may_open_pull_requests() {
    let api = Api::new(&cloud());
    let probe = pull_requests::access_probe(&api).expect("asked on Cloud");
    assert_eq!(probe.request.body, Some(RequestBody::Json("{}".to_owned())));
    let invalid =
        json!({ "type": "error", "error": { "message": "title: This field is required." } });
    assert_eq!(
        pull_requests::read_access_probe(&probe, &ApiResponse::new(400, invalid.to_string())),
        Ok(PullRequestAccess::Allowed)
    );
    let missing = json!({ "type": "error", "error": { "message": "Your credentials lack one or more required privilege scopes.",
        "detail": { "required": ["pullrequest:write"], "granted": ["repository:write"] } } });
    let access =
        pull_requests::read_access_probe(&probe, &ApiResponse::new(403, missing.to_string()));
    assert_eq!(
        access,
        Ok(PullRequestAccess::MissingScope {
            needed: vec!["pullrequest:write".to_owned()]
        })
    );
    assert!(access
        .unwrap()
        .warning()
        .unwrap()
        .contains("pullrequest:write"));
    assert!(matches!(
        pull_requests::read_access_probe(&probe, &ApiResponse::new(502, String::new())),
        Err(ApiError::Server { status: 502 })
    ));
    assert!(pull_requests::access_probe(&Api::new(&data_center())).is_none());
}

fn change(id: &str, kind: ArtifactKind, action: Action) -> Change {
    Change {
        path: format!("test-artifacts/{id}.json"),
        artifact: ArtifactId::new(id).unwrap(),
        kind,
        action,
        bytes: 1,
    }
}

#[test]
fn the_description_lists_the_artifacts_by_change_and_kind_with_their_names() {
    let changes = [
        change("t1", ArtifactKind::TestCase, Action::Add),
        change("t2", ArtifactKind::TestCase, Action::Add),
        change("s1", ArtifactKind::Suite, Action::Modify),
        change(
            "c1",
            ArtifactKind::Scenario,
            Action::Rename {
                from: "test-artifacts/old.json".to_owned(),
            },
        ),
        change("t9", ArtifactKind::TestCase, Action::Delete),
    ];
    let names = |id: &ArtifactId| match id.as_str() {
        "t1" => Some("Login".to_owned()),
        "t2" => Some("Logout".to_owned()),
        "s1" => Some("Smoke".to_owned()),
        "c1" => Some("Checkout".to_owned()),
        _ => None,
    };
    assert_eq!(
        pull_request_description(&changes, names),
        "Test artifacts pushed with Bitbucket Versioning.\n\
         \n**Added**\n- test case: Login, Logout\n\
         \n**Modified**\n- test suite: Smoke\n\
         \n**Renamed**\n- scenario: Checkout (was `test-artifacts/old.json`)\n\
         \n**Deleted**\n- test case: `test-artifacts/t9.json`\n"
    );
}
