//! The connection test state machine, driven by canned Bitbucket answers.

#[path = "fixtures/bitbucket/support.rs"]
#[allow(dead_code)]
mod support;

use serde_json::json;
use support::{cloud, cloud_access_token, data_center};
use versioning_core::bitbucket::{
    ApiError, ApiResponse, ConnectionTest, Identity, Permission, Step, StepStatus, TestOutcome,
};
use versioning_core::{AuthMode, Flavour};

/// A canned answer.
enum Reply {
    Answer(ApiResponse),
    NoAnswer(ApiError),
}

fn ok(body: serde_json::Value) -> Reply {
    Reply::Answer(ApiResponse::new(200, body.to_string()))
}

fn status(code: u16, body: serde_json::Value) -> Reply {
    Reply::Answer(ApiResponse::new(code, body.to_string()))
}

/// Runs the test against `routes` (URL after the API base → answer) and returns the URLs asked for.
fn run(test: &mut ConnectionTest, base: &str, routes: Vec<(&str, Reply)>) -> Vec<String> {
    let mut asked = Vec::new();
    while let Some(request) = test.next_request() {
        assert!(asked.len() < 50, "the test does not end");
        let url = request
            .url
            .strip_prefix(base)
            .expect("a request to the API")
            .to_owned();
        assert_eq!(test.next_request(), None, "one request at a time");
        // Data Center's repository read also proves the credentials, so two steps may run at once.
        let running = test
            .steps()
            .iter()
            .filter(|r| r.status == StepStatus::Running)
            .count();
        assert!(
            (1..=2).contains(&running),
            "{running} steps run while {url} is outstanding"
        );
        match routes.iter().find(|(route, _)| *route == url) {
            Some((_, Reply::Answer(response))) => test.handle_response(response.clone()),
            Some((_, Reply::NoAnswer(error))) => test.handle_failure(error.clone()),
            None => panic!("no canned answer for {url}"),
        }
        asked.push(url);
    }
    asked
}

fn statuses(test: &ConnectionTest) -> Vec<(Step, StepStatus)> {
    test.steps()
        .iter()
        .map(|r| (r.step, r.status.clone()))
        .collect()
}

fn passed(detail: &str) -> StepStatus {
    StepStatus::Passed(detail.to_owned())
}

fn skipped() -> StepStatus {
    StepStatus::Skipped("Not run: an earlier check failed.".to_owned())
}

fn not_visible() -> StepStatus {
    StepStatus::NotVisible(
        "Not visible to this token: only repository admins can read branch restrictions. Bitbucket still \
         applies them when you push, and explains any refusal."
            .to_owned(),
    )
}

const CLOUD: &str = "https://api.bitbucket.org/2.0";
const DC: &str = "https://git.example.com/bitbucket/rest";
const REPO: &str = "/repositories/acme/checkout-tests";
const PERMISSION: &str =
    "/user/workspaces/acme/permissions/repositories?q=repository.full_name%3D%22acme%2Fcheckout-tests%22";
const BRANCHES: &str = "/repositories/acme/checkout-tests/refs/branches?pagelen=100&sort=name";
const RESTRICTIONS: &str = "/repositories/acme/checkout-tests/branch-restrictions?pagelen=100";

fn cloud_user() -> Reply {
    ok(
        json!({ "type": "user", "display_name": "Ada Lovelace", "nickname": "ada", "account_id": "557058:1" }),
    )
}

fn cloud_repository() -> Reply {
    ok(json!({
        "full_name": "acme/checkout-tests", "name": "Checkout Tests",
        "mainbranch": { "type": "branch", "name": "main" },
        "links": { "clone": [{ "name": "https", "href": "https://bitbucket.org/acme/checkout-tests.git" }] }
    }))
}

fn cloud_permission(level: &str) -> Reply {
    ok(json!({ "values": [{
        "type": "repository_permission", "permission": level,
        "repository": { "full_name": "acme/checkout-tests", "name": "Checkout Tests" }
    }] }))
}

fn cloud_branch_pages() -> Vec<(&'static str, Reply)> {
    vec![
        (
            BRANCHES,
            ok(json!({
                "values": [{ "name": "feature/login", "target": { "hash": "a1" } }, { "name": "main", "target": { "hash": "b2" } }],
                "next": format!("{CLOUD}{BRANCHES}&page=2")
            })),
        ),
        (
            "/repositories/acme/checkout-tests/refs/branches?pagelen=100&sort=name&page=2",
            ok(json!({ "values": [{ "name": "release/1", "target": { "hash": "c3" } }] })),
        ),
    ]
}

fn forbidden_cloud() -> Reply {
    status(
        403,
        json!({ "type": "error", "error": { "message": "Forbidden" } }),
    )
}

#[test]
fn cloud_api_token_happy_path() {
    let mut test = ConnectionTest::new(&cloud());
    assert!(test.steps().iter().all(|r| r.status == StepStatus::Pending));
    let mut routes = vec![
        ("/user", cloud_user()),
        (REPO, cloud_repository()),
        (PERMISSION, cloud_permission("admin")),
        (
            RESTRICTIONS,
            ok(
                json!({ "values": [{ "kind": "push", "branch_match_kind": "glob", "pattern": "main",
                "users": [{ "display_name": "Release Bot" }], "groups": [{ "name": "Leads", "slug": "leads" }] }] }),
            ),
        ),
    ];
    routes.extend(cloud_branch_pages());
    let asked = run(&mut test, CLOUD, routes);
    assert_eq!(asked.len(), 6);
    assert_eq!(
        statuses(&test),
        [
            (Step::Credentials, passed("Signed in as Ada Lovelace (ada)")),
            (Step::Repository, passed("Found `acme/checkout-tests`.")),
            (Step::Permission, passed("Admin.")),
            (Step::Branches, passed("Main branch `main`; 3 branches.")),
            (Step::Restrictions, passed("1 branch restriction.")),
        ]
    );
    let outcome = test.outcome().expect("an outcome");
    assert_eq!(
        outcome.identity,
        Some(Identity {
            display_name: "Ada Lovelace".to_owned(),
            account: "ada".to_owned()
        })
    );
    assert_eq!(
        (outcome.permission, outcome.permission_inferred),
        (Permission::Admin, false)
    );
    assert_eq!(outcome.main_branch.as_deref(), Some("main"));
    assert_eq!(outcome.branches, ["feature/login", "main", "release/1"]);
    assert!(outcome.restrictions_visible);
    assert_eq!(outcome.restrictions[0].exempt, ["Release Bot", "Leads"]);
    assert!(outcome.push_available);
    assert_eq!(outcome.push_unavailable_reason, None);
    let stored: TestOutcome =
        serde_json::from_str(&serde_json::to_string(&outcome).unwrap()).unwrap();
    assert_eq!(stored, outcome, "the outcome is stored with the connection");
}

#[test]
fn cloud_access_token_infers_write_and_cannot_see_restrictions() {
    let mut test = ConnectionTest::new(&cloud_access_token());
    let mut routes = vec![
        (
            "/user",
            status(
                403,
                json!({ "type": "error", "error": { "message": "Your credentials lack one or more required privilege scopes.",
                    "detail": { "required": ["account"], "granted": ["repository", "repository:write"] } } }),
            ),
        ),
        (REPO, cloud_repository()),
        (PERMISSION, forbidden_cloud()),
        (RESTRICTIONS, forbidden_cloud()),
    ];
    routes.extend(cloud_branch_pages());
    let asked = run(&mut test, CLOUD, routes);
    assert!(
        asked.contains(&RESTRICTIONS.to_owned()),
        "an inferred permission still tries to read restrictions"
    );
    assert_eq!(
        statuses(&test),
        [
            (
                Step::Credentials,
                passed(
                    "The access token was accepted. Access tokens act as their own user and cannot read account details."
                )
            ),
            (Step::Repository, passed("Found `acme/checkout-tests`.")),
            (
                Step::Permission,
                passed("Write (inferred: access tokens cannot ask Bitbucket for permissions; the token's scopes decide).")
            ),
            (Step::Branches, passed("Main branch `main`; 3 branches.")),
            (Step::Restrictions, not_visible()),
        ]
    );
    let outcome = test.outcome().expect("an outcome");
    assert_eq!(outcome.identity, None);
    assert_eq!(
        (outcome.permission, outcome.permission_inferred),
        (Permission::Write, true)
    );
    assert!(outcome.push_available);
    assert!(!outcome.restrictions_visible);
}

#[test]
fn cloud_read_only_skips_restrictions_and_says_why_push_is_off() {
    let mut test = ConnectionTest::new(&cloud());
    let mut routes = vec![
        ("/user", cloud_user()),
        (REPO, cloud_repository()),
        (PERMISSION, ok(json!({ "values": [] }))),
    ];
    routes.extend(cloud_branch_pages());
    let asked = run(&mut test, CLOUD, routes);
    assert!(
        !asked.contains(&RESTRICTIONS.to_owned()),
        "no request that is bound to be refused"
    );
    assert_eq!(test.steps()[2].status, passed("Read."));
    assert_eq!(test.steps()[4].status, not_visible());
    let outcome = test.outcome().expect("an outcome");
    assert_eq!(outcome.permission, Permission::Read);
    assert!(!outcome.push_available);
    assert_eq!(
        outcome.push_unavailable_reason.as_deref(),
        Some(
            "These credentials have read-only access to `acme/checkout-tests`: pushing needs write permission. \
             Ask a repository admin for write access, or use a token with write permission."
        )
    );
}

const DC_REPO: &str = "/api/latest/projects/QA/repos/regression";

fn dc_probe(level: &str) -> String {
    format!("/api/latest/repos?projectkey=QA&name=Regression%20Suite&permission={level}&limit=100")
}

fn dc_repos(found: bool) -> Reply {
    let values = if found {
        vec![
            json!({ "slug": "regression", "name": "Regression Suite", "project": { "key": "QA" } }),
        ]
    } else {
        vec![
            json!({ "slug": "regression-old", "name": "Regression Suite Old", "project": { "key": "QA" } }),
        ]
    };
    ok(
        json!({ "values": values, "isLastPage": true, "start": 0, "limit": 100, "size": values.len() }),
    )
}

fn dc_routes(admin: bool) -> Vec<(String, Reply)> {
    let branches = format!("{DC_REPO}/branches?orderBy=ALPHABETICAL&limit=100");
    vec![
        (
            "/api/latest/application-properties".to_owned(),
            Reply::Answer(
                ApiResponse::new(
                    200,
                    json!({ "version": "9.4.2", "buildNumber": "9004002" }).to_string(),
                )
                .with_header("X-AUSERNAME", "ada"),
            ),
        ),
        (
            DC_REPO.to_owned(),
            ok(
                json!({ "slug": "regression", "name": "Regression Suite", "project": { "key": "QA" },
                "links": { "clone": [{ "name": "http", "href": "https://git.example.com/bitbucket/scm/qa/regression.git" }] } }),
            ),
        ),
        (dc_probe("REPO_WRITE"), dc_repos(true)),
        (dc_probe("REPO_ADMIN"), dc_repos(admin)),
        (
            format!("{DC_REPO}/default-branch"),
            ok(json!({ "id": "refs/heads/main", "displayId": "main", "type": "BRANCH" })),
        ),
        (
            branches.clone(),
            ok(
                json!({ "values": [{ "displayId": "develop", "isDefault": false }, { "displayId": "main", "isDefault": true }],
                "isLastPage": false, "nextPageStart": 2, "start": 0, "limit": 2, "size": 2 }),
            ),
        ),
        (
            format!("{branches}&start=2"),
            ok(
                json!({ "values": [{ "displayId": "release/1", "isDefault": false }], "isLastPage": true, "start": 2, "limit": 2, "size": 1 }),
            ),
        ),
        (
            "/branch-permissions/latest/projects/QA/repos/regression/restrictions?limit=100"
                .to_owned(),
            ok(
                json!({ "values": [{ "type": "read-only", "matcher": { "displayId": "main", "type": { "id": "BRANCH" } },
                "users": [], "groups": ["release-managers"], "accessKeys": [] }], "isLastPage": true, "start": 0, "limit": 100, "size": 1 }),
            ),
        ),
    ]
}

fn run_owned(test: &mut ConnectionTest, base: &str, routes: &[(String, Reply)]) -> Vec<String> {
    let borrowed = routes
        .iter()
        .map(|(url, reply)| {
            let reply = match reply {
                Reply::Answer(response) => Reply::Answer(response.clone()),
                Reply::NoAnswer(error) => Reply::NoAnswer(error.clone()),
            };
            (url.as_str(), reply)
        })
        .collect();
    run(test, base, borrowed)
}

#[test]
fn data_center_happy_path_with_write() {
    let mut test = ConnectionTest::new(&data_center());
    let asked = run_owned(&mut test, DC, &dc_routes(false));
    assert_eq!(asked.len(), 7, "{asked:?}");
    assert_eq!(
        statuses(&test),
        [
            (Step::Credentials, passed("Accepted; acting as `ada`.")),
            (Step::Repository, passed("Found `QA/regression`.")),
            (Step::Permission, passed("Write.")),
            (Step::Branches, passed("Main branch `main`; 3 branches.")),
            (Step::Restrictions, not_visible()),
        ]
    );
    let outcome = test.outcome().expect("an outcome");
    assert_eq!(outcome.identity.map(|i| i.account).as_deref(), Some("ada"));
    assert_eq!(outcome.permission, Permission::Write);
    assert_eq!(outcome.branches, ["develop", "main", "release/1"]);
    assert!(outcome.push_available);
}

#[test]
fn data_center_admin_reads_branch_permissions() {
    let mut test = ConnectionTest::new(&data_center());
    let asked = run_owned(&mut test, DC, &dc_routes(true));
    assert_eq!(asked.len(), 8);
    assert_eq!(test.steps()[2].status, passed("Admin."));
    assert_eq!(test.steps()[4].status, passed("1 branch restriction."));
    let outcome = test.outcome().expect("an outcome");
    assert_eq!(outcome.restrictions[0].kind, "read-only");
    assert_eq!(outcome.restrictions[0].branches, "main");
    assert_eq!(outcome.restrictions[0].exempt, ["release-managers"]);
}

#[test]
fn data_center_without_x_ausername_or_default_branch_still_passes() {
    let mut routes = dc_routes(false);
    routes[0].1 = ok(json!({ "version": "9.4.2" }));
    routes[4].1 = status(
        404,
        json!({ "errors": [{ "message": "The default branch is not configured" }] }),
    );
    let mut test = ConnectionTest::new(&data_center());
    run_owned(&mut test, DC, &routes);
    assert_eq!(
        test.steps()[0].status,
        passed("Accepted (the server does not tell this app which user the token acts as).")
    );
    let outcome = test.outcome().expect("an outcome");
    assert_eq!(outcome.identity, None);
    assert_eq!(
        outcome.main_branch.as_deref(),
        Some("main"),
        "taken from isDefault"
    );
}

#[test]
fn data_center_read_only() {
    let mut routes = dc_routes(false);
    routes[2].1 = dc_repos(false);
    let mut test = ConnectionTest::new(&data_center());
    let asked = run_owned(&mut test, DC, &routes);
    assert!(!asked.contains(&dc_probe("REPO_ADMIN")));
    let outcome = test.outcome().expect("an outcome");
    assert_eq!(outcome.permission, Permission::Read);
    assert!(!outcome.push_available);
    assert!(outcome
        .push_unavailable_reason
        .unwrap()
        .contains("`QA/regression`"));
}

// ---- each failure stops the run at its step ----

fn assert_stopped_at(test: &ConnectionTest, step: Step, error: &ApiError) {
    for report in test.steps() {
        match report.step.cmp(&step) {
            std::cmp::Ordering::Less => {
                assert!(matches!(report.status, StepStatus::Passed(_)), "{report:?}")
            }
            std::cmp::Ordering::Equal => {
                assert_eq!(report.status, StepStatus::Failed(error.clone()))
            }
            std::cmp::Ordering::Greater => assert_eq!(report.status, skipped()),
        }
    }
    assert_eq!(test.outcome(), None);
}

#[test]
fn cloud_bad_token_fails_the_first_step() {
    let mut test = ConnectionTest::new(&cloud());
    let asked = run(
        &mut test,
        CLOUD,
        vec![(
            "/user",
            status(
                401,
                json!({ "type": "error", "error": { "message": "Token is invalid, expired, or not supported for this endpoint." } }),
            ),
        )],
    );
    assert_eq!(asked, ["/user"]);
    let error = ApiError::InvalidCredentials {
        flavour: Flavour::Cloud,
        auth: AuthMode::Basic,
        username_is_email: true,
    };
    assert_stopped_at(&test, Step::Credentials, &error);
}

#[test]
fn cloud_missing_repository_fails_the_second_step() {
    let mut test = ConnectionTest::new(&cloud());
    run(
        &mut test,
        CLOUD,
        vec![
            ("/user", cloud_user()),
            (
                REPO,
                status(
                    404,
                    json!({ "type": "error", "error": { "message": "Not found" } }),
                ),
            ),
        ],
    );
    let error = ApiError::NotFound {
        what: "The repository `acme/checkout-tests`".to_owned(),
        message: Some("Not found.".to_owned()),
    };
    assert_stopped_at(&test, Step::Repository, &error);
}

#[test]
fn cloud_permission_server_error_fails_the_third_step() {
    let mut test = ConnectionTest::new(&cloud());
    run(
        &mut test,
        CLOUD,
        vec![
            ("/user", cloud_user()),
            (REPO, cloud_repository()),
            (PERMISSION, status(500, json!({}))),
        ],
    );
    assert_stopped_at(&test, Step::Permission, &ApiError::Server { status: 500 });
}

#[test]
fn a_network_failure_while_listing_branches_fails_the_fourth_step() {
    let mut test = ConnectionTest::new(&cloud());
    let timeout = ApiError::Timeout;
    run(
        &mut test,
        CLOUD,
        vec![
            ("/user", cloud_user()),
            (REPO, cloud_repository()),
            (PERMISSION, cloud_permission("write")),
            (BRANCHES, Reply::NoAnswer(timeout.clone())),
        ],
    );
    assert_stopped_at(&test, Step::Branches, &timeout);
}

#[test]
fn a_server_error_on_restrictions_fails_the_fifth_step() {
    let mut test = ConnectionTest::new(&cloud());
    let mut routes = vec![
        ("/user", cloud_user()),
        (REPO, cloud_repository()),
        (PERMISSION, cloud_permission("admin")),
        (RESTRICTIONS, status(502, json!({}))),
    ];
    routes.extend(cloud_branch_pages());
    run(&mut test, CLOUD, routes);
    assert_stopped_at(&test, Step::Restrictions, &ApiError::Server { status: 502 });
}

#[test]
fn data_center_bad_credentials_fail_the_first_step() {
    let mut routes = dc_routes(false);
    routes[1].1 = status(
        401,
        json!({ "errors": [{ "message": "Authentication failed. Please check your credentials and try again.",
            "exceptionName": "com.atlassian.bitbucket.auth.IncorrectPasswordAuthenticationException" }] }),
    );
    let mut test = ConnectionTest::new(&data_center());
    let asked = run_owned(&mut test, DC, &routes);
    assert_eq!(asked.len(), 2);
    let error = ApiError::InvalidCredentials {
        flavour: Flavour::DataCenter,
        auth: AuthMode::Basic,
        username_is_email: false,
    };
    assert_stopped_at(&test, Step::Credentials, &error);
}

#[test]
fn data_center_missing_repository_fails_the_second_step() {
    let mut routes = dc_routes(false);
    routes[1].1 = status(
        404,
        json!({ "errors": [{ "message": "Repository QA/regression does not exist.",
            "exceptionName": "com.atlassian.bitbucket.repository.NoSuchRepositoryException" }] }),
    );
    let mut test = ConnectionTest::new(&data_center());
    run_owned(&mut test, DC, &routes);
    let error = ApiError::NotFound {
        what: "The repository `QA/regression`".to_owned(),
        message: Some("Repository QA/regression does not exist.".to_owned()),
    };
    assert_stopped_at(&test, Step::Repository, &error);
    assert_eq!(test.steps()[0].status, passed("Accepted; acting as `ada`."));
}

#[test]
fn data_center_unreachable_server_fails_the_first_step() {
    let mut routes = dc_routes(false);
    let error = ApiError::from_fetch_failure(Flavour::DataCenter, true);
    routes[0].1 = Reply::NoAnswer(error.clone());
    let mut test = ConnectionTest::new(&data_center());
    run_owned(&mut test, DC, &routes);
    assert_stopped_at(&test, Step::Credentials, &error);
}

#[test]
fn answers_without_a_request_are_ignored() {
    let mut test = ConnectionTest::new(&cloud());
    test.handle_response(ApiResponse::new(500, ""));
    test.handle_failure(ApiError::Timeout);
    assert!(test.steps().iter().all(|r| r.status == StepStatus::Pending));
    assert!(test.next_request().is_some());
}

#[test]
fn the_checklist_serialises_for_display() {
    let mut test = ConnectionTest::new(&cloud());
    run(&mut test, CLOUD, vec![("/user", status(429, json!({})))]);
    let json = serde_json::to_value(test.steps()).unwrap();
    assert_eq!(json[0]["step"], "credentials");
    assert_eq!(json[0]["status"]["status"], "failed");
    assert_eq!(json[0]["status"]["detail"]["kind"], "rate_limited");
    assert_eq!(json[1]["status"]["status"], "skipped");
}
