//! Pulls driven against the local Bitbucket sandbox (in-process), on Cloud and Data Center: restoring a
//! pushed project byte for byte, the request count of a small pull into a large project, conflicts and
//! their resolutions, and remote trees with bad content.

use crate::support;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use bitbucket_sandbox::config::{CloudReadings, PathMatch, RepeatedPath};
use bitbucket_sandbox::faults::{FaultSettings, LargeBody, LargeContent};
use support::{Driver, Product, Sandbox};
use versioning_core::artifacts::demo::demo_projects;
use versioning_core::artifacts::generate::synthetic_project;
use versioning_core::artifacts::{
    part_path, sha256_hex, to_files, ArtifactId, ArtifactKind, FileSource, LayoutOptions, Manifest,
    ManifestEntry, ManifestRefusal, Project, ProjectFiles, StepField, TreeErrorKind, MANIFEST_FILE,
    MAX_FILE_BYTES, MAX_MANIFEST_BYTES, SCHEMA_VERSION,
};
use versioning_core::bitbucket::{cloud, ApiError, ApiResponse};
use versioning_core::roles::Role;
use versioning_core::sync::unpack_here;
use versioning_core::sync::{
    AppliedPull, BulkRead, BulkRefusal, ChangesCheck, ConflictKind, Job, JobStep, LocalFiles,
    ProblemKind, PullPlanner, PullPreview, PullRequest, PullSource, PushOutcome, PushPlanner,
    PushRequest, PushSender, Resolution, ScmParameters, SideChange, Status, SyncBase, SyncError,
    Unchecked, UnlistedFile, UnlistedReason, LISTING_MAX_PAGES,
};

const BRANCH: &str = "feature/login";
const ROOT: &str = "test-artifacts";

fn demo() -> Project {
    demo_projects().remove(0)
}

fn push_request(base: Option<&PushOutcome>, version: Option<&str>) -> PushRequest {
    PushRequest {
        roles: vec![Role::QualityLead],
        main_branch: Some("main".to_owned()),
        branch: BRANCH.to_owned(),
        new_branch_from: base.is_none().then(|| "main".to_owned()),
        message: "Update the tests".to_owned(),
        version: version.map(str::to_owned),
        approved_only: false,
        parameters: ScmParameters::default(),
        base: base.map(|b| b.base.clone()),
        seed: 3,
    }
}

/// Pushes `project` to `feature/login` (creating it when there is no earlier push).
async fn push(
    sandbox: &Sandbox,
    product: Product,
    project: &Project,
    base: Option<&PushOutcome>,
    version: Option<&str>,
) -> PushOutcome {
    let api = product.api("lee");
    let mut driver = sandbox.driver();
    let request = push_request(base, version);
    let mut planner = PushPlanner::new(api.clone(), request, LocalFiles::of(project)).unwrap();
    let plan = driver.run(&mut planner).await.unwrap().expect("planned");
    let mut sender = {
        let confirmation = support::as_planned(&plan);
        PushSender::new(api, plan, &confirmation)
    }
    .unwrap();
    driver.run(&mut sender).await.unwrap().expect("pushed")
}

async fn pull(
    sandbox: &Sandbox,
    product: Product,
    source: PullSource,
    base: Option<SyncBase>,
    local: Option<&Project>,
) -> Result<PullPreview, SyncError> {
    pull_driven(&mut sandbox.driver(), product, source, base, local).await
}

/// [`pull`] through `driver`, which then tells what the pull sent.
async fn pull_driven(
    driver: &mut Driver<'_>,
    product: Product,
    source: PullSource,
    base: Option<SyncBase>,
    local: Option<&Project>,
) -> Result<PullPreview, SyncError> {
    let request = PullRequest {
        source,
        base,
        known: None,
        parameters: ScmParameters::default(),
        seed: 5,
    };
    let mut planner = PullPlanner::new(product.api("eve"), request, local.map(LocalFiles::of));
    driver.run(&mut planner).await.expect("not stopped")
}

fn branch() -> PullSource {
    PullSource::Branch(BRANCH.to_owned())
}

fn no_resolutions() -> BTreeMap<(ArtifactId, ArtifactKind), Resolution> {
    BTreeMap::new()
}

async fn restore_is_byte_identical(product: Product) {
    let sandbox = Sandbox::new();
    let project = demo();
    let pushed = push(&sandbox, product, &project, None, Some("v1")).await;
    let tree = sandbox.files(product, BRANCH, ROOT);
    // The pushed manifest names the commit the branch was made from as the folder's origin.
    assert!(tree == sandbox.pushed_files(product, "main", &project));
    let sources = [
        branch(),
        PullSource::Tag("v1".to_owned()),
        PullSource::Commit(pushed.base.commit.clone()),
    ];
    for source in sources {
        let preview = pull(&sandbox, product, source.clone(), None, None)
            .await
            .expect("previewed");
        assert_eq!(preview.commit, pushed.base.commit);
        assert!(preview.managed);
        assert!(preview.problems.is_empty(), "{:?}", preview.problems);
        assert!(preview
            .artifacts
            .iter()
            .all(|a| a.status() == Status::Remote(SideChange::Added)));
        // Tip, manifest, then the files: on Cloud in one patch from the folder's origin, which was
        // seeded with `project.json` (read on its own), on Data Center in one archive (after one
        // listing of the folder), when there is more than one round of reads; one read per file
        // otherwise.
        let files = support::artifact_count(&tree);
        let expected = match product {
            Product::Cloud if files > 20 => 4,
            Product::Cloud => 2 + files,
            Product::DataCenter if files > 20 => 4,
            Product::DataCenter => 3 + files,
        };
        // And each part of the manifest the root names.
        assert_eq!(preview.requests, expected + support::manifest_parts(&tree));
        let applied = preview.apply(&no_resolutions(), false).expect("applied");
        assert!(
            to_files(&applied.project, &LayoutOptions::default())
                == to_files(&project, &LayoutOptions::default())
        );
        assert_eq!(applied.base.commit, pushed.base.commit);
        assert_eq!(applied.base.manifest, pushed.base.manifest);
        assert_eq!(applied.base.branch, source.base_key(&pushed.base.commit));
        assert_eq!(applied.counts.added, support::artifact_count(&tree));
        // Each test case is read once, as its file arrives: the project holds the test case
        // downloaded, with the file's hash (not hashed again) and not its bytes (its canonical form,
        // written again when asked for).
        let written = LocalFiles::of(&applied.project);
        let cases = applied.base.manifest.files.iter();
        let cases: Vec<_> = cases.filter(|e| e.kind == ArtifactKind::TestCase).collect();
        assert!(!cases.is_empty());
        for entry in cases {
            let (read, kept) = (
                preview.downloaded[&*entry.path]
                    .test_case()
                    .expect("read on arrival"),
                (written.get(&entry.path))
                    .and_then(|file| file.test_case())
                    .expect("the project's test case"),
            );
            assert!(read.same_as(kept), "{}", entry.path);
            assert!(Arc::ptr_eq(&read.written().sha256, &kept.written().sha256));
            assert!(matches!(kept.file(), Cow::Owned(_)), "{}", entry.path);
        }
    }
    assert_eq!(
        PullSource::Tag("v1".to_owned()).base_key("abc"),
        "refs/tags/v1"
    );
}

/// Parts are named by their content: a restore that knows a manifest (the project's baseline) reads only
/// the parts of the source's manifest it lacks, and restores the same project.
#[tokio::test]
async fn a_restore_reads_only_the_manifest_parts_its_copy_does_not_hold() {
    for product in [Product::Cloud, Product::DataCenter] {
        let sandbox = Sandbox::new();
        let project = synthetic_project(3, 2_000);
        let pushed = push(&sandbox, product, &project, None, None).await;
        let parts = support::manifest_parts(&sandbox.files(product, BRANCH, ROOT));
        let mut older = project.clone();
        let cases: Vec<ArtifactId> = older.test_cases().map(|c| c.id.clone()).collect();
        for case in cases.iter().step_by(cases.len() / 10).take(10) {
            older.set_description(case, "Before the push").unwrap();
        }
        let known = versioning_core::artifacts::manifest(&older, &LayoutOptions::default());
        let lacking = pushed
            .base
            .manifest
            .parts()
            .names()
            .filter(|name| !known.parts().names().any(|n| n == *name))
            .count();
        assert!(
            (1..=10).contains(&lacking) && lacking < parts,
            "{lacking} of {parts}"
        );
        let restore = |known: Option<Manifest>| {
            let request = PullRequest {
                source: branch(),
                base: None,
                known,
                parameters: ScmParameters::default(),
                seed: 5,
            };
            PullPlanner::new(product.api("eve"), request, None)
        };
        let mut driver = sandbox.driver();
        let unknowing = driver.run(&mut restore(None)).await.unwrap().unwrap();
        let knowing = driver
            .run(&mut restore(Some(known)))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            knowing.requests,
            unknowing.requests - (parts - lacking),
            "{product:?}"
        );
        let applied = knowing.apply(&no_resolutions(), false).expect("applied");
        assert!(
            *applied.project == project,
            "{product:?}: the pushed project"
        );
        assert!(applied.base.manifest == pushed.base.manifest);
    }
}

/// A restore lists every file as new (it plans with no local side); what it changes in the project it
/// is made in is only what differs from it, named as the project names it.
#[tokio::test]
async fn a_restore_names_only_what_it_changes_here() {
    let sandbox = Sandbox::new();
    let product = Product::Cloud;
    let project = demo();
    push(&sandbox, product, &project, None, Some("v1")).await;
    let mut edited = project.clone();
    let case = edited.test_cases().next().unwrap().id.clone();
    edited.set_description(&case, "Edited since v1").unwrap();
    let gone = edited.test_cases().nth(1).unwrap().id.clone();
    let gone_name = edited.name_of(&gone).unwrap().to_owned();
    edited.delete(&gone).unwrap();
    let preview = pull(
        &sandbox,
        product,
        PullSource::Tag("v1".to_owned()),
        None,
        None,
    )
    .await
    .expect("previewed");
    let local = LocalFiles::of(&edited);
    let name = |id: &ArtifactId| edited.name_of(id).map(str::to_owned);
    let (changes, same) = preview.restore_changes(&local.manifest, &name);
    let listed: BTreeMap<&ArtifactId, Status> =
        changes.iter().map(|c| (&c.key.0, c.status())).collect();
    // The deletion changed the scenario listing the test case too.
    let scenario = project
        .scenarios()
        .find(|s| s.test_cases.iter().any(|t| t.id == gone))
        .unwrap()
        .id
        .clone();
    let expected = BTreeMap::from([
        (&case, Status::Remote(SideChange::Changed)),
        (&gone, Status::Remote(SideChange::Added)),
        (&scenario, Status::Remote(SideChange::Changed)),
    ]);
    assert_eq!(listed, expected);
    assert_eq!(
        same + changes.len(),
        LocalFiles::of(&project).manifest.files.len()
    );
    let restored = changes.iter().find(|c| c.key.0 == gone).unwrap();
    assert_eq!(restored.name, gone_name);
}

#[tokio::test]
async fn cloud_restore_is_byte_identical_from_a_branch_a_version_and_a_commit() {
    restore_is_byte_identical(Product::Cloud).await;
}

#[tokio::test]
async fn data_center_restore_is_byte_identical_from_a_branch_a_version_and_a_commit() {
    restore_is_byte_identical(Product::DataCenter).await;
}

/// What goes wrong with the first archive a pull reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ArchiveFault {
    /// Bitbucket answers it with this status.
    Status(u16),
    /// The driver cannot unpack it (the browser's worker did not load): it gives no files back.
    Unpack,
    /// One of its files comes back damaged (a name changed), unlike the same file read by itself.
    Damaged,
}

/// Changes the first name in `bytes`, as a damaged transfer of an artifact file or a patch would;
/// whether `bytes` held a name.
fn damage(bytes: &mut Vec<u8>) -> bool {
    let name = b"\"name\": \"";
    let Some(at) = bytes.windows(name.len()).position(|w| w == name) else {
        return false;
    };
    let at = at + name.len();
    bytes.splice(at..at, b"Damaged ".iter().copied());
    true
}

/// What a pull driven by [`pull_with_archive_fault`] did: its preview, the URLs of its archive requests,
/// and how many archives it asked the driver to unpack.
struct ArchivePull {
    preview: PullPreview,
    archived: Vec<String>,
    unpacked: usize,
}

/// Drives a pull step by step, one request at a time, with `fault` on the first archive (Data Center's
/// archive, Cloud's patch) when given; unpacks archives as a host driver does.
async fn pull_with_archive_fault(
    sandbox: &Sandbox,
    product: Product,
    fault: Option<ArchiveFault>,
) -> ArchivePull {
    let request = PullRequest {
        source: branch(),
        base: None,
        known: None,
        parameters: ScmParameters::default(),
        seed: 5,
    };
    let mut planner = PullPlanner::new(product.api("eve"), request, None);
    let (mut archived, mut unpacked) = (Vec::new(), 0);
    loop {
        match planner.next() {
            JobStep::Send(requests) => {
                let is_archive = |url: &str| url.contains("/archive?") || url.contains("/diff/");
                // Only Data Center's listing and archive rounds announce archives to unpack.
                let folder = |url: &str| is_archive(url) || url.contains("/files/");
                let zips = product == Product::DataCenter
                    && requests.iter().any(|request| folder(&request.url));
                assert_eq!(planner.may_unpack(), zips, "{requests:?}");
                let mut answers = Vec::new();
                for request in &requests {
                    if is_archive(&request.url) {
                        if let (Some(ArchiveFault::Status(status)), true) =
                            (fault, archived.is_empty())
                        {
                            sandbox.fail_next(&[status]);
                        }
                        archived.push(request.url.clone());
                    }
                    let mut answer = sandbox.execute(request).await;
                    // Cloud's patch is text: damaged as it is answered (Data Center's zip once unpacked).
                    let patch = product == Product::Cloud && is_archive(&request.url);
                    if fault == Some(ArchiveFault::Damaged) && patch && archived.len() == 1 {
                        assert!(damage(&mut answer.body), "a patch with a name");
                    }
                    answers.push(Ok(answer));
                }
                planner.handle(answers);
            }
            JobStep::Unpack(zips) => {
                let mut files = match (fault, unpacked) {
                    (Some(ArchiveFault::Unpack), 0) => vec![ProjectFiles::new(); zips.len()],
                    _ => unpack_here(&zips),
                };
                if let (Some(ArchiveFault::Damaged), 0) = (fault, unpacked) {
                    let mut members = files.iter_mut().flat_map(|f| f.values_mut());
                    assert!(members.any(damage), "a member with a name");
                }
                unpacked += zips.len();
                planner.unpacked(files);
            }
            JobStep::Wait(_) => {}
            JobStep::Done(preview) => {
                return ArchivePull {
                    preview: preview.expect("previewed"),
                    archived,
                    unpacked,
                }
            }
        }
    }
}

/// Restores a pushed project of 150 test cases with the archive answered normally and with each fault:
/// the project comes back identical whatever happens, in the requests `expected` gives.
async fn restores_from_one_archive(
    product: Product,
    faults: &[ArchiveFault],
    expected: &dyn Fn(Option<ArchiveFault>, usize) -> usize,
) {
    let sandbox = Sandbox::new();
    let project = synthetic_project(7, 150);
    let pushed = push(&sandbox, product, &project, None, None).await;
    let files = to_files(&project, &LayoutOptions::default());
    let faults = std::iter::once(None).chain(faults.iter().copied().map(Some));
    for fault in faults {
        let pull = pull_with_archive_fault(&sandbox, product, fault).await;
        let retried = usize::from(fault == Some(ArchiveFault::Status(503)));
        assert_eq!(pull.archived.len(), 1 + retried, "{:?}", pull.archived);
        // Only Data Center's archives are zips, unpacked by the driver, once each.
        let read = matches!(
            fault,
            None | Some(ArchiveFault::Status(503) | ArchiveFault::Unpack | ArchiveFault::Damaged)
        );
        let zip = product == Product::DataCenter && read;
        assert_eq!(pull.unpacked, usize::from(zip), "{fault:?}");
        let preview = pull.preview;
        assert!(preview.problems.is_empty(), "{:?}", preview.problems);
        // The root names the parts, read each.
        assert_eq!(
            preview.requests,
            expected(fault, support::artifact_count(&files)) + support::manifest_parts(&files),
            "{fault:?}"
        );
        let applied = preview.apply(&no_resolutions(), false).unwrap();
        assert_eq!(to_files(&applied.project, &LayoutOptions::default()), files);
        assert_eq!(applied.base.commit, pushed.base.commit);
    }
}

#[tokio::test]
async fn data_center_restores_a_large_project_from_one_archive_and_falls_back_to_reading_each_file()
{
    // Tip, manifest, listing, archive; a 503 is retried; any other refusal of the archive, or an
    // archive the driver could not unpack, reads the files one by one instead; a member that does
    // not match the manifest is read once more by itself.
    let expected = |fault, files| match fault {
        None => 4,
        Some(ArchiveFault::Status(503) | ArchiveFault::Damaged) => 5,
        Some(_) => 4 + files,
    };
    let faults = [503, 404, 400].map(ArchiveFault::Status);
    let faults = [
        faults.as_slice(),
        &[ArchiveFault::Unpack, ArchiveFault::Damaged],
    ]
    .concat();
    restores_from_one_archive(Product::DataCenter, &faults, &expected).await;
}

#[tokio::test]
async fn cloud_restores_a_large_project_from_one_patch_and_falls_back_to_reading_each_file() {
    // Tip, manifest, the patch from the folder's origin, and `project.json`, which the seed had made
    // there already; a 503 is retried; a patch too large to make in time (555) lists the commits to
    // split it at, and, the push being one commit, reads the files one by one instead, as any refusal
    // does; a file of the patch that does not match the manifest is read once more by itself.
    let expected = |fault, files| match fault {
        None => 4,
        Some(ArchiveFault::Status(503) | ArchiveFault::Damaged) => 5,
        Some(ArchiveFault::Status(555)) => 4 + files,
        Some(_) => 3 + files,
    };
    let faults = [503, 555, 404].map(ArchiveFault::Status);
    let faults = [faults.as_slice(), &[ArchiveFault::Damaged]].concat();
    restores_from_one_archive(Product::Cloud, &faults, &expected).await;
}

/// Pushes `project` to a new branch in Cloud commits of at most `files_per_commit` files.
async fn push_in_commits_of(sandbox: &Sandbox, project: &Project, files_per_commit: u32) {
    let api = Product::Cloud.api("lee");
    let mut request = push_request(None, None);
    request.parameters.scm_files_per_commit = files_per_commit;
    let mut planner = PushPlanner::new(api.clone(), request, LocalFiles::of(project)).unwrap();
    let mut driver = sandbox.driver();
    let plan = driver.run(&mut planner).await.unwrap().expect("planned");
    let confirmation = support::as_planned(&plan);
    let mut sender = PushSender::new(api, plan, &confirmation).unwrap();
    driver.run(&mut sender).await.unwrap().expect("pushed");
}

/// The strictest and the kindest readings of Cloud's `path` on `diff` and `diffstat`.
fn path_readings() -> [CloudReadings; 2] {
    let kindest = CloudReadings {
        diffstat_path: PathMatch::FileOrFolder,
        diffstat_repeated_path: RepeatedPath::All,
        ..CloudReadings::default()
    };
    [CloudReadings::default(), kindest]
}

#[tokio::test]
async fn a_cloud_restore_of_a_thousand_test_cases_takes_seven_requests_however_cloud_reads_path() {
    let project = synthetic_project(7, 1_000);
    let files = to_files(&project, &LayoutOptions::default());
    assert!(files.len() > 1_000);
    for readings in path_readings() {
        let sandbox = Sandbox::configured(|config| config.cloud.readings = readings);
        // Pushed as the default parameters push it: in commits a diff can show in time.
        push(&sandbox, Product::Cloud, &project, None, None).await;
        let ArchivePull {
            preview, archived, ..
        } = pull_with_archive_fault(&sandbox, Product::Cloud, None).await;
        assert!(preview.problems.is_empty(), "{:?}", preview.problems);
        // Tip and manifest; the patch from the folder's origin, too large to produce in time (555); the
        // commits in between, and the patches of its two halves; `project.json`, which was there before
        // the first push. No request names a `path`.
        assert_eq!(archived.len(), 3, "{archived:?}");
        assert!(archived.iter().all(|url| !url.contains("path=")));
        let bulk = preview.bulk_read.expect("read in bulk");
        assert_eq!(
            bulk,
            BulkRead {
                requests: 4,
                per_file: 1,
                per_file_requests: 1,
                refused: None
            }
        );
        let parts = support::manifest_parts(&files);
        assert_eq!(preview.requests, 7 + parts, "{readings:?}");
        let applied = preview.apply(&no_resolutions(), false).unwrap();
        assert!(to_files(&applied.project, &LayoutOptions::default()) == files);
    }
}

#[tokio::test]
async fn a_single_commit_too_large_for_a_cloud_diff_is_read_file_by_file_and_said() {
    // Small enough for the per-file reads to fit in Cloud's hourly allowance of 1,000 requests, with a
    // time limit that one commit of every file exceeds.
    let project = synthetic_project(7, 400);
    let files = to_files(&project, &LayoutOptions::default());
    let sandbox = Sandbox::configured(|config| config.cloud.time_limit.budget_ms = 2_000);
    // One commit of every file: too many for a diff Cloud can produce in time.
    push_in_commits_of(&sandbox, &project, 2_500).await;
    let ArchivePull {
        preview, archived, ..
    } = pull_with_archive_fault(&sandbox, Product::Cloud, None).await;
    assert_eq!(archived.len(), 1, "{archived:?}");
    let bulk = preview.bulk_read.expect("tried in bulk");
    // The patch and the commits it holds (one), then every file but the manifest.
    assert_eq!(
        bulk,
        BulkRead {
            requests: 2,
            per_file: support::artifact_count(&files),
            per_file_requests: support::artifact_count(&files),
            refused: Some(BulkRefusal::TooLarge)
        }
    );
    assert_eq!(
        bulk.to_string(),
        format!(
            "The artifact folder could not be read in a few requests (a commit's change was too large for Bitbucket to show in time): {n} files were read one by one, in {n} requests.",
            n = support::artifact_count(&files)
        )
    );
    assert_eq!(preview.requests, 4 + files.len() - 1);
    let applied = preview.apply(&no_resolutions(), false).unwrap();
    assert!(to_files(&applied.project, &LayoutOptions::default()) == files);
}

#[tokio::test]
async fn a_folder_without_origin_is_read_file_by_file_on_cloud() {
    let sandbox = Sandbox::new();
    let product = Product::Cloud;
    let project = synthetic_project(7, 60);
    push(&sandbox, product, &project, None, None).await;
    // A manifest written before manifests named their origin.
    let manifest_path = format!("{ROOT}/{MANIFEST_FILE}");
    let mut manifest: Manifest = support::manifest_of(&sandbox.files(product, BRANCH, ROOT));
    assert!(manifest.origin_commit().is_some());
    manifest.origin = None;
    let manifest = BTreeMap::from([(manifest_path, support::flat(&manifest))]);
    sandbox.seed(product, BRANCH, BRANCH, manifest);
    let ArchivePull {
        preview, archived, ..
    } = pull_with_archive_fault(&sandbox, product, None).await;
    assert!(archived.is_empty());
    let files = to_files(&project, &LayoutOptions::default());
    assert_eq!(preview.requests, 2 + support::artifact_count(&files));
    let bulk = preview.bulk_read.expect("said");
    assert_eq!(bulk.refused, Some(BulkRefusal::NoOrigin));
    assert_eq!(
        (bulk.requests, bulk.per_file, bulk.per_file_requests),
        (
            0,
            support::artifact_count(&files),
            support::artifact_count(&files)
        )
    );
    let applied = preview.apply(&no_resolutions(), false).unwrap();
    assert_eq!(to_files(&applied.project, &LayoutOptions::default()), files);
}

#[tokio::test]
async fn unknown_sources_are_refused_with_what_to_do() {
    let sandbox = Sandbox::new();
    let product = Product::Cloud;
    let missing = [
        (PullSource::Branch("nope".to_owned()), "branch"),
        (PullSource::Tag("v9".to_owned()), "version"),
        (PullSource::Commit("0123456789abcdef".to_owned()), "commit"),
    ];
    for (source, what) in missing {
        let error = pull(&sandbox, product, source, None, None)
            .await
            .unwrap_err();
        assert!(error.to_string().contains(what), "{error}");
    }
    let error = pull(
        &sandbox,
        product,
        PullSource::Commit("xyz".to_owned()),
        None,
        None,
    )
    .await
    .unwrap_err();
    assert!(matches!(error, SyncError::InvalidCommit { .. }));
}

/// Changes the first step of every `every`-th test case.
fn change_steps(project: &mut Project, every: usize, comment: &str) -> usize {
    let mut changed = 0;
    let cases = project
        .suites
        .iter_mut()
        .flat_map(|s| s.scenarios.iter_mut())
        .flat_map(|c| c.test_cases.iter_mut());
    for (n, case) in cases.enumerate() {
        if n % every == 0 {
            case.steps[0] = case.steps[0].with(StepField::Comment, comment);
            changed += 1;
        }
    }
    changed
}

#[tokio::test]
async fn ten_changes_into_ten_thousand_test_cases_are_read_in_three_rounds() {
    let sandbox = Sandbox::new();
    let product = Product::Cloud;
    let ours = synthetic_project(11, 10_000);
    let first = push(&sandbox, product, &ours, None, None).await;
    let mut theirs = ours.clone();
    assert_eq!(change_steps(&mut theirs, 1_000, "changed by Quinn"), 10);
    push(&sandbox, product, &theirs, Some(&first), None).await;

    let mut driver = sandbox.driver();
    let base = Some(first.base.clone());
    let preview = pull_driven(&mut driver, product, branch(), base, Some(&ours))
        .await
        .expect("previewed");
    // Tip, the manifest's root and the diffstat beside it, then the parts that list the changed files
    // (one each: every thousandth test case) with the 10 files the diffstat names: three rounds.
    let parts = first.base.manifest.tree();
    let known: std::collections::BTreeSet<&str> = parts.names().collect();
    let after = support::manifest_of(&sandbox.files(product, BRANCH, ROOT)).tree();
    let read = after.names().filter(|name| !known.contains(name)).count();
    assert_eq!(read, 10);
    assert_eq!(preview.requests, 13 + read);
    assert_eq!(driver.rounds, 3);
    assert_eq!(preview.downloaded.len(), 10);
    assert_eq!(preview.artifacts.len(), 10);
    assert!(preview
        .artifacts
        .iter()
        .all(|a| a.status() == Status::Remote(SideChange::Changed) && !a.name.is_empty()));
    assert!(preview.problems.is_empty() && preview.diff_disagreements.is_empty());
    assert_eq!(preview.changes_check, ChangesCheck::Checked);
    let applied = apply_both(&preview, &no_resolutions(), &ours).expect("applied");
    assert_eq!(*applied.project, theirs);
    assert_eq!(applied.counts.changed, 10);
}

/// How the sandbox answers each request for the files changed since the base (Cloud `diffstat`, Data
/// Center `compare/changes`).
#[derive(Debug, Clone, Copy)]
enum ChangesFault {
    /// This status, in the product's error shape.
    Status(u16),
    /// No answer at all (the request times out).
    NoAnswer,
    /// An empty Cloud page that always links to one more.
    Endless,
}

/// Drives a pull of the branch into `local` from `base`, one request at a time, with every request for
/// the changes since the base failing as `fault` says; answers the preview and how often the changes were
/// asked for.
async fn pull_with_changes_fault(
    sandbox: &Sandbox,
    product: Product,
    base: SyncBase,
    local: &Project,
    fault: ChangesFault,
) -> (PullPreview, usize) {
    let request = PullRequest {
        source: branch(),
        base: Some(base),
        known: None,
        parameters: ScmParameters::default(),
        seed: 5,
    };
    let mut planner = PullPlanner::new(product.api("eve"), request, Some(LocalFiles::of(local)));
    let mut asked = 0;
    loop {
        match planner.next() {
            JobStep::Send(requests) => {
                let mut answers = Vec::new();
                for request in &requests {
                    let lists_changes =
                        request.url.contains("/diffstat/") || request.url.contains("/compare/");
                    match (lists_changes, fault) {
                        (false, _) => {}
                        (true, ChangesFault::Status(status)) => sandbox.fail_next(&[status]),
                        (true, ChangesFault::NoAnswer) => {
                            asked += 1;
                            answers.push(Err(ApiError::Timeout));
                            continue;
                        }
                        (true, ChangesFault::Endless) => {
                            asked += 1;
                            let first = request.url.split("&page=").next().unwrap_or_default();
                            let next = format!("{first}&page={}", asked + 1);
                            let page = serde_json::json!({ "values": [], "next": next });
                            answers.push(Ok(ApiResponse::new(200, page.to_string())));
                            continue;
                        }
                    }
                    asked += usize::from(lists_changes);
                    answers.push(Ok(sandbox.execute(request).await));
                }
                planner.handle(answers);
            }
            JobStep::Unpack(zips) => planner.unpacked(unpack_here(&zips)),
            JobStep::Wait(_) => {}
            JobStep::Done(preview) => return (preview.expect("previewed"), asked),
        }
    }
}

#[tokio::test]
async fn changes_since_the_base_that_cannot_be_listed_leave_the_pull_trusting_the_manifest() {
    let retries = ScmParameters::default().scm_retry_count as usize;
    let cases = [
        // Cloud's time limit: asking again would take as long.
        (ChangesFault::Status(555), Unchecked::TimedOut, 1),
        (ChangesFault::Status(400), Unchecked::Refused, 1),
        (ChangesFault::Status(404), Unchecked::BaseGone, 1),
        (ChangesFault::NoAnswer, Unchecked::Unreachable, 1 + retries),
    ];
    for product in [Product::Cloud, Product::DataCenter] {
        for (fault, reason, asks) in cases {
            let sandbox = Sandbox::new();
            let ours = synthetic_project(11, 40);
            let first = push(&sandbox, product, &ours, None, None).await;
            let mut theirs = ours.clone();
            let changed = change_steps(&mut theirs, 10, "changed by Quinn");
            push(&sandbox, product, &theirs, Some(&first), None).await;

            let (preview, asked) =
                pull_with_changes_fault(&sandbox, product, first.base.clone(), &ours, fault).await;
            let case = format!("{product:?} {fault:?}");
            assert_eq!(
                preview.changes_check,
                ChangesCheck::NotChecked(reason),
                "{case}"
            );
            assert_eq!(asked, asks, "{case}");
            assert!(reason.to_string().contains("not checked"), "{reason}");
            assert_eq!(preview.artifacts.len(), changed, "{case}");
            assert_eq!(preview.problems, Vec::new(), "{case}");
            assert!(preview.diff_disagreements.is_empty(), "{case}");
            assert!(preview.unlisted.is_empty(), "{case}");
            let applied = apply_both(&preview, &no_resolutions(), &ours).expect("applied");
            assert_eq!(*applied.project, theirs, "{case}");
        }
    }
}

#[tokio::test]
async fn more_changes_since_the_base_than_a_listing_reads_leave_the_pull_trusting_the_manifest() {
    let sandbox = Sandbox::new();
    let product = Product::Cloud;
    let ours = synthetic_project(11, 40);
    let first = push(&sandbox, product, &ours, None, None).await;
    let mut theirs = ours.clone();
    let changed = change_steps(&mut theirs, 10, "changed by Quinn");
    push(&sandbox, product, &theirs, Some(&first), None).await;

    let (preview, asked) = pull_with_changes_fault(
        &sandbox,
        product,
        first.base.clone(),
        &ours,
        ChangesFault::Endless,
    )
    .await;
    assert_eq!(asked, LISTING_MAX_PAGES);
    assert_eq!(
        preview.changes_check,
        ChangesCheck::NotChecked(Unchecked::TooMany)
    );
    assert_eq!(preview.artifacts.len(), changed);
    let applied = apply_both(&preview, &no_resolutions(), &ours).expect("applied");
    assert_eq!(*applied.project, theirs);
}

#[tokio::test]
async fn files_changed_outside_the_artifact_folder_are_left_out_of_the_check() {
    for product in [Product::Cloud, Product::DataCenter] {
        let sandbox = Sandbox::new();
        let ours = synthetic_project(11, 40);
        let first = push(&sandbox, product, &ours, None, None).await;
        let outside = ["README.md", "docs/notes.md", "test-artifacts-old/x.json"]
            .map(|path| (path.to_owned(), b"written by hand\n".to_vec()));
        sandbox.seed(product, BRANCH, BRANCH, outside.into_iter().collect());
        let mut theirs = ours.clone();
        let changed = change_steps(&mut theirs, 10, "changed by Quinn");
        push(&sandbox, product, &theirs, Some(&first), None).await;

        let base = Some(first.base.clone());
        let preview = pull(&sandbox, product, branch(), base, Some(&ours))
            .await
            .expect("previewed");
        assert_eq!(preview.changes_check, ChangesCheck::Checked, "{product:?}");
        assert_eq!(preview.artifacts.len(), changed, "{product:?}");
        assert_eq!(preview.problems, Vec::new(), "{product:?}");
        assert!(preview.diff_disagreements.is_empty(), "{product:?}");
        assert!(preview.unlisted.is_empty(), "{product:?}");
    }
}

#[tokio::test]
async fn a_pull_names_every_file_the_manifest_does_not_account_for() {
    for product in [Product::Cloud, Product::DataCenter] {
        let sandbox = Sandbox::new();
        let ours = demo();
        let first = push(&sandbox, product, &ours, None, None).await;
        let pushed = sandbox.files(product, BRANCH, ROOT);
        let listed = |kind: ArtifactKind| {
            let entries = first.base.manifest.files.iter();
            entries
                .filter(move |e| e.kind == kind)
                .map(|e| e.path.clone())
        };
        let project_file = listed(ArtifactKind::Project).next().unwrap();
        let case = listed(ArtifactKind::TestCase).next().unwrap();
        let copy = case
            .replace(".json", "-copy.json")
            .replacen("--", "-copy--", 1);
        // Written in git without the manifest knowing: changed artifacts, and files it does not list.
        let edited = |path: &str| {
            let mut bytes = pushed[path].clone();
            bytes.extend_from_slice(b" ");
            (path.to_owned(), bytes)
        };
        let changed = [edited(&project_file), edited(&case)];
        let unlisted = [
            (
                format!("{ROOT}/test-cases/broken--t9.json"),
                b"{ not json".to_vec(),
            ),
            (format!("{ROOT}/notes/readme.txt"), b"notes\n".to_vec()),
            (
                format!("{ROOT}/data-tables/huge--d9.csv"),
                vec![b'a'; 5 << 20],
            ),
            (copy, pushed[&*case].clone()),
        ];
        let outside = ("elsewhere/x--t2.json".to_owned(), b"{}".to_vec());
        let hostile = changed.iter().chain(&unlisted).chain([&outside]);
        sandbox.seed(product, BRANCH, BRANCH, hostile.cloned().collect());

        let base = Some(first.base.clone());
        let preview = pull(&sandbox, product, branch(), base, Some(&ours))
            .await
            .expect("previewed");
        assert_eq!(preview.changes_check, ChangesCheck::Checked, "{product:?}");
        let mut expected: Vec<UnlistedFile> = unlisted
            .iter()
            .map(|(path, _)| UnlistedFile::new(path.clone(), UnlistedReason::ChangedOutsideApp))
            .collect();
        expected.sort();
        assert_eq!(preview.unlisted, expected, "{product:?}");
        for (path, _) in &changed {
            let problem = problem_of(&preview, path);
            assert!(
                matches!(problem, ProblemKind::ChangedInGit { .. }),
                "{product:?}: {path}"
            );
            assert!(problem
                .to_string()
                .contains("changed in git since your last sync"));
        }
        assert_eq!(preview.problems.len(), changed.len(), "{product:?}");
        // Nothing comes in, nothing conflicts: the local copy keeps its versions.
        assert!(
            preview.artifacts.is_empty(),
            "{product:?}: {:?}",
            preview.artifacts
        );
        let applied = preview.apply(&no_resolutions(), true).unwrap();
        assert_eq!(*applied.project, ours, "{product:?}");
    }
}

/// The first test case's id.
fn first_case(project: &Project) -> ArtifactId {
    project.test_cases().next().unwrap().id.clone()
}

fn set_step(project: &mut Project, index: usize, keyword: &str) {
    let case = first_case(project);
    let step = project.find_test_case(&case).unwrap().steps[index].clone();
    let step = step.with(StepField::Keyword, keyword);
    project.update_step(&case, index, step).unwrap();
}

/// Applies `preview` both ways, over `local` (the project it was planned with) and from the files alone,
/// which must give the same.
fn apply_both(
    preview: &PullPreview,
    resolutions: &BTreeMap<(ArtifactId, ArtifactKind), Resolution>,
    local: &Project,
) -> Result<AppliedPull, SyncError> {
    let over = preview.apply_over(resolutions, false, local);
    assert_eq!(over, preview.apply(resolutions, false));
    if let Ok(applied) = &over {
        // Files the pull wrote by changing the local ones are those the merged project writes.
        let (kept, fresh) = (applied.project.written(), LocalFiles::of(&applied.project));
        assert_eq!(
            (&kept.contents, &kept.manifest, &kept.approved),
            (&fresh.contents, &fresh.manifest, &fresh.approved)
        );
    }
    over
}

/// The demo project pushed to the branch on Cloud, then their copy with its first step changed pushed over
/// it: the project, its push, and their copy.
async fn their_first_step_over(sandbox: &Sandbox) -> (Project, PushOutcome, Project) {
    let base = demo();
    let first = push(sandbox, Product::Cloud, &base, None, None).await;
    let mut theirs = base.clone();
    set_step(&mut theirs, 0, "Their first step");
    push(sandbox, Product::Cloud, &theirs, Some(&first), None).await;
    (base, first, theirs)
}

#[tokio::test]
async fn a_test_case_changed_on_both_sides_is_a_conflict_that_steps_can_merge() {
    let sandbox = Sandbox::new();
    let product = Product::Cloud;
    let base = demo();
    let first = push(&sandbox, product, &base, None, None).await;
    let case = first_case(&base);
    assert!(base.find_test_case(&case).unwrap().steps.len() >= 2);
    let mut theirs = base.clone();
    set_step(&mut theirs, 0, "Their first step");
    theirs.suites[0].name = "Renamed suite".to_owned();
    push(&sandbox, product, &theirs, Some(&first), None).await;
    let mut mine = base.clone();
    let last = mine.find_test_case(&case).unwrap().steps.len() - 1;
    set_step(&mut mine, last, "My last step");

    let preview = pull(
        &sandbox,
        product,
        branch(),
        Some(first.base.clone()),
        Some(&mine),
    )
    .await
    .expect("previewed");
    let key = (case.clone(), ArtifactKind::TestCase);
    let conflict = preview.artifacts.iter().find(|a| a.key == key).unwrap();
    assert_eq!(
        conflict.status(),
        Status::Conflict(ConflictKind::BothChanged)
    );
    let suite = preview
        .artifacts
        .iter()
        .find(|a| a.kind() == ArtifactKind::Suite)
        .unwrap();
    assert_eq!(suite.status(), Status::Remote(SideChange::Changed));
    assert_eq!(suite.name, "Renamed suite");
    assert!(suite.classified.renamed_remotely().is_some());
    let merge = &preview.merges[&key];
    assert_eq!(
        merge.base.as_ref().unwrap().steps,
        base.find_test_case(&case).unwrap().steps
    );
    assert!(merge.merged.is_some());

    assert_eq!(
        apply_both(&preview, &no_resolutions(), &mine),
        Err(SyncError::UnresolvedConflicts { count: 1 })
    );
    let resolve = |r| BTreeMap::from([(key.clone(), r)]);
    let merged = apply_both(&preview, &resolve(Resolution::MergeSteps), &mine).unwrap();
    let mut expected = theirs.clone();
    set_step(&mut expected, last, "My last step");
    assert_eq!(*merged.project, expected);
    assert_eq!(merged.counts.merged, 1);
    let kept = apply_both(&preview, &resolve(Resolution::KeepMine), &mine).unwrap();
    assert_eq!(
        kept.project.find_test_case(&case),
        mine.find_test_case(&case)
    );
    assert_eq!(kept.project.suites[0].name, "Renamed suite");
    let taken = apply_both(&preview, &resolve(Resolution::TakeTheirs), &mine).unwrap();
    assert_eq!(*taken.project, theirs);

    // Overlapping edits of the same step cannot be merged.
    let mut clash = base.clone();
    set_step(&mut clash, 0, "My first step");
    let preview = pull(
        &sandbox,
        product,
        branch(),
        Some(first.base.clone()),
        Some(&clash),
    )
    .await
    .unwrap();
    assert!(preview.merges[&key].merged.is_none());
    assert!(matches!(
        preview.apply(&resolve(Resolution::MergeSteps), false),
        Err(SyncError::MergeImpossible { .. })
    ));
    // The same change on both sides is not a conflict.
    let preview = pull(&sandbox, product, branch(), Some(first.base), Some(&theirs))
        .await
        .unwrap();
    assert!(preview.conflicts().next().is_none());
    assert!(preview.downloaded.is_empty());
}

#[tokio::test]
async fn a_test_case_whose_repository_file_has_a_problem_is_offered_no_merge() {
    let sandbox = Sandbox::new();
    let product = Product::Cloud;
    let (base, first, theirs) = their_first_step_over(&sandbox).await;
    let case = first_case(&base);
    // Their file changed again in git, the manifest not knowing: still a test case, another hash.
    let files = to_files(&theirs, &LayoutOptions::default());
    let manifest: Manifest = support::manifest_of(&files);
    let path = manifest
        .files
        .iter()
        .find(|e| e.id == case && e.kind == ArtifactKind::TestCase)
        .unwrap()
        .path
        .to_string();
    let mut tampered = theirs.clone();
    set_step(&mut tampered, 0, "Changed behind the manifest");
    let bytes = to_files(&tampered, &LayoutOptions::default())[&path].clone();
    commit_on(
        &sandbox,
        BRANCH,
        ProjectFiles::from([(path.clone(), bytes)]),
        Vec::new(),
    )
    .await;
    let mut mine = base.clone();
    let last = mine.find_test_case(&case).unwrap().steps.len() - 1;
    set_step(&mut mine, last, "My last step");

    let preview = pull(
        &sandbox,
        product,
        branch(),
        Some(first.base.clone()),
        Some(&mine),
    )
    .await
    .expect("previewed");
    assert!(matches!(
        problem_of(&preview, &path),
        ProblemKind::Tree(TreeErrorKind::ManifestMismatch { .. })
    ));
    let key = (case.clone(), ArtifactKind::TestCase);
    let conflict = preview.artifacts.iter().find(|a| a.key == key).unwrap();
    assert_eq!(
        conflict.status(),
        Status::Conflict(ConflictKind::BothChanged)
    );
    assert!(!preview.merges.contains_key(&key), "{:?}", preview.merges);
    let resolve = |r| BTreeMap::from([(key.clone(), r)]);
    for include_invalid in [false, true] {
        let refused = preview.apply(&resolve(Resolution::MergeSteps), include_invalid);
        assert!(
            matches!(&refused, Err(SyncError::MergeOfProblemFile { problem, .. }) if problem.path == path),
            "{refused:?}"
        );
    }
    let refused = preview.apply_over(&resolve(Resolution::MergeSteps), true, &mine);
    assert!(matches!(refused, Err(SyncError::MergeOfProblemFile { .. })));
    let kept = apply_both(&preview, &resolve(Resolution::KeepMine), &mine).unwrap();
    assert_eq!(
        kept.project.find_test_case(&case),
        mine.find_test_case(&case)
    );
}

#[tokio::test]
async fn a_pull_of_test_case_edits_applies_as_reading_every_file_does() {
    let sandbox = Sandbox::new();
    let product = Product::DataCenter;
    let base = demo();
    let first = push(&sandbox, product, &base, None, None).await;
    let ids: Vec<ArtifactId> = base.test_cases().map(|c| c.id.clone()).collect();
    assert!(ids.len() >= 4);
    let comment = |project: &mut Project, id: &ArtifactId, text: &str| {
        let step = project.find_test_case(id).unwrap().steps[0].with(StepField::Comment, text);
        project.update_step(id, 0, step).unwrap();
    };
    // Both sides edit the first test case (other steps), they edit the second, I edit the third, and
    // both make the same edit to the fourth.
    let mut theirs = base.clone();
    set_step(&mut theirs, 0, "Their first step");
    comment(&mut theirs, &ids[1], "theirs");
    comment(&mut theirs, &ids[3], "both");
    push(&sandbox, product, &theirs, Some(&first), None).await;
    let mut mine = base.clone();
    let last = mine.find_test_case(&ids[0]).unwrap().steps.len() - 1;
    set_step(&mut mine, last, "My last step");
    comment(&mut mine, &ids[2], "mine");
    comment(&mut mine, &ids[3], "both");

    let preview = pull(&sandbox, product, branch(), Some(first.base), Some(&mine))
        .await
        .expect("previewed");
    let key = (ids[0].clone(), ArtifactKind::TestCase);
    assert_eq!(preview.conflicts().count(), 1);
    let resolve = |r| BTreeMap::from([(key.clone(), r)]);
    let mut expected = theirs.clone();
    comment(&mut expected, &ids[2], "mine");
    let taken = apply_both(&preview, &resolve(Resolution::TakeTheirs), &mine).unwrap();
    assert_eq!(*taken.project, expected);
    assert_eq!((taken.counts.changed, taken.counts.took_theirs), (2, 1));
    set_step(&mut expected, last, "My last step");
    let merged = apply_both(&preview, &resolve(Resolution::MergeSteps), &mine).unwrap();
    assert_eq!(*merged.project, expected);
    let kept = apply_both(&preview, &resolve(Resolution::KeepMine), &mine).unwrap();
    assert_eq!(
        kept.project.find_test_case(&ids[0]),
        mine.find_test_case(&ids[0])
    );
    assert_eq!(
        kept.project.find_test_case(&ids[1]),
        theirs.find_test_case(&ids[1])
    );
}

#[tokio::test]
async fn a_pull_that_takes_the_branch_as_it_is_shares_its_manifest() {
    let sandbox = Sandbox::new();
    let product = Product::Cloud;
    let (base, first, theirs) = their_first_step_over(&sandbox).await;
    let preview = pull(&sandbox, product, branch(), Some(first.base), Some(&base))
        .await
        .expect("previewed");
    let applied = apply_both(&preview, &no_resolutions(), &base).unwrap();
    assert_eq!(*applied.project, theirs);
    let local = applied.project.written();
    assert!(
        Arc::ptr_eq(&local.manifest.files, &applied.base.manifest.files),
        "the local manifest is the new base's"
    );
}

/// Drives `planner` one request at a time, calling `while_waiting` in each round when `work`; answers the
/// preview and `probe`'s value after each round's `while_waiting`.
async fn drive_by_hand(
    sandbox: &Sandbox,
    mut planner: PullPlanner,
    probe: impl Fn() -> usize,
    work: bool,
) -> (PullPreview, Vec<usize>) {
    let mut probed = Vec::new();
    loop {
        match planner.next() {
            JobStep::Send(requests) => {
                if work {
                    planner.while_waiting();
                }
                probed.push(probe());
                let mut answers = Vec::new();
                for request in &requests {
                    answers.push(Ok(sandbox.execute(request).await));
                }
                planner.handle(answers);
            }
            JobStep::Unpack(zips) => planner.unpacked(unpack_here(&zips)),
            JobStep::Wait(_) => {}
            JobStep::Done(output) => return (output.expect("previewed"), probed),
        }
    }
}

#[tokio::test]
async fn local_files_written_while_the_repository_is_read_give_the_same_preview() {
    let sandbox = Sandbox::new();
    let product = Product::Cloud;
    let (base, first, _) = their_first_step_over(&sandbox).await;
    let mut mine = base.clone();
    set_step(&mut mine, 0, "My first step");
    let request = || PullRequest {
        source: branch(),
        base: Some(first.base.clone()),
        known: None,
        parameters: ScmParameters::default(),
        seed: 5,
    };
    let given = pull(&sandbox, product, branch(), request().base, Some(&mine))
        .await
        .unwrap();

    let writes = std::rc::Rc::new(std::cell::Cell::new(0));
    let (counted, project) = (writes.clone(), mine.clone());
    let deferred = PullPlanner::deferring_local(product.api("eve"), request(), move || {
        counted.set(counted.get() + 1);
        LocalFiles::of(&project)
    });
    // Writes after each round's `while_waiting`: none while the tip is read, then once, while the
    // manifest's root is read.
    let (deferred, written) = drive_by_hand(&sandbox, deferred, || writes.get(), true).await;
    assert_eq!(written, [0, 1, 1, 1]);
    assert_eq!(deferred.artifacts, given.artifacts);
    assert_eq!(deferred.requests, given.requests);
    let resolve = BTreeMap::from([(
        (first_case(&base), ArtifactKind::TestCase),
        Resolution::KeepMine,
    )]);
    assert_eq!(
        apply_both(&deferred, &resolve, &mine),
        apply_both(&given, &resolve, &mine)
    );

    // A driver that never lets the job work while waiting gets the same: the files are written when
    // the comparison needs them.
    let project = mine.clone();
    let planner = PullPlanner::deferring_local(product.api("eve"), request(), move || {
        LocalFiles::of(&project)
    });
    let (late, _) = drive_by_hand(&sandbox, planner, || 0, false).await;
    assert_eq!(late.artifacts, given.artifacts);
}

#[tokio::test]
async fn data_center_reports_the_files_a_push_dropped_from_the_manifest() {
    let sandbox = Sandbox::new();
    let product = Product::DataCenter;
    let base = demo();
    let first = push(&sandbox, product, &base, None, None).await;
    let mut theirs = base.clone();
    let case = first_case(&base);
    theirs.delete(&case).unwrap();
    push(&sandbox, product, &theirs, Some(&first), None).await;

    for known in [Some(first.base.clone()), None] {
        let preview = pull(&sandbox, product, branch(), known.clone(), Some(&base))
            .await
            .unwrap();
        let reason = match known {
            Some(_) => UnlistedReason::DroppedFromManifest,
            None => UnlistedReason::NotInManifest,
        };
        let path = first
            .base
            .manifest
            .files
            .iter()
            .find(|e| e.id == case)
            .unwrap();
        assert_eq!(
            preview.unlisted,
            [UnlistedFile::new(path.path.to_string(), reason)]
        );
        assert!(reason.to_string().contains("Data Center"));
        if known.is_some() {
            let deleted = preview.artifacts.iter().find(|a| a.key.0 == case).unwrap();
            assert_eq!(deleted.status(), Status::Remote(SideChange::Deleted));
            let applied = preview.apply(&no_resolutions(), false).unwrap();
            assert_eq!(*applied.project, theirs);
            assert_eq!(applied.counts.deleted, 1);
        }
    }
}

/// Commits hand-made files to a new Cloud branch `hand-made` and returns its tip.
async fn commit_by_hand(sandbox: &Sandbox, files: ProjectFiles) -> String {
    let deletions = vec![format!("{ROOT}/project.json")];
    commit_on(sandbox, "hand-made", files, deletions).await
}

/// Commits `files` and `deletions` on the Cloud branch `branch` (made from the main branch when new),
/// outside the app: the manifest is left as it is. Returns the new tip.
async fn commit_on(
    sandbox: &Sandbox,
    branch: &str,
    files: ProjectFiles,
    deletions: Vec<String>,
) -> String {
    let commit = cloud::CommitFiles {
        message: "Written by hand".to_owned(),
        author: None,
        parent: None,
        files: files.into_iter().collect(),
        deletions,
    };
    let response = sandbox
        .write_by_hand(Product::Cloud, "lee", branch, |writer| {
            writer.commit_files(&commit).request
        })
        .await;
    assert!(response.is_success(), "{}", response.status);
    sandbox.tip(Product::Cloud, branch).unwrap()
}

fn problem_of<'a>(preview: &'a PullPreview, path: &str) -> &'a ProblemKind {
    &preview
        .problem(path)
        .unwrap_or_else(|| panic!("a problem for {path}: {:?}", preview.problems))
        .kind
}

fn entry(path: &str, bytes: &[u8], id: &str, kind: ArtifactKind) -> ManifestEntry {
    ManifestEntry {
        path: path.to_owned().into(),
        sha256: sha256_hex(bytes).into(),
        id: ArtifactId::new(id).unwrap(),
        kind,
    }
}

#[tokio::test]
async fn bad_content_in_a_managed_tree_is_reported_file_by_file() {
    let sandbox = Sandbox::new();
    let project = demo();
    let mut files = to_files(&project, &LayoutOptions::default());
    let manifest_path = format!("{ROOT}/{MANIFEST_FILE}");
    let mut manifest: Manifest = support::manifest_of(&files);
    let cases: Vec<String> = manifest
        .files
        .iter()
        .filter(|e| e.kind == ArtifactKind::TestCase)
        .map(|e| e.path.to_string())
        .collect();
    // Changed in git without the manifest knowing.
    files.insert(cases[0].clone(), b"{\"tampered\": true}\n".to_vec());
    // Invalid JSON the manifest vouches for.
    let broken = b"{ not json".to_vec();
    std::sync::Arc::make_mut(&mut manifest.files)
        .iter_mut()
        .find(|e| *e.path == *cases[1])
        .unwrap()
        .sha256 = sha256_hex(&broken).into();
    files.insert(cases[1].clone(), broken);
    // Entries that can never be pulled.
    let escape = format!("{ROOT}/../escape--t1.json");
    let unknown = format!("{ROOT}/notes/readme.txt");
    let outside = "elsewhere/x--t2.json".to_owned();
    let duplicate = format!(
        "{ROOT}/element-repositories/copy--{}.json",
        project.element_repositories[0].id
    );
    let large = format!("{ROOT}/execution-lists/huge--x1.json");
    let big = vec![b' '; 4 * 1024 * 1024 + 1];
    files.insert(large.clone(), big.clone());
    std::sync::Arc::make_mut(&mut manifest.files).extend([
        entry(&escape, b"", "t1", ArtifactKind::TestCase),
        entry(&unknown, b"", "t3", ArtifactKind::TestCase),
        entry(&outside, b"", "t2", ArtifactKind::TestCase),
        entry(
            &duplicate,
            b"",
            project.element_repositories[0].id.as_str(),
            ArtifactKind::ElementRepository,
        ),
        entry(&large, &big, "x1", ArtifactKind::ExecutionList),
    ]);
    files.insert(manifest_path.clone(), support::flat(&manifest));
    let tip = commit_by_hand(&sandbox, files).await;

    let source = PullSource::Commit(tip);
    let preview = pull(&sandbox, Product::Cloud, source, None, None)
        .await
        .unwrap();
    let tree = |p: &str| match problem_of(&preview, p) {
        ProblemKind::Tree(kind) => kind.clone(),
        other => panic!("{p}: {other:?}"),
    };
    assert!(matches!(
        tree(&cases[0]),
        TreeErrorKind::ManifestMismatch { .. }
    ));
    assert!(matches!(tree(&cases[1]), TreeErrorKind::InvalidJson { .. }));
    assert!(matches!(tree(&escape), TreeErrorKind::UnsafePath { .. }));
    assert_eq!(tree(&unknown), TreeErrorKind::UnknownFile);
    assert!(matches!(tree(&outside), TreeErrorKind::OutsideRoot { .. }));
    let original = manifest
        .files
        .iter()
        .find(|e| e.id == project.element_repositories[0].id)
        .map(|e| e.path.to_string());
    assert!(matches!(
        tree(&duplicate),
        TreeErrorKind::DuplicateId { first, .. } if Some(&first) == original.as_ref()
    ));
    assert!(matches!(tree(&large), TreeErrorKind::TooLarge { .. }));
    // Nothing outside the root or with `..` was requested.
    assert!(!preview
        .downloaded
        .keys()
        .any(|p| p.contains("..") || !p.starts_with(ROOT)));

    let refused = preview.apply(&no_resolutions(), false).unwrap_err();
    assert!(matches!(refused, SyncError::InvalidFiles { .. }));
    assert!(refused
        .to_string()
        .contains("apply only the valid artifacts"));
    let applied = preview.apply(&no_resolutions(), true).unwrap();
    assert_eq!(applied.counts.skipped, 3, "{:?}", applied.skipped);
    let kept: Vec<&ArtifactId> = applied.project.test_cases().map(|c| &c.id).collect();
    assert_eq!(kept.len(), project.test_cases().count() - 2);
    assert_eq!(
        applied.project.element_repositories,
        project.element_repositories
    );
}

#[tokio::test]
async fn a_tree_without_manifest_is_listed_read_whole_and_checked() {
    let sandbox = Sandbox::new();
    let project = demo();
    let mut files = to_files(&project, &LayoutOptions::default());
    files.remove(&format!("{ROOT}/{MANIFEST_FILE}"));
    files.insert(format!("{ROOT}/notes.txt"), b"hello\n".to_vec());
    let table = files.keys().find(|p| p.ends_with(".csv")).cloned().unwrap();
    files.insert(table.clone(), b"a,\"b\n".to_vec());
    let tip = commit_by_hand(&sandbox, files.clone()).await;

    let preview = pull(
        &sandbox,
        Product::Cloud,
        PullSource::Commit(tip),
        None,
        Some(&project),
    )
    .await
    .unwrap();
    assert!(!preview.managed);
    assert_eq!(
        problem_of(&preview, &format!("{ROOT}/notes.txt")),
        &ProblemKind::Tree(TreeErrorKind::UnknownFile)
    );
    assert!(matches!(
        problem_of(&preview, &table),
        ProblemKind::Tree(TreeErrorKind::InvalidCsv(_))
    ));
    // Every readable file was read; only the table's rows differ from the local project.
    assert_eq!(
        preview.downloaded.len(),
        files.len() - 1 - support::manifest_parts(&files)
    );
    assert_eq!(preview.artifacts.len(), 1);
    assert_eq!(
        preview.artifacts[0].status(),
        Status::Conflict(ConflictKind::BothAdded)
    );
    let key = preview.artifacts[0].key.clone();
    let kept = preview
        .apply(&BTreeMap::from([(key, Resolution::KeepMine)]), false)
        .unwrap();
    assert_eq!(*kept.project, project);
}

/// A file and a manifest too large to read, served as a hostile repository could (a 200 MB file, a
/// manifest of a million entries, with or without their size announced): the file is a problem of its
/// own, the manifest stops the pull with a message that says what to do, and neither is read past its
/// limit.
async fn answers_too_large_to_read_are_refused(product: Product) {
    let sandbox = Sandbox::new();
    let project = demo();
    let pushed = push(&sandbox, product, &project, None, None).await;
    let files = sandbox.files(product, BRANCH, ROOT);
    let victim = files
        .keys()
        .find(|path| path.ends_with(".json") && !path.contains("/.manifest"))
        .unwrap()
        .clone();
    let changed = BTreeMap::from([(victim.clone(), b"{\"tampered\": true}\n".to_vec())]);
    sandbox.seed(product, BRANCH, BRANCH, changed);
    let large = |path: &str, content, announce_length| FaultSettings {
        large_bodies: vec![LargeBody {
            path: path.to_owned(),
            content,
            announce_length,
        }],
        ..FaultSettings::default()
    };
    let base = || Some(pushed.base.clone());

    sandbox.set_faults(large(
        &victim,
        LargeContent::Bytes { bytes: 200_000_000 },
        false,
    ));
    let preview = pull(&sandbox, product, branch(), base(), Some(&project))
        .await
        .expect("previewed");
    let refused = TreeErrorKind::TooLarge {
        size: None,
        limit: MAX_FILE_BYTES,
    };
    assert_eq!(problem_of(&preview, &victim), &ProblemKind::Tree(refused));
    assert!(!preview.downloaded.contains_key(&victim));

    let manifest_path = format!("{ROOT}/{MANIFEST_FILE}");
    for announce_length in [false, true] {
        let manifest = LargeContent::Manifest { entries: 1_000_000 };
        sandbox.set_faults(large(MANIFEST_FILE, manifest, announce_length));
        let error = pull(&sandbox, product, branch(), base(), Some(&project))
            .await
            .unwrap_err();
        let SyncError::ManifestRefused {
            path,
            refusal: ManifestRefusal::TooLarge { size, limit },
        } = &error
        else {
            panic!("a refused manifest: {error:?}");
        };
        assert_eq!((path, *limit), (&manifest_path, MAX_MANIFEST_BYTES as u64));
        assert_eq!(size.is_some(), announce_length);
        assert!(error.to_string().contains("restore"), "{error}");
    }
}

#[tokio::test]
async fn answers_too_large_to_read_are_refused_on_cloud() {
    answers_too_large_to_read_are_refused(Product::Cloud).await
}

#[tokio::test]
async fn answers_too_large_to_read_are_refused_on_data_center() {
    answers_too_large_to_read_are_refused(Product::DataCenter).await
}

/// A sandbox whose Cloud gives up (555) on any `diff`, `diffstat` or listing of more than
/// `budget_ms / 10` files or entries.
fn cloud_within(budget_ms: u64) -> Sandbox {
    Sandbox::configured(|config| {
        config.cloud.time_limit = bitbucket_sandbox::config::TimeLimit {
            budget_ms,
            per_file_ms: 10,
            per_mib_ms: 100,
        };
    })
}

#[tokio::test]
async fn a_diffstat_over_cloud_time_limit_leaves_the_changes_since_the_base_unchecked() {
    // The changed test cases and the manifest take longer to list than three files do.
    let sandbox = cloud_within(30);
    let ours = synthetic_project(11, 40);
    let first = push(&sandbox, Product::Cloud, &ours, None, None).await;
    let mut theirs = ours.clone();
    let changed = change_steps(&mut theirs, 10, "changed by Quinn");
    assert!(changed >= 3);
    push(&sandbox, Product::Cloud, &theirs, Some(&first), None).await;

    let base = Some(first.base.clone());
    let preview = pull(&sandbox, Product::Cloud, branch(), base, Some(&ours))
        .await
        .expect("previewed");
    let unchecked = ChangesCheck::NotChecked(Unchecked::TimedOut);
    assert_eq!(preview.changes_check, unchecked);
    assert!(Unchecked::TimedOut.to_string().contains("not checked"));
    assert_eq!(preview.artifacts.len(), changed);
    assert!(preview.problems.is_empty(), "{:?}", preview.problems);
    let applied = apply_both(&preview, &no_resolutions(), &ours).expect("applied");
    assert_eq!(*applied.project, theirs);
}

#[tokio::test]
async fn a_cloud_restore_whose_patch_is_over_the_time_limit_reads_each_file() {
    let sandbox = cloud_within(30);
    let project = synthetic_project(11, 40);
    let files = to_files(&project, &LayoutOptions::default());
    assert!(files.len() > 20, "read in bulk");
    push(&sandbox, Product::Cloud, &project, None, None).await;
    let preview = pull(&sandbox, Product::Cloud, branch(), None, None)
        .await
        .expect("previewed");
    assert!(preview.problems.is_empty(), "{:?}", preview.problems);
    let applied = preview.apply(&no_resolutions(), false).expect("applied");
    assert!(to_files(&applied.project, &LayoutOptions::default()) == files);
}

/// A manifest of a layout newer than this app reads is refused with the version it has, and nothing of
/// it is used: the folder is read as one without manifest.
#[tokio::test]
async fn a_manifest_of_a_newer_layout_is_refused_with_its_version() {
    let sandbox = Sandbox::new();
    let product = Product::Cloud;
    let project = demo();
    push(&sandbox, product, &project, None, None).await;
    let newer = br#"{"schema_version": 3, "parts": [], "levels": 2}"#.to_vec();
    let root = BTreeMap::from([(format!("{ROOT}/{MANIFEST_FILE}"), newer)]);
    sandbox.seed(product, BRANCH, BRANCH, root);
    let preview = pull(&sandbox, product, branch(), None, Some(&project))
        .await
        .unwrap();
    assert!(!preview.managed);
    let found = problem_of(&preview, &format!("{ROOT}/{MANIFEST_FILE}"));
    assert_eq!(
        found,
        &ProblemKind::Tree(TreeErrorKind::NewerSchema {
            found: 3,
            supported: SCHEMA_VERSION
        })
    );
    assert!(found.to_string().contains("layout version 3"), "{found}");
}

/// A branch's manifest that lists an artifact again, in a part the base does not hold, while its first
/// listing is in a part the base holds (whose keys the pull does not take again): the listing again is
/// named, with the first.
#[tokio::test]
async fn an_artifact_listed_again_beside_the_parts_the_base_holds_is_named() {
    let sandbox = Sandbox::new();
    let ours = synthetic_project(3, 400);
    let first = push(&sandbox, Product::Cloud, &ours, None, None).await;
    let pushed = sandbox.files(Product::Cloud, BRANCH, ROOT);
    let cases: Vec<&ManifestEntry> = (first.base.manifest.files.iter())
        .filter(|e| e.kind == ArtifactKind::TestCase)
        .collect();
    let (original, last) = (cases[0], cases[cases.len() - 1]);
    // The first test case listed again in the last one's folder, its file copied there.
    let folder = &last.path[..last.path.rfind('/').unwrap()];
    let name = &original.path[original.path.rfind('/').unwrap()..];
    let again = format!("{folder}{name}");
    let mut manifest = first.base.manifest.clone();
    let entries = Arc::make_mut(&mut manifest.files);
    entries.push(ManifestEntry {
        path: again.clone().into(),
        ..original.clone()
    });
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    let part_of = |manifest: &Manifest, path: &str| {
        let parts = manifest.parts();
        let part = parts
            .iter()
            .find(|p| p.files.iter().any(|e| &*e.path == path));
        part.map(|p| p.name.to_owned())
    };
    let held = part_of(&first.base.manifest, &original.path);
    assert_eq!(
        held,
        part_of(&manifest, &original.path),
        "the first listing's part is the base's"
    );
    assert_ne!(part_of(&manifest, &again), held);
    let tree = manifest.tree();
    let options = LayoutOptions::default();
    let mut files = ProjectFiles::from([(again.clone(), pushed[&*original.path].clone())]);
    files.insert(options.full_path(MANIFEST_FILE), tree.root);
    for part in tree.parts {
        files.insert(part_path(&options, &part.name), part.bytes);
    }
    sandbox.seed(Product::Cloud, BRANCH, BRANCH, files);

    let base = Some(first.base.clone());
    let preview = pull(&sandbox, Product::Cloud, branch(), base, Some(&ours))
        .await
        .expect("previewed");
    assert_eq!(
        problem_of(&preview, &again),
        &ProblemKind::Tree(TreeErrorKind::DuplicateId {
            id: original.id.clone(),
            first: original.path.to_string(),
        })
    );
    assert_eq!(preview.problems.len(), 1, "{:?}", preview.problems);
}
