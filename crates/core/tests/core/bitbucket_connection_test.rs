//! The connection test state machine, driven by canned Bitbucket answers.

use crate::bitbucket_support as support;

use serde_json::json;
use support::{cloud, cloud_access_token, data_center};
use versioning_core::bitbucket::pull_requests::PullRequestAccess;
use versioning_core::bitbucket::{
    ApiError, ApiResponse, ConnectionTest, Identity, Permission, RestrictionKind, Step, StepStatus,
    TestOutcome,
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
const PULL_REQUESTS: &str = "/repositories/acme/checkout-tests/pullrequests";
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

/// The answers after the permission: the token may open pull requests (Cloud refuses the empty one
/// asked with 400), then two pages of branches.
fn cloud_branch_pages() -> Vec<(&'static str, Reply)> {
    vec![
        (
            PULL_REQUESTS,
            status(
                400,
                json!({ "type": "error", "error": { "message": "title: This field is required." } }),
            ),
        ),
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
    assert_eq!(asked.len(), 7);
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
    assert_eq!(outcome.pull_requests, Some(PullRequestAccess::Allowed));
    let stored: TestOutcome =
        serde_json::from_str(&serde_json::to_string(&outcome).unwrap()).unwrap();
    assert_eq!(stored, outcome, "the outcome is stored with the connection");
}

/// What Bitbucket Cloud answers on `GET /user` to a repository, project or workspace access token.
fn not_accessible(code: u16) -> Reply {
    status(
        code,
        json!({ "type": "error", "error": { "message": "This API is not accessible by this authentication mechanism" } }),
    )
}

#[test]
fn cloud_access_token_infers_write_and_cannot_see_restrictions() {
    let mut test = ConnectionTest::new(&cloud_access_token());
    let mut routes = vec![
        ("/user", not_accessible(403)),
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

/// Runs a Cloud test with the usual repository and branches, the given answers to `/user` and to the
/// permission query, and `more` routes; returns the test and the URLs asked for.
fn run_cloud(
    connection: &versioning_core::ValidConnection,
    user: Reply,
    permission: Reply,
    more: Vec<(&'static str, Reply)>,
) -> (ConnectionTest, Vec<String>) {
    let mut test = ConnectionTest::new(connection);
    let mut routes = vec![
        ("/user", user),
        (REPO, cloud_repository()),
        (PERMISSION, permission),
    ];
    routes.extend(more);
    routes.extend(cloud_branch_pages());
    let asked = run(&mut test, CLOUD, routes);
    (test, asked)
}

#[test]
fn cloud_user_not_accessible_by_the_mechanism_accepts_the_credentials_as_403_or_401() {
    for code in [403, 401] {
        let (test, _) = run_cloud(
            &cloud_access_token(),
            not_accessible(code),
            forbidden_cloud(),
            vec![(RESTRICTIONS, forbidden_cloud())],
        );
        assert_eq!(
            test.steps()[0].status,
            passed(
                "The access token was accepted. Access tokens act as their own user and cannot read account details."
            ),
            "HTTP {code}"
        );
        let outcome = test.outcome().expect("an outcome");
        assert_eq!(outcome.identity, None, "HTTP {code}");
    }
}

#[test]
fn the_not_accessible_answer_is_not_a_wrong_token_even_with_basic_credentials() {
    let error = ApiError::ResourceTokenCannot {
        limit: versioning_core::bitbucket::TokenLimit::ReadAccount,
    };
    let (test, _) = run_cloud(
        &cloud(),
        not_accessible(401),
        cloud_permission("write"),
        vec![],
    );
    assert!(matches!(test.steps()[0].status, StepStatus::Passed(_)));
    assert!(test.outcome().expect("an outcome").push_available);
    assert!(error
        .to_string()
        .starts_with("These credentials were accepted"));
}

fn scoped_403(required: &[&str], granted: &[&str]) -> Reply {
    status(
        403,
        json!({ "type": "error", "error": { "message": "Your credentials lack one or more required privilege scopes.",
            "detail": { "required": required, "granted": granted } } }),
    )
}

#[test]
fn cloud_access_token_permission_comes_from_its_granted_scopes() {
    let (test, asked) = run_cloud(
        &cloud_access_token(),
        scoped_403(&["account"], &["repository", "repository:write"]),
        forbidden_cloud(),
        vec![],
    );
    assert!(
        !asked.contains(&RESTRICTIONS.to_owned()),
        "the scopes say the token may not read restrictions"
    );
    assert_eq!(
        test.steps()[2].status,
        passed("Write (from the token's scopes: repository, repository:write).")
    );
    let outcome = test.outcome().expect("an outcome");
    assert_eq!(outcome.permission, Permission::Write);
    assert!(outcome.push_available);
}

#[test]
fn a_read_only_access_token_reports_push_unavailable() {
    let (test, asked) = run_cloud(
        &cloud_access_token(),
        not_accessible(403),
        scoped_403(&["account", "repository"], &["repository"]),
        vec![],
    );
    assert!(!asked.contains(&RESTRICTIONS.to_owned()));
    assert_eq!(
        test.steps()[2].status,
        passed("Read (from the token's scopes: repository).")
    );
    let outcome = test.outcome().expect("an outcome");
    assert_eq!(outcome.permission, Permission::Read);
    assert!(!outcome.push_available);
    assert_eq!(
        outcome.push_unavailable_reason.as_deref(),
        Some(
            "This token's scopes allow reading `acme/checkout-tests` only: pushing needs the scope \
             repository:write. Scopes cannot be added to a token: create a new one that includes repository:write."
        )
    );
}

#[test]
fn an_admin_access_token_by_its_scopes_reads_restrictions() {
    let (test, _) = run_cloud(
        &cloud_access_token(),
        scoped_403(&["account"], &["repository:admin"]),
        forbidden_cloud(),
        vec![(RESTRICTIONS, ok(json!({ "values": [] })))],
    );
    let outcome = test.outcome().expect("an outcome");
    assert_eq!(outcome.permission, Permission::Admin);
    assert!(outcome.restrictions_visible);
}

#[test]
fn an_api_token_without_the_user_scope_passes_with_a_warning() {
    // The recorded answer (acceptance/responses/cloud/errors/403-missing-privilege-scopes-api-token.json).
    let user = status(
        403,
        json!({ "type": "error", "error": { "message": "Your credentials lack one or more required privilege scopes.",
            "detail": { "required": ["read:user:bitbucket"] } } }),
    );
    let (test, _) = run_cloud(&cloud(), user, cloud_permission("write"), vec![]);
    assert_eq!(
        test.steps()[0].status,
        StepStatus::PassedWithWarning(
            "Accepted, but the token lacks the scope read:user:bitbucket, so the account it belongs to cannot be \
             shown. Reading and pushing do not need it; add it the next time you create a token."
                .to_owned()
        )
    );
    let outcome = test.outcome().expect("an outcome despite the warning");
    assert_eq!(outcome.identity, None);
    assert_eq!(outcome.permission, Permission::Write);
    assert!(outcome.push_available);
}

#[test]
fn an_api_token_whose_scopes_lack_write_cannot_push_although_the_user_may() {
    let (test, _) = run_cloud(
        &cloud(),
        scoped_403(&["read:user:bitbucket"], &["read:repository:bitbucket"]),
        cloud_permission("write"),
        vec![],
    );
    let outcome = test.outcome().expect("an outcome");
    assert_eq!(outcome.permission, Permission::Read);
    assert!(!outcome.push_available);
    assert!(outcome
        .push_unavailable_reason
        .unwrap()
        .contains("write:repository:bitbucket"));
}

#[test]
fn an_admin_whose_token_lacks_the_admin_scope_is_told_which_scope() {
    let (test, _) = run_cloud(
        &cloud(),
        cloud_user(),
        cloud_permission("admin"),
        vec![(
            RESTRICTIONS,
            scoped_403(
                &["admin:repository:bitbucket"],
                &[
                    "read:user:bitbucket",
                    "read:repository:bitbucket",
                    "write:repository:bitbucket",
                ],
            ),
        )],
    );
    assert_eq!(
        test.steps()[4].status,
        StepStatus::NotVisible(
            "Not visible to this token: reading branch restrictions needs the scope admin:repository:bitbucket, \
             which the token lacks. Scopes cannot be added to a token: create a new one that includes \
             admin:repository:bitbucket to see them. Bitbucket still applies them when you push, and explains \
             any refusal."
                .to_owned()
        )
    );
    let outcome = test.outcome().expect("an outcome");
    assert!(outcome.push_available);
    assert!(!outcome.restrictions_visible);
}

#[test]
fn cloud_read_only_skips_restrictions_and_says_why_push_is_off() {
    let (test, asked) = run_cloud(&cloud(), cloud_user(), ok(json!({ "values": [] })), vec![]);
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
    assert_eq!(outcome.restrictions[0].kind, RestrictionKind::ReadOnly);
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
    assert_eq!(
        Step::Credentials.failure(&error),
        "the credentials were refused"
    );
}

#[test]
fn a_failure_headline_says_what_failed() {
    let unreachable = ApiError::Network {
        flavour: Flavour::DataCenter,
        cross_origin: false,
    };
    let no_relay = ApiError::Network {
        flavour: Flavour::DataCenter,
        cross_origin: true,
    };
    let missing = ApiError::NotFound {
        what: "The repository `acme/checkout-tests`".to_owned(),
        message: None,
    };
    let refused = ApiError::Forbidden { message: None };
    let cases = [
        (
            Step::Credentials,
            &unreachable,
            "the credentials could not be checked",
        ),
        (
            Step::Credentials,
            &no_relay,
            "Bitbucket Data Center did not answer this page: it needs a relay",
        ),
        (Step::Repository, &missing, "the repository was not found"),
        (
            Step::Repository,
            &refused,
            "the repository may not be read with these credentials",
        ),
        (
            Step::Repository,
            &ApiError::Timeout,
            "the repository could not be read",
        ),
        (
            Step::Permission,
            &refused,
            "the permission on the repository could not be read",
        ),
        (
            Step::Branches,
            &ApiError::Timeout,
            "the main branch and branches could not be read",
        ),
        (
            Step::Restrictions,
            &unreachable,
            "the branch restrictions could not be read",
        ),
    ];
    for (step, error, headline) in cases {
        assert_eq!(step.failure(error), headline, "{step:?} {error:?}");
        assert_ne!(step.failure(error), step.label());
    }
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
            (PULL_REQUESTS, status(400, json!({}))),
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
    assert_eq!(json[0]["status"]["detail"]["kind"], "hourly_limit");
    assert_eq!(json[1]["status"]["status"], "skipped");
}

// ---- Data Center project and repository access tokens may read but not commit ----

fn data_center_bearer() -> versioning_core::ValidConnection {
    support::connection(
        "https://git.example.com/bitbucket/scm/qa/regression.git",
        true,
        "",
    )
}

const DC_USER_LOOKUP: &str = "/api/latest/users/regression-suite-build-token";

fn dc_bearer_routes(acting_user: Option<&str>, lookup: Option<Reply>) -> Vec<(String, Reply)> {
    let mut routes = dc_routes(false);
    let mut properties = ApiResponse::new(200, json!({ "version": "9.4.2" }).to_string());
    if let Some(user) = acting_user {
        properties = properties.with_header("X-AUSERNAME", user);
    }
    routes[0].1 = Reply::Answer(properties);
    if let Some(lookup) = lookup {
        routes.push((DC_USER_LOOKUP.to_owned(), lookup));
    }
    routes
}

#[test]
fn data_center_bearer_token_without_a_named_user_pushes_over_git_only() {
    let mut test = ConnectionTest::new(&data_center_bearer());
    run_owned(&mut test, DC, &dc_bearer_routes(None, None));
    let outcome = test.outcome().expect("an outcome: reading works");
    assert_eq!(outcome.permission, Permission::Write);
    assert!(outcome.push_available);
    assert_eq!(outcome.push_unavailable_reason, None);
    let reason = outcome.push_over_git_only.expect("a reason");
    assert!(reason.contains("relay that passes /scm"), "{reason}");
    assert!(
        reason.contains("project or repository access token"),
        "{reason}"
    );
    assert!(reason.contains("enter your username"), "{reason}");
    assert!(matches!(
        &test.steps()[2].status,
        StepStatus::PassedWithWarning(detail) if detail.starts_with("Write. Bitbucket did not tell")
    ));
}

#[test]
fn data_center_token_acting_as_a_service_user_pushes_over_git_only() {
    for lookup in [
        ok(
            json!({ "name": "regression-suite-build-token", "slug": "regression-suite-build-token", "type": "SERVICE" }),
        ),
        status(
            404,
            json!({ "errors": [{ "message": "User regression-suite-build-token does not exist.",
                "exceptionName": "com.atlassian.bitbucket.user.NoSuchUserException" }] }),
        ),
    ] {
        let mut test = ConnectionTest::new(&data_center_bearer());
        let asked = run_owned(
            &mut test,
            DC,
            &dc_bearer_routes(Some("regression-suite-build-token"), Some(lookup)),
        );
        assert!(asked.contains(&DC_USER_LOOKUP.to_owned()));
        let outcome = test.outcome().expect("an outcome");
        assert!(outcome.push_available);
        assert!(outcome.push_over_git_only.unwrap().starts_with(
            "This token acts as `regression-suite-build-token`, which is not a real user"
        ));
    }
}

#[test]
fn data_center_personal_token_as_bearer_keeps_push() {
    let mut test = ConnectionTest::new(&data_center_bearer());
    let lookup = ok(json!({ "name": "lee", "slug": "lee", "type": "NORMAL" }));
    let mut routes = dc_bearer_routes(Some("lee"), None);
    routes.push(("/api/latest/users/lee".to_owned(), lookup));
    run_owned(&mut test, DC, &routes);
    assert_eq!(test.steps()[2].status, passed("Write."));
    let outcome = test.outcome().expect("an outcome");
    assert!(outcome.push_available);
    assert_eq!(outcome.push_unavailable_reason, None);
    assert_eq!(outcome.push_over_git_only, None);
}

#[test]
fn data_center_basic_credentials_need_no_user_lookup() {
    let mut routes = dc_routes(false);
    routes[0].1 = ok(json!({ "version": "9.4.2" }));
    let mut test = ConnectionTest::new(&data_center());
    let asked = run_owned(&mut test, DC, &routes);
    assert!(!asked
        .iter()
        .any(|url| url.starts_with("/api/latest/users/")));
    assert!(test.outcome().expect("an outcome").push_available);
}

#[test]
fn a_token_without_the_pull_request_scopes_passes_with_a_warning_naming_them() {
    let mut test = ConnectionTest::new(&cloud());
    let mut routes = vec![
        ("/user", cloud_user()),
        (REPO, cloud_repository()),
        (PERMISSION, cloud_permission("write")),
    ];
    routes.extend(cloud_branch_pages());
    routes[3] = (
        PULL_REQUESTS,
        scoped_403(
            &["read:pullrequest:bitbucket", "write:pullrequest:bitbucket"],
            &["read:repository:bitbucket", "write:repository:bitbucket"],
        ),
    );
    run(&mut test, CLOUD, routes);
    let StepStatus::PassedWithWarning(detail) = &statuses(&test)[2].1 else {
        panic!("a warning: {:?}", statuses(&test)[2]);
    };
    assert!(detail.starts_with("Write. This connection's token cannot open pull requests"));
    assert!(detail.contains("read:pullrequest:bitbucket, write:pullrequest:bitbucket"));
    let outcome = test.outcome().expect("an outcome");
    assert!(outcome.push_available, "pushing is not held back");
    assert!(matches!(
        outcome.pull_requests,
        Some(PullRequestAccess::MissingScope { .. })
    ));
}

#[test]
fn data_center_read_permission_suffices_for_pull_requests_and_older_outcomes_read_back() {
    let mut test = ConnectionTest::new(&data_center());
    run_owned(&mut test, DC, &dc_routes(false));
    let outcome = test.outcome().expect("an outcome");
    assert_eq!(outcome.pull_requests, Some(PullRequestAccess::Allowed));
    let mut older = serde_json::to_value(&outcome).unwrap();
    older.as_object_mut().unwrap().remove("pull_requests");
    let read: TestOutcome = serde_json::from_value(older).unwrap();
    assert_eq!(read.pull_requests, None);
}
