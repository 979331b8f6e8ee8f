//! The per-file baselines of benchmarks (strategies A and B) driven against the local Bitbucket sandbox
//! (in-process), on Cloud and Data Center: one commit per file, the same tree as the product's push (C),
//! every file read by a pull, and the same project restored.

use crate::support;

use std::collections::BTreeMap;

use support::{Driver, Fault, Product, Sandbox};
use versioning_core::artifacts::generate::synthetic_project;
use versioning_core::artifacts::{Project, StepField};
use versioning_core::roles::Role;
use versioning_core::sync::{
    Job, LocalFiles, PullPlanner, PullPreview, PullRequest, PullSource, PushJob, PushOutcome,
    PushPlan, PushPlanner, PushRequest, ScmParameter, ScmParameters, Strategy, SyncBase, SyncError,
};

const MAIN: &str = "main";
const ROOT: &str = "test-artifacts";

fn project() -> Project {
    synthetic_project(11, 20)
}

fn parameters(strategy: Strategy) -> ScmParameters {
    ScmParameters {
        strategy,
        ..ScmParameters::default()
    }
}

/// A Quality Lead's push of `branch` with `strategy`, creating it from `main` when there is no base.
fn request(branch: &str, strategy: Strategy, base: Option<&SyncBase>) -> PushRequest {
    PushRequest {
        roles: vec![Role::QualityLead],
        main_branch: Some(MAIN.to_owned()),
        branch: branch.to_owned(),
        new_branch_from: base.is_none().then(|| MAIN.to_owned()),
        message: "Benchmark the push".to_owned(),
        version: None,
        approved_only: false,
        parameters: parameters(strategy),
        base: base.cloned(),
        seed: 9,
    }
}

async fn plan(driver: &mut Driver<'_>, product: Product, request: PushRequest) -> PushPlan {
    let mut planner = PushPlanner::new(product.api("lee"), request, LocalFiles::of(&project()))
        .expect("a valid request");
    driver
        .run(&mut planner)
        .await
        .expect("not stopped")
        .expect("planned")
}

/// Plans and sends a push through [`PushJob`], as the app does.
async fn push_with(
    driver: &mut Driver<'_>,
    product: Product,
    request: PushRequest,
) -> Result<PushOutcome, SyncError> {
    let plan = plan(driver, product, request).await;
    let mut job = {
        let confirmation = support::as_planned(&plan);
        PushJob::new(product.api("lee"), plan, &confirmation)
    }?;
    driver.run(&mut job).await.expect("not stopped")
}

async fn push(sandbox: &Sandbox, product: Product, request: PushRequest) -> (PushOutcome, usize) {
    let mut driver = sandbox.driver();
    let outcome = push_with(&mut driver, product, request)
        .await
        .expect("pushed");
    assert_eq!(outcome.requests, driver.sent.len(), "every request counted");
    (outcome, driver.sent.len())
}

async fn pull(
    sandbox: &Sandbox,
    product: Product,
    branch: &str,
    strategy: Strategy,
    base: Option<SyncBase>,
    local: Option<&Project>,
) -> (PullPreview, usize) {
    let request = PullRequest {
        source: PullSource::Branch(branch.to_owned()),
        base,
        known: None,
        parameters: parameters(strategy),
        seed: 4,
    };
    let mut planner = PullPlanner::new(product.api("eve"), request, local.map(LocalFiles::of));
    let expected = match strategy {
        Strategy::PerFileSequential => 1,
        _ => ScmParameter::ExportWorkerCount.default_value() as usize,
    };
    assert_eq!(planner.concurrency(), expected);
    let mut driver = sandbox.driver();
    let preview = driver
        .run(&mut planner)
        .await
        .expect("not stopped")
        .expect("previewed");
    (preview, driver.sent.len())
}

on_both!(
    a_baseline_first_push_makes_one_commit_per_file_and_the_tree_of_a_planned_push,
    a_baseline_pull_reads_every_file_and_restores_the_project_of_a_planned_restore,
    a_lost_answer_to_the_write_creating_the_branch_is_verified_not_refused,
    failed_writes_are_sent_again,
);

#[test]
fn the_strategy_is_hidden_from_the_panel_and_stored_only_when_not_planned() {
    assert_eq!(ScmParameters::default().strategy, Strategy::Planned);
    assert_eq!(ScmParameter::ALL.len(), 6);
    for (key, strategy) in [
        ("planned", Strategy::Planned),
        ("C", Strategy::Planned),
        ("per_file_sequential", Strategy::PerFileSequential),
        ("a", Strategy::PerFileSequential),
        (" per_file_parallel ", Strategy::PerFileParallel),
        ("B", Strategy::PerFileParallel),
    ] {
        assert_eq!(Strategy::from_key(key), Some(strategy), "{key}");
    }
    assert_eq!(Strategy::from_key("D"), None);
    for strategy in Strategy::ALL {
        assert_eq!(Strategy::from_key(strategy.key()), Some(strategy));
    }

    let planned = serde_json::to_value(ScmParameters::default()).unwrap();
    assert!(planned.get("strategy").is_none(), "{planned}");
    let stored = serde_json::to_value(parameters(Strategy::PerFileParallel)).unwrap();
    assert_eq!(stored["strategy"], "per_file_parallel");
    let read: ScmParameters = serde_json::from_value(stored).unwrap();
    assert_eq!(read.strategy, Strategy::PerFileParallel);
    let old: ScmParameters = serde_json::from_str(r#"{"scm_retry_count": 2}"#).unwrap();
    assert_eq!(old.strategy, Strategy::Planned);
    assert_eq!(old.scm_retry_count, 2);
}

async fn a_baseline_first_push_makes_one_commit_per_file_and_the_tree_of_a_planned_push(
    product: Product,
) {
    let sandbox = Sandbox::new();
    let files = sandbox.pushed_files(product, MAIN, &project());
    let (planned, _) = push(
        &sandbox,
        product,
        request("bench/c", Strategy::Planned, None),
    )
    .await;
    let expected_tree = sandbox.files(product, "bench/c", ROOT);
    assert_eq!(expected_tree, files);

    for (branch, strategy) in [
        ("bench/a", Strategy::PerFileSequential),
        ("bench/b", Strategy::PerFileParallel),
    ] {
        let mut driver = sandbox.driver();
        let plan = plan(&mut driver, product, request(branch, strategy, None)).await;
        // Only the source branch's tip is read; every file and the manifest are planned.
        assert_eq!(plan.requests, 1);
        assert_eq!(plan.changes.total_files(), files.len());
        let mut job = {
            let confirmation = support::as_planned(&plan);
            PushJob::new(product.api("lee"), plan, &confirmation)
        }
        .unwrap();
        assert!(matches!(job, PushJob::Baseline(_)));
        let expected_concurrency = match strategy {
            Strategy::PerFileSequential => 1,
            _ => 20,
        };
        assert_eq!(job.concurrency(), expected_concurrency);
        let outcome = driver
            .run(&mut job)
            .await
            .expect("not stopped")
            .expect("pushed");

        assert_eq!(
            sandbox.files(product, branch, ROOT),
            expected_tree,
            "{branch}"
        );
        let commits = sandbox.commits_since(product, branch, MAIN);
        assert_eq!(commits.len(), files.len(), "one commit per file");
        for commit in &commits {
            assert_eq!(sandbox.touched(product, &commit.hash).len(), 1);
        }
        // The source's tip, one write per file, the branch's tip at the end.
        assert_eq!(driver.sent.len(), files.len() + 2, "{branch}");
        assert_eq!(outcome.requests, driver.sent.len());
        let tip = sandbox.tip(product, branch).unwrap();
        assert_eq!(outcome.base.commit, tip);
        assert_eq!(outcome.base.manifest, planned.base.manifest);
        assert!(outcome.branch_created && !outcome.nothing_to_push);
        assert_eq!((outcome.written, outcome.unchanged), (files.len(), 0));
        assert_eq!(job.progress().commits_done, files.len());
        assert_eq!(job.progress().files_done, files.len());
        let hashes: Vec<String> = commits.into_iter().map(|c| c.hash).collect();
        match product {
            Product::DataCenter => assert_eq!(outcome.commits, hashes),
            Product::Cloud => assert_eq!(outcome.commits, vec![tip]),
        }
    }
}

#[tokio::test]
async fn a_push_of_the_product_strategy_goes_to_the_planned_sender() {
    let sandbox = Sandbox::new();
    let mut driver = sandbox.driver();
    let plan = plan(
        &mut driver,
        Product::Cloud,
        request("bench/c", Strategy::Planned, None),
    )
    .await;
    assert!(matches!(
        {
            let confirmation = support::as_planned(&plan);
            PushJob::new(Product::Cloud.api("lee"), plan, &confirmation)
        },
        Ok(PushJob::Planned(_))
    ));
}

#[tokio::test]
async fn a_sequential_repush_without_change_on_data_center_finds_every_file_unchanged_and_tags_the_tip(
) {
    let sandbox = Sandbox::new();
    let product = Product::DataCenter;
    let files = sandbox.pushed_files(product, MAIN, &project());
    let first = request("bench/a", Strategy::PerFileSequential, None);
    let (first, _) = push(&sandbox, product, first).await;
    let again = PushRequest {
        version: Some("v-a".to_owned()),
        ..request("bench/a", Strategy::PerFileSequential, Some(&first.base))
    };
    let (again, requests) = push(&sandbox, product, again).await;
    assert_eq!(again.unchanged, files.len());
    assert_eq!(again.tag.as_deref(), Some("v-a"));
    assert_eq!(sandbox.tag(product, "v-a"), Some(first.base.commit.clone()));
    assert_eq!(again.written, 0);
    assert!(again.nothing_to_push && !again.branch_created);
    assert!(again.commits.is_empty());
    assert_eq!(again.base.commit, first.base.commit);
    // The tip, the free version name, one write per file, the tip, the tag.
    assert_eq!(requests, files.len() + 4);
    assert_eq!(
        sandbox.commits_since(product, "bench/a", MAIN).len(),
        files.len()
    );
}

#[tokio::test]
async fn a_parallel_repush_without_change_on_cloud_commits_every_file_again() {
    let sandbox = Sandbox::new();
    let product = Product::Cloud;
    let files = sandbox.pushed_files(product, MAIN, &project());
    let (first, _) = push(
        &sandbox,
        product,
        request("bench/b", Strategy::PerFileParallel, None),
    )
    .await;
    let again = request("bench/b", Strategy::PerFileParallel, Some(&first.base));
    let (again, requests) = push(&sandbox, product, again).await;
    // Cloud commits a file even when it holds that content already: a naive client pays for it.
    assert_eq!(again.written, files.len());
    assert_eq!(requests, files.len() + 2);
    assert_eq!(
        sandbox.commits_since(product, "bench/b", MAIN).len(),
        2 * files.len()
    );
    assert_eq!(sandbox.files(product, "bench/b", ROOT), files);
}

async fn a_baseline_pull_reads_every_file_and_restores_the_project_of_a_planned_restore(
    product: Product,
) {
    let sandbox = Sandbox::new();
    let project = project();
    let files = sandbox.pushed_files(product, MAIN, &project);
    let (pushed, _) = push(
        &sandbox,
        product,
        request("bench/c", Strategy::Planned, None),
    )
    .await;

    let (planned, planned_requests) =
        pull(&sandbox, product, "bench/c", Strategy::Planned, None, None).await;
    assert!(planned.managed);
    let restored = planned
        .apply(&BTreeMap::new(), false)
        .expect("applied")
        .project;
    assert_eq!(*restored, project);

    for strategy in [Strategy::PerFileSequential, Strategy::PerFileParallel] {
        let (preview, requests) = pull(
            &sandbox,
            product,
            "bench/c",
            strategy,
            Some(pushed.base.clone()),
            None,
        )
        .await;
        assert!(!preview.managed, "the manifest is ignored");
        assert!(preview.problems.is_empty(), "{:?}", preview.problems);
        // Every file but the manifest is read, after the tip and the listing.
        assert_eq!(preview.downloaded.len(), support::artifact_count(&files));
        assert!(requests >= files.len(), "{requests}");
        // A planned restore reads the tip, the manifest, and the folder in one request: on Data
        // Center its listing first, then one archive; on Cloud the patch from the folder's origin, then
        // `project.json`, which was there already.
        // And each part of the manifest.
        assert_eq!(planned_requests, 4 + support::manifest_parts(&files));
        if product == Product::DataCenter {
            // The tip, one recursive listing, every file but the manifest's.
            assert_eq!(requests, support::artifact_count(&files) + 2);
        }
        assert_eq!(preview.requests, requests);
        let applied = preview.apply(&BTreeMap::new(), false).expect("applied");
        assert_eq!(applied.project, restored);
        assert_eq!(applied.base.commit, pushed.base.commit);

        // Into the project itself, with a base: the base is ignored and nothing differs.
        let (preview, requests) = pull(
            &sandbox,
            product,
            "bench/c",
            strategy,
            Some(pushed.base.clone()),
            Some(&project),
        )
        .await;
        assert!(preview.base.is_none());
        assert!(preview.artifacts.is_empty(), "{:?}", preview.artifacts);
        assert_eq!(preview.downloaded.len(), support::artifact_count(&files));
        assert!(requests >= files.len());

        // Into a project edited here: without a base, the repository's version wins, with no conflict
        // to settle (what a per-file client does).
        let mut edited = project.clone();
        let step = &mut edited.suites[0].scenarios[0].test_cases[0].steps[0];
        *step = step.with(StepField::Comment, "Edited here");
        let (preview, _) = pull(&sandbox, product, "bench/c", strategy, None, Some(&edited)).await;
        assert_eq!(preview.conflicts().count(), 0);
        assert_eq!(preview.artifacts.len(), 1, "{:?}", preview.artifacts);
        let applied = preview.apply(&BTreeMap::new(), false).expect("applied");
        assert_eq!(applied.project, restored);
    }
}

async fn a_lost_answer_to_the_write_creating_the_branch_is_verified_not_refused(product: Product) {
    let sandbox = Sandbox::new();
    let files = sandbox.pushed_files(product, MAIN, &project());
    let mut driver = sandbox.driver().inject(Fault::AnswerLost { nth: 1 });
    let request = request("bench/a", Strategy::PerFileSequential, None);
    let outcome = push_with(&mut driver, product, request)
        .await
        .expect("pushed");
    assert_eq!(sandbox.files(product, "bench/a", ROOT), files);
    assert_eq!(
        sandbox.commits_since(product, "bench/a", MAIN).len(),
        files.len()
    );
    assert_eq!(outcome.written, files.len());
    // Tip, the lost write, its refused resend, the tip it is verified with, the other writes, the tip.
    assert_eq!(driver.sent.len(), files.len() + 4);
}

async fn failed_writes_are_sent_again(product: Product) {
    let sandbox = Sandbox::new();
    let files = sandbox.pushed_files(product, MAIN, &project());
    let mut driver = sandbox.driver();
    let plan = plan(
        &mut driver,
        product,
        request("bench/b", Strategy::PerFileParallel, None),
    )
    .await;
    // The write creating the branch fails twice before it lands (Cloud's 429 is its hourly limit,
    // which is not asked again).
    let refused = match product {
        Product::Cloud => 503,
        Product::DataCenter => 429,
    };
    sandbox.fail_next(&[503, refused]);
    let mut job = {
        let confirmation = support::as_planned(&plan);
        PushJob::new(product.api("lee"), plan, &confirmation)
    }
    .unwrap();
    let outcome = driver
        .run(&mut job)
        .await
        .expect("not stopped")
        .expect("pushed");
    assert_eq!(sandbox.files(product, "bench/b", ROOT), files);
    assert_eq!(
        sandbox.commits_since(product, "bench/b", MAIN).len(),
        files.len()
    );
    assert_eq!(job.progress().retries, 2);
    assert_eq!(outcome.requests, files.len() + 4);
}

/// Parallel writes to one branch on a multi-threaded server each land once, one after the other (Cloud
/// without `parents` and Data Center edits of other files do not conflict).
async fn parallel_writes_all_land_once(product: Product) {
    let sandbox = Sandbox::new();
    let files = sandbox.pushed_files(product, MAIN, &project());
    let request = request("bench/b", Strategy::PerFileParallel, None);
    let (outcome, requests) = push(&sandbox, product, request).await;
    assert_eq!(sandbox.files(product, "bench/b", ROOT), files);
    assert_eq!(
        sandbox.commits_since(product, "bench/b", MAIN).len(),
        files.len()
    );
    assert_eq!(outcome.written, files.len());
    // The source's tip, one write per file, the branch's tip at the end: nothing was sent twice.
    assert_eq!(requests, files.len() + 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_writes_all_land_once_on_cloud() {
    parallel_writes_all_land_once(Product::Cloud).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_writes_all_land_once_on_data_center() {
    parallel_writes_all_land_once(Product::DataCenter).await;
}
