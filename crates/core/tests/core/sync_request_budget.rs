//! The request budgets of Cloud pushes, pinned on a synthetic project of 200 test cases against the local
//! sandbox (in-process): a first push to a new branch, a push of one changed test case, and a push of no
//! change. A request count growing past its budget fails here (the times are in `sync_measure`).

use crate::support;

use support::{Product, Sandbox};
use versioning_core::artifacts::generate::synthetic_project;
use versioning_core::artifacts::Project;
use versioning_core::bitbucket::Method;
use versioning_core::roles::Role;
use versioning_core::sync::{
    Job, LocalFiles, PushOutcome, PushPlanner, PushRequest, PushSender, ScmParameters, SyncBase,
    CLOUD_REQUESTS_PER_HOUR,
};

const BRANCH: &str = "feature/budget";
const MAIN: &str = "main";

fn request(base: Option<&SyncBase>) -> PushRequest {
    PushRequest {
        roles: vec![Role::QualityLead],
        main_branch: Some(MAIN.to_owned()),
        branch: BRANCH.to_owned(),
        new_branch_from: base.is_none().then(|| MAIN.to_owned()),
        message: "Budget".to_owned(),
        version: None,
        approved_only: false,
        parameters: ScmParameters::default(),
        base: base.cloned(),
        seed: 9,
    }
}

/// Plans and sends a push; answers the outcome and the methods of the requests sent.
async fn push(
    sandbox: &Sandbox,
    project: &Project,
    base: Option<&SyncBase>,
) -> (PushOutcome, Vec<Method>) {
    let api = Product::Cloud.api("lee");
    let mut driver = sandbox.driver();
    let mut planner =
        PushPlanner::new(api.clone(), request(base), LocalFiles::of(project)).unwrap();
    let plan = driver.run(&mut planner).await.unwrap().expect("planned");
    let mut sender = {
        let confirmation = support::as_planned(&plan);
        PushSender::new(api, plan, &confirmation)
    }
    .unwrap();
    let outcome = driver.run(&mut sender).await.unwrap().expect("pushed");
    let methods: Vec<Method> = driver.sent.iter().map(|s| s.method).collect();
    assert_eq!(outcome.requests, methods.len(), "every request is counted");
    (outcome, methods)
}

#[tokio::test]
async fn cloud_pushes_stay_within_their_request_budgets() {
    let sandbox = Sandbox::new();
    let mut project = synthetic_project(5, 200);

    // First push to a new branch from main, whose seeded `project.json` has another size than ours: the
    // new branch's tip (404), main's tip, one listing, the commit and the new tip. The seeded file is not
    // read (its listed size differs).
    let (first, methods) = push(&sandbox, &project, None).await;
    assert_eq!(first.commits.len(), 1);
    assert!(methods.len() <= FIRST_PUSH, "{methods:?}");
    assert_eq!(
        methods.iter().filter(|m| **m == Method::Post).count(),
        1,
        "{methods:?}"
    );

    // One changed test case, with the base of the first push: the tip, the commit, the new tip.
    let case = project.test_cases().next().expect("a test case").id.clone();
    project
        .set_description(&case, "Changed once, pushed alone.")
        .unwrap();
    let (second, methods) = push(&sandbox, &project, Some(&first.base)).await;
    // The file, the manifest's part that lists it and its root.
    assert_eq!((second.commits.len(), second.written), (1, 3));
    assert!(methods.len() <= 3, "{methods:?}");

    // No change: the tip only, nothing written.
    let (third, methods) = push(&sandbox, &project, Some(&second.base)).await;
    assert!(third.nothing_to_push && third.commits.is_empty());
    assert!(methods.len() <= 2, "{methods:?}");
    assert!(methods.iter().all(|m| *m == Method::Get), "{methods:?}");
}

/// Requests of a first push to a new branch: the new branch's tip (404), the source's tip, the listing,
/// the commit and the new tip. (The commit's hash is in the `Location` header of Cloud's 201, but Cloud
/// does not expose that header to scripts in a browser, so the tip is read again.)
const FIRST_PUSH: usize = 4;

/// A push says before it starts how many requests it will send, so that the page can refuse one that
/// would not fit in Cloud's hourly allowance: the estimate is what the push then sends. First pushes of
/// 1,000 and 10,000 test cases to Cloud, against the allowance of 1,000 requests an hour.
#[tokio::test]
async fn a_push_tells_before_it_starts_the_requests_it_will_send() {
    for cases in [1_000, 10_000] {
        let sandbox = Sandbox::new();
        let project = synthetic_project(7, cases);
        let api = Product::Cloud.api("lee");
        let mut driver = sandbox.driver();
        let mut planner =
            PushPlanner::new(api.clone(), request(None), LocalFiles::of(&project)).unwrap();
        let plan = driver.run(&mut planner).await.unwrap().expect("planned");
        let planning = driver.sent.len();
        let confirmation = support::as_planned(&plan);
        let mut sender = PushSender::new(api, plan, &confirmation).unwrap();
        let estimate = sender.requests_ahead().expect("a planned push knows");
        driver.run(&mut sender).await.unwrap().expect("pushed");
        let sent = driver.sent.len() - planning;
        println!(
            "{cases} test cases: planning {planning} requests, sending {sent} (estimated {estimate}) \
             of an allowance of {CLOUD_REQUESTS_PER_HOUR} an hour"
        );
        assert_eq!(estimate, sent, "{cases} test cases");
        assert!(
            planning + sent < CLOUD_REQUESTS_PER_HOUR / 10,
            "{cases} test cases"
        );
    }
}
