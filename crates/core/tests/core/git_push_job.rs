//! Data Center pushes over git (`GitPush`) driven against the in-process sandbox: one commit with
//! every change and the manifest, the version in the same atomic update, Data Center's refusals in
//! its words, and what a cut connection leaves.

use crate::support;

use std::collections::BTreeMap;

use bitbucket_sandbox::config::{GitFilter, Token, TokenKind};
use support::{Driver, Fault, Product, Sandbox};
use versioning_core::artifacts::demo::demo_projects;
use versioning_core::artifacts::{manifest_in, to_files, LayoutOptions, Project, MANIFEST_FILE};
use versioning_core::bitbucket::{Api, ApiError, ApiResponse, Method};
use versioning_core::roles::Role;
use versioning_core::sync::{
    GitIdentity, GitPush, GitPushError, Job, JobStep, LocalFiles, PushOutcome, PushPlan,
    PushPlanner, PushRequest, PushRoute, RestReason, ScmParameters, SyncBase, SyncError,
    MANIFEST_TRAILER,
};
use versioning_core::ConnectionForm;

const DC: Product = Product::DataCenter;
const MAIN: &str = "main";
const BRANCH: &str = "feature/login";
const ROOT: &str = "test-artifacts";
const PROJECT_TOKEN: &str = "BBDC-test-project-qa";

fn demo() -> Project {
    demo_projects().remove(0)
}

/// A Quality Lead's push of the demo project to `branch`.
fn request(branch: &str) -> PushRequest {
    PushRequest {
        roles: vec![Role::QualityLead],
        main_branch: Some(MAIN.to_owned()),
        branch: branch.to_owned(),
        new_branch_from: None,
        message: "Update the checkout tests".to_owned(),
        version: None,
        approved_only: false,
        parameters: ScmParameters::default(),
        base: None,
        seed: 11,
    }
}

fn identity() -> GitIdentity {
    GitIdentity::of("lee", 1_750_000_000_000.0, 120)
}

/// An API of the demo Data Center repository with a token of its own (Bearer).
fn api_with(token: &str) -> Api {
    let form = ConnectionForm {
        name: "Data Center".to_owned(),
        token: token.to_owned(),
        pat: true,
        repository_url: format!(
            "http://localhost:{}/scm/qa/regression-suite.git",
            support::PORT
        ),
        username: "lee".to_owned(),
        api_base_url: String::new(),
    };
    Api::new(&form.to_connection(&[]).expect("a valid connection"))
}

async fn plan(
    driver: &mut Driver<'_>,
    api: Api,
    request: PushRequest,
    project: &Project,
) -> PushPlan {
    let mut planner =
        PushPlanner::new(api, request, LocalFiles::of(project)).expect("a valid push");
    driver
        .run(&mut planner)
        .await
        .expect("not stopped")
        .expect("the push is planned")
}

/// Plans and pushes over git with `api`.
async fn push_with(
    driver: &mut Driver<'_>,
    api: Api,
    request: PushRequest,
    project: &Project,
) -> Result<PushOutcome, SyncError> {
    let plan = plan(driver, api.clone(), request, project).await;
    let mut job = GitPush::new(api, plan.clone(), &support::as_planned(&plan), &identity())?;
    driver.run(&mut job).await.expect("not stopped")
}

/// A push of `plan`, by the lead it was planned for.
fn job_of(plan: &PushPlan) -> GitPush {
    GitPush::new(
        DC.api("lee"),
        plan.clone(),
        &support::as_planned(plan),
        &identity(),
    )
    .expect("the push may be sent")
}

/// Another client's commit on main, made directly in the sandbox's repository.
fn their_commit(sandbox: &Sandbox) -> String {
    let files = BTreeMap::from([("notes.txt".to_owned(), b"theirs\n".to_vec())]);
    sandbox.seed(DC, MAIN, MAIN, files)
}

async fn push(
    sandbox: &Sandbox,
    request: PushRequest,
    project: &Project,
) -> Result<PushOutcome, SyncError> {
    push_with(&mut sandbox.driver(), DC.api("lee"), request, project).await
}

/// Checks that `branch` holds exactly `project` under the root (the manifest's origin aside).
fn assert_holds(sandbox: &Sandbox, branch: &str, project: &Project) {
    let mut tree = sandbox.files(DC, branch, ROOT);
    let path = format!("{ROOT}/{MANIFEST_FILE}");
    let manifest = manifest_in(&tree, &LayoutOptions::default()).expect("a manifest");
    let mut manifest = manifest.expect("a readable manifest");
    assert!(
        manifest.origin_commit().is_some(),
        "the manifest names its origin"
    );
    manifest.origin = None;
    tree.insert(path, manifest.tree().root);
    let expected = to_files(project, &LayoutOptions::default());
    assert_eq!(
        tree.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    assert!(tree == expected, "the contents under {ROOT}");
}

/// How many requests of each method the driver sent.
fn count(driver: &Driver<'_>, method: Method) -> usize {
    driver.sent.iter().filter(|s| s.method == method).count()
}

/// How many requests to `/scm`'s `service` (`git-receive-pack`: pushes; `git-upload-pack`: fetches)
/// the driver sent.
fn git(driver: &Driver<'_>, service: &str) -> usize {
    let tail = format!("/{service}");
    driver
        .sent
        .iter()
        .filter(|s| s.url.ends_with(&tail))
        .count()
}

#[tokio::test]
async fn a_first_push_to_main_is_one_commit_holding_exactly_the_project() {
    let sandbox = Sandbox::new();
    let before = sandbox.tip(DC, MAIN).unwrap();
    let readme = sandbox
        .files_at(DC, &before, "")
        .keys()
        .cloned()
        .collect::<Vec<_>>();
    let project = demo();
    let mut driver = sandbox.driver();
    let outcome = push_with(&mut driver, DC.api("lee"), request(MAIN), &project)
        .await
        .unwrap();

    let tip = sandbox.tip(DC, MAIN).unwrap();
    assert_eq!(outcome.commits, std::slice::from_ref(&tip));
    let commit = sandbox.commit(DC, &tip);
    assert_eq!(
        commit.parents,
        std::slice::from_ref(&before),
        "one new commit on main"
    );
    assert!(commit.message.starts_with("Update the checkout tests\n\n"));
    assert!(commit.message.contains(&format!("{MANIFEST_TRAILER}: ")));
    assert_holds(&sandbox, MAIN, &project);
    // Everything outside the artifact folder is kept as it was.
    let outside: Vec<String> = sandbox
        .touched(DC, &tip)
        .into_iter()
        .filter(|path| !path.starts_with(&format!("{ROOT}/")))
        .collect();
    assert!(outside.is_empty(), "{outside:?}");
    assert!(!readme.is_empty());
    // After the preview (through the REST API here): the advertisement, one fetch of main's trees
    // (no history, no file content: the modes and ids of the kept files), the push.
    assert_eq!(git(&driver, "git-receive-pack"), 1, "one push");
    assert_eq!(git(&driver, "git-upload-pack"), 1, "one fetch of the trees");
    let pushing = driver
        .sent
        .iter()
        .skip_while(|s| !s.url.contains("/info/refs"));
    assert_eq!(pushing.clone().count(), 3, "{:?}", driver.sent);
    assert!(pushing.clone().all(|s| s.url.contains("/scm/")));
    assert_eq!(
        outcome.written,
        to_files(&project, &LayoutOptions::default()).len()
    );
}

#[tokio::test]
async fn a_deleted_test_case_is_gone_from_the_tree() {
    let sandbox = Sandbox::new();
    let project = demo();
    let first = push(&sandbox, request(MAIN), &project).await.unwrap();
    let mut edited = project.clone();
    let id = edited.test_cases().next().unwrap().id.clone();
    let path = LocalFiles::of(&project)
        .manifest
        .files
        .iter()
        .find(|entry| entry.id == id)
        .map(|entry| entry.path.clone())
        .unwrap();
    edited.delete(&id).expect("the test case is deleted");
    let next = PushRequest {
        base: Some(first.base.clone()),
        ..request(MAIN)
    };
    let outcome = push(&sandbox, next, &edited).await.unwrap();
    assert_eq!(outcome.deleted, 1);
    assert_eq!(outcome.kept_in_git, 0);
    assert!(
        !sandbox.files(DC, MAIN, ROOT).contains_key(&*path),
        "{path} is gone"
    );
    assert_holds(&sandbox, MAIN, &edited);
    let tip = sandbox.tip(DC, MAIN).unwrap();
    assert_eq!(sandbox.commit(DC, &tip).parents, [first.base.commit]);
}

#[tokio::test]
async fn a_new_branch_and_a_version_move_in_one_atomic_update() {
    let sandbox = Sandbox::new();
    let main = sandbox.tip(DC, MAIN).unwrap();
    let project = demo();
    let branch_and_version = PushRequest {
        new_branch_from: Some(MAIN.to_owned()),
        version: Some("v1.0".to_owned()),
        ..request(BRANCH)
    };
    let mut driver = sandbox.driver();
    let outcome = push_with(&mut driver, DC.api("lee"), branch_and_version, &project)
        .await
        .unwrap();
    let tip = sandbox.tip(DC, BRANCH).unwrap();
    assert!(outcome.branch_created);
    assert_eq!(outcome.tag.as_deref(), Some("v1.0"));
    assert_eq!(sandbox.tag(DC, "v1.0"), Some(tip.clone()));
    assert_eq!(
        sandbox.commit(DC, &tip).parents,
        std::slice::from_ref(&main)
    );
    assert_eq!(sandbox.tip(DC, MAIN), Some(main));
    assert_eq!(
        git(&driver, "git-receive-pack"),
        1,
        "branch and tag in one push"
    );
    assert_holds(&sandbox, BRANCH, &project);

    // The same branch again: it exists now, and nothing moves.
    let again = PushRequest {
        new_branch_from: Some(MAIN.to_owned()),
        version: Some("v2.0".to_owned()),
        ..request(BRANCH)
    };
    let refused = push(&sandbox, again, &project).await;
    assert!(
        matches!(refused, Err(SyncError::BranchExists { .. })),
        "{refused:?}"
    );
    assert_eq!(sandbox.tip(DC, BRANCH), Some(tip));
    assert_eq!(sandbox.tag(DC, "v2.0"), None);
}

/// Drives `job` on `sandbox`, calling `before_push` just before its push request is sent.
async fn run_racing(
    sandbox: &Sandbox,
    job: &mut GitPush,
    before_push: impl FnOnce(),
) -> Result<PushOutcome, SyncError> {
    let mut before_push = Some(before_push);
    loop {
        match job.next() {
            JobStep::Done(output) => return output,
            JobStep::Wait(_) | JobStep::Unpack(_) => {}
            JobStep::Send(requests) => {
                if requests.iter().any(|r| r.method == Method::Post) {
                    if let Some(race) = before_push.take() {
                        race();
                    }
                }
                let mut answers = Vec::new();
                for request in &requests {
                    answers.push(Ok(sandbox.execute(request).await));
                }
                job.handle(answers);
            }
        }
    }
}

#[tokio::test]
async fn a_push_racing_another_client_is_refused_and_explained() {
    let sandbox = Sandbox::new();
    let project = demo();
    let mut driver = sandbox.driver();
    let plan = plan(&mut driver, DC.api("lee"), request(MAIN), &project).await;
    let mut job = job_of(&plan);
    let mut theirs = None;
    let outcome = run_racing(&sandbox, &mut job, || theirs = Some(their_commit(&sandbox))).await;
    let error = outcome.unwrap_err();
    assert!(matches!(error, SyncError::BranchMoved { .. }), "{error:?}");
    assert!(error.to_string().contains("pull first"), "{error}");
    assert_eq!(sandbox.tip(DC, MAIN), theirs, "their commit stays the tip");
}

#[tokio::test]
async fn a_plan_older_than_the_branch_is_stopped_before_anything_is_sent() {
    let sandbox = Sandbox::new();
    let project = demo();
    let mut driver = sandbox.driver();
    let plan = plan(&mut driver, DC.api("lee"), request(MAIN), &project).await;
    let theirs = their_commit(&sandbox);
    let mut job = job_of(&plan);
    let mut driver = sandbox.driver();
    let error = driver.run(&mut job).await.unwrap().unwrap_err();
    assert!(matches!(error, SyncError::BranchMoved { .. }), "{error:?}");
    assert_eq!(count(&driver, Method::Post), 0);
    assert_eq!(sandbox.tip(DC, MAIN), Some(theirs));
}

#[tokio::test]
async fn a_project_access_token_pushes_over_git() {
    let sandbox = Sandbox::configured(|config| {
        config.tokens.push(Token {
            secret: PROJECT_TOKEN.to_owned(),
            kind: TokenKind::DcProject,
            user: None,
            name: Some("QA project token".to_owned()),
            repository: Some("QA".to_owned()),
            scopes: Vec::new(),
            permission: Some("PROJECT_WRITE".to_owned()),
            expires: None,
        })
    });
    let project = demo();
    let new_branch = PushRequest {
        new_branch_from: Some(MAIN.to_owned()),
        ..request(BRANCH)
    };
    let outcome = push_with(
        &mut sandbox.driver(),
        api_with(PROJECT_TOKEN),
        new_branch,
        &project,
    )
    .await
    .unwrap();
    assert_eq!(outcome.commits.len(), 1);
    assert_holds(&sandbox, BRANCH, &project);
}

#[tokio::test]
async fn a_read_only_main_refuses_with_data_centers_words() {
    let sandbox = Sandbox::new();
    let before = sandbox.tip(DC, MAIN);
    // The app's roles allow it (a lead); Data Center's branch permission does not let eve write main.
    let mut driver = sandbox.driver();
    let error = push_with(&mut driver, DC.api("eve"), request(MAIN), &demo())
        .await
        .unwrap_err();
    let SyncError::Git(GitPushError::Refused { refused, .. }) = &error else {
        panic!("a refusal in Data Center's words: {error:?}");
    };
    assert!(refused
        .messages
        .contains(&"Branch refs/heads/main is read-only.".to_owned()));
    let text = error.to_string();
    assert!(
        text.contains("Branch refs/heads/main is read-only."),
        "{text}"
    );
    assert!(text.contains("nothing was pushed"), "{text}");
    assert_eq!(sandbox.tip(DC, MAIN), before);
}

#[tokio::test]
async fn a_quality_engineer_is_refused_on_main_before_anything_is_sent() {
    let sandbox = Sandbox::new();
    let mut driver = sandbox.driver();
    // A plan made for a lead is not sent for an engineer: the roles are checked again at Push.
    let plan = plan(&mut driver, DC.api("lee"), request(MAIN), &demo()).await;
    let engineer = versioning_core::sync::Confirmation {
        roles: vec![Role::QualityEngineer],
        overwrite: false,
    };
    let refused = GitPush::new(DC.api("lee"), plan, &engineer, &identity());
    assert!(
        matches!(refused, Err(SyncError::Denied(_) | SyncError::RolesChanged)),
        "{refused:?}"
    );
}

/// What a cut push left: the sandbox, main's tip before, the outcome and the pushes sent.
type Cut = (Sandbox, String, Result<PushOutcome, SyncError>, usize);

/// A push to main whose push request meets `fault`, retried `retries` times at most.
async fn push_cut(fault: Fault, retries: u32) -> Cut {
    let sandbox = Sandbox::new();
    let before = sandbox.tip(DC, MAIN).unwrap();
    let with_retries = PushRequest {
        parameters: ScmParameters {
            scm_retry_count: retries,
            ..ScmParameters::default()
        },
        ..request(MAIN)
    };
    let mut driver = sandbox.driver().inject(fault);
    let outcome = push_with(&mut driver, DC.api("lee"), with_retries, &demo()).await;
    let pushes = git(&driver, "git-receive-pack");
    drop(driver);
    (sandbox, before, outcome, pushes)
}

#[tokio::test]
async fn a_connection_cut_before_the_pack_arrived_leaves_main_unchanged_or_sends_it_again() {
    let (sandbox, before, outcome, _) = push_cut(Fault::NeverArrived { nth: 1 }, 0).await;
    assert!(
        matches!(outcome, Err(SyncError::Api(ApiError::Timeout))),
        "{outcome:?}"
    );
    assert_eq!(sandbox.tip(DC, MAIN), Some(before));

    let (sandbox, before, outcome, pushes) = push_cut(Fault::NeverArrived { nth: 1 }, 2).await;
    assert_eq!(pushes, 2, "sent again once the branch was read unchanged");
    let outcome = outcome.unwrap();
    let tip = sandbox.tip(DC, MAIN).unwrap();
    assert_eq!(outcome.commits, std::slice::from_ref(&tip));
    assert_eq!(sandbox.commit(DC, &tip).parents, [before]);
    assert_holds(&sandbox, MAIN, &demo());
}

#[tokio::test]
async fn a_connection_cut_after_the_pack_landed_completes_without_sending_it_again() {
    let (sandbox, before, outcome, pushes) = push_cut(Fault::AnswerLost { nth: 1 }, 0).await;
    assert_eq!(pushes, 1, "the branch was read, not the push sent again");
    let outcome = outcome.unwrap();
    let tip = sandbox.tip(DC, MAIN).unwrap();
    assert_eq!(outcome.commits, std::slice::from_ref(&tip));
    assert_eq!(
        sandbox.commit(DC, &tip).parents,
        [before],
        "one commit, not two"
    );
    assert_holds(&sandbox, MAIN, &demo());
}

#[test]
fn the_rest_route_refuses_credentials_that_push_over_git_only() {
    let answered = PushRoute::of(&Ok(ApiResponse::new(404, String::new())));
    assert_eq!(answered, PushRoute::Rest(RestReason::Answered(404)));
    let reason = "This token acts as `ci`, which is not a real user.";
    let refusal = answered.refusal(Some(reason)).expect("refused");
    assert!(refusal.starts_with("This push cannot go through the REST API with this token"));
    assert!(refusal.ends_with(reason), "{refusal}");
    assert_eq!(
        answered.refusal(None),
        None,
        "a real user's token commits through REST"
    );
    assert_eq!(PushRoute::Git.refusal(Some(reason)), None, "git takes it");
}

/// A sandbox whose Data Center does not let fetches filter objects
/// (`plugin.bitbucket-git.hosting.allow-filter=false`).
fn without_filters() -> Sandbox {
    Sandbox::configured(|config| config.datacenter.properties.allow_filter = GitFilter::Disabled)
}

/// Pushes the demo project to main, then the deletion of a test case deep in its folders; the
/// second push's driver.
async fn push_deep_deletion(sandbox: &Sandbox) -> Driver<'_> {
    let project = demo();
    let first = push(sandbox, request(MAIN), &project).await.unwrap();
    let (edited, plan) = plan_deletion(sandbox, &project, first.base).await;
    let mut driver = sandbox.driver();
    let outcome = driver.run(&mut job_of(&plan)).await.expect("not stopped");
    assert_eq!(outcome.unwrap().deleted, 1);
    assert_holds(sandbox, MAIN, &edited);
    driver
}

#[tokio::test]
async fn a_deep_change_is_pushed_from_one_fetch_of_the_parents_trees() {
    let sandbox = Sandbox::new();
    let driver = push_deep_deletion(&sandbox).await;
    // The advertisement, the fetch of main's trees (every folder and every mode at once), the push.
    assert_eq!(driver.sent.len(), 3, "{:?}", driver.sent);
    assert_eq!(git(&driver, "git-upload-pack"), 1);
    assert_eq!(driver.rounds, 3);
}

#[tokio::test]
async fn where_the_server_allows_no_filter_the_folders_of_a_deep_change_are_listed_in_one_round() {
    let sandbox = without_filters();
    let driver = push_deep_deletion(&sandbox).await;
    // Besides the advertisement: the root's and each folder's listing down to the deleted file, and
    // the archive that tells the modes of the root's other files.
    let reads = count(&driver, Method::Get) - 1;
    assert!(
        reads > 4,
        "the folders down to the deleted file: {reads} reads"
    );
    // The advertisement, the fetch the server answers without a pack, the listings at once, the
    // listing of the manifest's parts, the modes, the push.
    assert_eq!(driver.rounds, 6);
}

/// A Quality Lead's first push of `project` to a new branch from main with a version, planned over
/// git from the route's probe (`over_git`) or through the REST API; the plan and the requests it took.
async fn preview(
    sandbox: &Sandbox,
    project: &Project,
    over_git: bool,
) -> (PushPlan, Vec<support::Sent>) {
    let request = PushRequest {
        new_branch_from: Some(MAIN.to_owned()),
        version: Some("v2.0".to_owned()),
        ..request(BRANCH)
    };
    let planner = PushPlanner::new(DC.api("lee"), request, LocalFiles::of(project)).unwrap();
    let mut planner = match over_git {
        true => planner.over_git(&probe(sandbox).await),
        false => planner,
    };
    let mut driver = sandbox.driver();
    let plan = driver.run(&mut planner).await.unwrap().unwrap();
    (plan, driver.sent)
}

/// Main holding, without a manifest, one of the project's files as it is here and one changed.
fn main_holding_two_files(sandbox: &Sandbox, project: &Project) -> (String, String) {
    let files = to_files(project, &LayoutOptions::default());
    let mut paths = files.keys().filter(|p| !p.contains("/.manifest"));
    let same = paths.next().unwrap().clone();
    let changed = paths.next().unwrap().clone();
    let seeded = BTreeMap::from([
        (same.clone(), files[&same].clone()),
        (changed.clone(), b"{}".to_vec()),
    ]);
    sandbox.seed(DC, MAIN, MAIN, seeded);
    (same, changed)
}

#[tokio::test]
async fn a_preview_over_git_reads_the_branch_from_git_alone_and_plans_as_the_rest_api_would() {
    let project = demo();
    let sandbox = Sandbox::new();
    let (same, changed) = main_holding_two_files(&sandbox, &project);
    // A preview writes nothing: both read the same main.
    let (through_rest, _) = preview(&sandbox, &project, false).await;
    let (plan, sent) = preview(&sandbox, &project, true).await;
    // The tip and the version from the probe's advertisement, the files from one fetch of main's
    // trees: nothing through the REST API.
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].url.ends_with("/git-upload-pack"));
    assert_eq!(plan.changes, through_rest.changes);
    assert_eq!(plan.remote, through_rest.remote);
    let writes: Vec<&str> = plan.changes.writes().map(|c| c.path.as_str()).collect();
    assert!(
        !writes.contains(&same.as_str()),
        "{same} holds the local bytes already"
    );
    assert!(writes.contains(&changed.as_str()));

    // The push builds on the trees the preview fetched: the push alone.
    let mut job = job_of(&plan).with_advertisement(probe(&sandbox).await);
    let mut driver = sandbox.driver();
    let outcome = driver.run(&mut job).await.unwrap().unwrap();
    assert_eq!(driver.sent.len(), 1, "{:?}", driver.sent);
    assert_eq!(outcome.tag.as_deref(), Some("v2.0"));
    assert_holds(&sandbox, BRANCH, &project);
}

#[tokio::test]
async fn a_preview_over_git_lists_through_the_rest_api_where_the_server_allows_no_filter() {
    let project = demo();
    let sandbox = without_filters();
    main_holding_two_files(&sandbox, &project);
    let (plan, sent) = preview(&sandbox, &project, true).await;
    let (through_rest, _) = preview(&sandbox, &project, false).await;
    assert_eq!(plan.changes, through_rest.changes);
    assert!(plan.trees.is_none());
    assert!(sent.len() > 1, "the fetch, then the REST API: {sent:?}");

    let mut job = job_of(&plan).with_advertisement(probe(&sandbox).await);
    sandbox.driver().run(&mut job).await.unwrap().unwrap();
    assert_holds(&sandbox, BRANCH, &project);
}

#[tokio::test]
async fn a_preview_over_git_refuses_a_version_or_a_source_branch_the_advertisement_contradicts() {
    let sandbox = Sandbox::new();
    let project = demo();
    let first = PushRequest {
        version: Some("v2.0".to_owned()),
        ..request(MAIN)
    };
    push(&sandbox, first, &project).await.unwrap();
    let advertised = probe(&sandbox).await;
    let again = PushRequest {
        new_branch_from: Some(MAIN.to_owned()),
        version: Some("v2.0".to_owned()),
        ..request(BRANCH)
    };
    let planner = PushPlanner::new(DC.api("lee"), again.clone(), LocalFiles::of(&project));
    let mut planner = planner.unwrap().over_git(&advertised);
    let mut driver = sandbox.driver();
    let error = driver.run(&mut planner).await.unwrap().unwrap_err();
    assert!(
        matches!(error, SyncError::VersionExists { .. }),
        "{error:?}"
    );
    assert!(driver.sent.is_empty(), "{:?}", driver.sent);

    let from_nowhere = PushRequest {
        new_branch_from: Some("release/9".to_owned()),
        version: None,
        ..again
    };
    let planner = PushPlanner::new(DC.api("lee"), from_nowhere, LocalFiles::of(&project));
    let mut planner = planner.unwrap().over_git(&advertised);
    let error = sandbox
        .driver()
        .run(&mut planner)
        .await
        .unwrap()
        .unwrap_err();
    assert!(
        matches!(error, SyncError::BranchNotFound { .. }),
        "{error:?}"
    );
}

/// The route's probe as the preview sends it: `/scm`'s advertisement.
async fn probe(sandbox: &Sandbox) -> ApiResponse {
    let request = PushRoute::probe(&DC.api("lee")).expect("a Data Center address");
    let answer = sandbox.execute(&request).await;
    assert_eq!(PushRoute::of(&Ok(answer.clone())), PushRoute::Git);
    answer
}

#[tokio::test]
async fn a_push_starts_from_the_previews_advertisement_and_a_branch_moved_since_is_still_refused() {
    let project = demo();
    // The same push on another sandbox, asking for the advertisement itself.
    let asking = Sandbox::new();
    let planned = plan(&mut asking.driver(), DC.api("lee"), request(MAIN), &project).await;
    let mut driver = asking.driver();
    driver.run(&mut job_of(&planned)).await.unwrap().unwrap();
    let rounds_asking = driver.rounds;

    let sandbox = Sandbox::new();
    let planned = plan(
        &mut sandbox.driver(),
        DC.api("lee"),
        request(MAIN),
        &project,
    )
    .await;
    let mut driver = sandbox.driver();
    let mut job = job_of(&planned).with_advertisement(probe(&sandbox).await);
    let first = driver.run(&mut job).await.expect("not stopped").unwrap();
    assert_eq!(first.commits.len(), 1);
    assert_holds(&sandbox, MAIN, &project);
    assert_eq!(
        driver.rounds,
        rounds_asking - 1,
        "no advertisement asked for again"
    );

    let (_, again) = plan_deletion(&sandbox, &project, first.base).await;
    let advertised = probe(&sandbox).await;
    let theirs = their_commit(&sandbox);
    let mut job = job_of(&again).with_advertisement(advertised);
    let error = sandbox.driver().run(&mut job).await.unwrap().unwrap_err();
    assert!(matches!(error, SyncError::BranchMoved { .. }), "{error:?}");
    assert_eq!(
        sandbox.tip(DC, MAIN),
        Some(theirs),
        "their commit stays the tip"
    );
}

/// `project` with its first test case deleted, and the plan of its push to main as `base` left it.
async fn plan_deletion(
    sandbox: &Sandbox,
    project: &Project,
    base: SyncBase,
) -> (Project, PushPlan) {
    let mut edited = project.clone();
    let id = edited.test_cases().next().unwrap().id.clone();
    edited.delete(&id).expect("the test case is deleted");
    let next = PushRequest {
        base: Some(base),
        ..request(MAIN)
    };
    let plan = plan(&mut sandbox.driver(), DC.api("lee"), next, &edited).await;
    (edited, plan)
}
