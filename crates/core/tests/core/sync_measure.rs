//! Measurements of push and pull against the local Bitbucket sandbox (in-process) with a latency per
//! request, on synthetic projects of 1,000 and 10,000 test cases: requests, commits and wall time of each.
//! Run with
//! `cargo test -p versioning-core --release --test core sync_measure:: -- --ignored --nocapture --test-threads=1`.
//!
//! The driver runs up to the job's concurrency of one step's requests at once, so the latency sleeps
//! overlap as they would over a network; the sandbox answers each request in a task of its own on a
//! two-thread runtime, as a server beside the client would. Times include turning the project into files (as the app does
//! before a push) and, for a pull, applying the preview.

use crate::support;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use support::{Product, Sandbox};
use versioning_core::artifacts::generate::synthetic_project;
use versioning_core::artifacts::{to_files, LayoutOptions, Project, StepField};
use versioning_core::roles::Role;
use versioning_core::sync::{
    LocalFiles, PullPlanner, PullPreview, PullRequest, PullSource, PushOutcome, PushPlanner,
    PushRequest, PushSender, ScmParameters, SyncBase,
};

const BRANCH: &str = "feature/measure";
const MAIN: &str = "main";

/// One measured operation.
struct Row {
    what: String,
    requests: usize,
    commits: Option<usize>,
    wall: Duration,
}

fn print_table(title: &str, rows: &[Row]) {
    println!("\n{title}");
    println!(
        "| {:<62} | {:>8} | {:>7} | {:>10} |",
        "operation", "requests", "commits", "wall time"
    );
    println!("|{:-<64}|{:->10}|{:->9}|{:->12}|", "", "", "", "");
    for row in rows {
        let commits = row.commits.map_or("-".to_owned(), |c| c.to_string());
        println!(
            "| {:<62} | {:>8} | {:>7} | {:>8.3} s |",
            row.what,
            row.requests,
            commits,
            row.wall.as_secs_f64()
        );
    }
}

fn push_request(base: Option<&SyncBase>) -> PushRequest {
    PushRequest {
        roles: vec![Role::QualityLead],
        main_branch: Some(MAIN.to_owned()),
        branch: BRANCH.to_owned(),
        new_branch_from: base.is_none().then(|| MAIN.to_owned()),
        message: "Measure the push".to_owned(),
        version: None,
        approved_only: false,
        parameters: ScmParameters::default(),
        base: base.cloned(),
        seed: 1,
    }
}

/// Plans and sends a push (a new branch from `main` without `base`), timed from the project.
async fn push(
    sandbox: &Sandbox,
    product: Product,
    project: &Project,
    base: Option<&SyncBase>,
    what: String,
) -> (PushOutcome, Row) {
    let api = product.api("lee");
    let started = Instant::now();
    let mut driver = sandbox.driver();
    let mut planner =
        PushPlanner::new(api.clone(), push_request(base), LocalFiles::of(project)).unwrap();
    let plan = driver.run(&mut planner).await.unwrap().expect("planned");
    let mut sender = {
        let confirmation = support::as_planned(&plan);
        PushSender::new(api, plan, &confirmation)
    }
    .unwrap();
    let outcome = driver.run(&mut sender).await.unwrap().expect("pushed");
    let wall = started.elapsed();
    assert_eq!(outcome.requests, driver.sent.len(), "every request counted");
    let row = Row {
        what,
        requests: driver.sent.len(),
        commits: Some(outcome.commits.len()),
        wall,
    };
    (outcome, row)
}

/// Previews and applies a pull of `feature/measure`, timed.
async fn pull(
    sandbox: &Sandbox,
    product: Product,
    base: Option<SyncBase>,
    local: Option<&Project>,
    what: String,
) -> (PullPreview, Row) {
    let request = PullRequest {
        source: PullSource::Branch(BRANCH.to_owned()),
        base,
        known: None,
        parameters: ScmParameters::default(),
        seed: 2,
    };
    let started = Instant::now();
    let mut driver = sandbox.driver();
    let mut planner = PullPlanner::new(product.api("eve"), request, local.map(LocalFiles::of));
    let preview = driver.run(&mut planner).await.unwrap().expect("previewed");
    let applied = preview.apply(&BTreeMap::new(), false).expect("applied");
    let wall = started.elapsed();
    assert!(preview.problems.is_empty(), "{:?}", preview.problems);
    assert_eq!(applied.base.commit, preview.commit);
    let row = Row {
        what,
        requests: driver.sent.len(),
        commits: None,
        wall,
    };
    (preview, row)
}

/// Changes the first step's comment of every `every`-th test case; answers how many changed.
fn change_steps(project: &mut Project, every: usize, comment: &str) -> usize {
    let cases = project
        .suites
        .iter_mut()
        .flat_map(|s| s.scenarios.iter_mut())
        .flat_map(|c| c.test_cases.iter_mut());
    let mut changed = 0;
    for (n, case) in cases.enumerate() {
        if n % every == 0 {
            case.steps[0] = case.steps[0].with(StepField::Comment, comment);
            changed += 1;
        }
    }
    changed
}

fn name(product: Product) -> &'static str {
    match product {
        Product::Cloud => "Cloud",
        Product::DataCenter => "Data Center",
    }
}

/// The first push of a project of `size` test cases to a new branch, and its full pull; answers the
/// sandbox and the push.
async fn first_push_and_restore(
    product: Product,
    size: usize,
    latency: u64,
    rows: &mut Vec<Row>,
) -> (Sandbox, PushOutcome) {
    let sandbox = Sandbox::new();
    sandbox.latency(latency);
    let project = synthetic_project(41, size);
    let what = format!("{} first push, {size} test cases", name(product));
    let (outcome, row) = push(&sandbox, product, &project, None, what).await;
    rows.push(row);
    let what = format!("{} full pull (restore), {size} test cases", name(product));
    let (preview, row) = pull(&sandbox, product, None, None, what).await;
    assert_eq!(preview.commit, outcome.base.commit);
    rows.push(row);
    (sandbox, outcome)
}

/// On a branch holding the pushed 10,000-test-case project: a push of one changed test case, a push of
/// no change, and a pull of 10 test cases changed by someone else.
async fn small_changes_in_a_large_project(
    product: Product,
    latency: u64,
    rows: &mut Vec<Row>,
    first: Option<(Sandbox, PushOutcome)>,
) {
    let size = 10_000;
    let mut project = synthetic_project(41, size);
    let (sandbox, first) = match first {
        Some(pushed) => pushed,
        None => {
            // Data Center's first push of 10,000 files takes minutes: the branch is written directly in
            // the sandbox's git store instead, and the base is what that push would have given.
            let sandbox = Sandbox::new();
            let files = to_files(&project, &LayoutOptions::default());
            let local = LocalFiles::of(&project);
            let commit = sandbox.seed(product, BRANCH, MAIN, files);
            let base = SyncBase {
                branch: BRANCH.to_owned(),
                commit,
                manifest: (*local.manifest).clone(),
            };
            (sandbox, seeded_outcome(base))
        }
    };
    sandbox.latency(latency);

    assert_eq!(change_steps(&mut project, size, "changed once"), 1);
    let what = format!("{} push of 1 changed test case into {size}", name(product));
    let (second, row) = push(&sandbox, product, &project, Some(&first.base), what).await;
    assert_eq!(second.written, 2, "the test case and the manifest");
    rows.push(row);

    let what = format!("{} push of no change into {size}", name(product));
    let (third, row) = push(&sandbox, product, &project, Some(&second.base), what).await;
    assert!(third.nothing_to_push);
    rows.push(row);

    let mut theirs = project.clone();
    assert_eq!(change_steps(&mut theirs, size / 10, "changed by Quinn"), 10);
    sandbox.latency(0);
    push(&sandbox, product, &theirs, Some(&third.base), String::new()).await;
    sandbox.latency(latency);
    let what = format!(
        "{} pull of 10 changed test cases into {size}",
        name(product)
    );
    let (preview, row) = pull(
        &sandbox,
        product,
        Some(third.base.clone()),
        Some(&project),
        what,
    )
    .await;
    assert_eq!(preview.downloaded.len(), 10);
    rows.push(row);
}

fn seeded_outcome(base: SyncBase) -> PushOutcome {
    PushOutcome {
        branch: base.branch.clone(),
        commits: vec![base.commit.clone()],
        base,
        nothing_to_push: false,
        branch_created: true,
        tag: None,
        tag_error: None,
        written: 0,
        deleted: 0,
        kept_in_git: 0,
        unchanged: 0,
        held_back: 0,
        requests: 0,
    }
}

async fn measure(latency: u64) -> Vec<Row> {
    let mut rows = Vec::new();
    first_push_and_restore(Product::Cloud, 1_000, latency, &mut rows).await;
    let large = first_push_and_restore(Product::Cloud, 10_000, latency, &mut rows).await;
    small_changes_in_a_large_project(Product::Cloud, latency, &mut rows, Some(large)).await;
    first_push_and_restore(Product::DataCenter, 1_000, latency, &mut rows).await;
    small_changes_in_a_large_project(Product::DataCenter, latency, &mut rows, None).await;
    rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "measurement: run with --ignored --nocapture"]
async fn push_and_pull_at_50_ms_per_request() {
    let rows = measure(50).await;
    print_table("Sandbox latency 50 ms per request", &rows);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "measurement: run with --ignored --nocapture"]
async fn push_and_pull_at_0_ms_per_request() {
    let rows = measure(0).await;
    print_table("Sandbox latency 0 ms per request", &rows);
}

/// Data Center writes one commit per file: its first push of 10,000 test cases is about 10,500
/// sequential requests (about 9 minutes at 50 ms each).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "measurement: run with --ignored --nocapture"]
async fn data_center_first_push_of_10000_at_50_ms_per_request() {
    let mut rows = Vec::new();
    first_push_and_restore(Product::DataCenter, 10_000, 50, &mut rows).await;
    print_table("Sandbox latency 50 ms per request", &rows);
}
