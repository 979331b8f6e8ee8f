//! Pushes driven against the local Bitbucket sandbox (in-process), on Cloud and Data Center: what lands in
//! git, how many requests and commits it takes, and what happens when the network or another client gets
//! in the way.

use crate::support;

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use bitbucket_sandbox::config::{Config, FileEditor, SourceBranchOnExisting};
use support::{Driver, Fault, Product, Sandbox};
use versioning_core::artifacts::demo::demo_projects;
use versioning_core::artifacts::{
    manifest_in, part_name, to_files, ArtifactId, LayoutOptions, Manifest, Project, MANIFEST_FILE,
    SCHEMA_VERSION,
};
use versioning_core::bitbucket::{cloud, datacenter, Api, ApiError, BodyLimit, Method};
use versioning_core::roles::{Denial, Role};
use versioning_core::sync::{
    Confirmation, LocalFiles, PushOutcome, PushPlan, PushPlanner, PushRequest, PushSender,
    ScmParameters, SyncBase, SyncError,
};

const BRANCH: &str = "feature/login";
const MAIN: &str = "main";
const ROOT: &str = "test-artifacts";

fn manifest_path() -> String {
    format!("{ROOT}/{MANIFEST_FILE}")
}

fn demo() -> Project {
    demo_projects().remove(0)
}

/// Every file a project is pushed as, the manifest included.
fn files_of(project: &Project) -> BTreeMap<String, Vec<u8>> {
    to_files(project, &LayoutOptions::default())
}

/// A Quality Lead's push to `branch`.
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
        seed: 7,
    }
}

/// The next push to `feature/login` after `previous`, with its base.
fn after(previous: &PushOutcome) -> PushRequest {
    PushRequest {
        base: Some(previous.base.clone()),
        ..request(BRANCH)
    }
}

/// A push that creates `feature/login` from `main`.
fn new_branch() -> PushRequest {
    PushRequest {
        new_branch_from: Some(MAIN.to_owned()),
        ..request(BRANCH)
    }
}

/// One product's demo repository in a fresh sandbox, pushed to as `lee` unless told otherwise.
struct Repo {
    sandbox: Sandbox,
    product: Product,
}

impl Repo {
    fn new(product: Product) -> Repo {
        Repo {
            sandbox: Sandbox::new(),
            product,
        }
    }

    /// Data Center's demo repository in a sandbox configured by `change`.
    fn data_center(change: impl FnOnce(&mut Config)) -> Repo {
        Repo {
            sandbox: Sandbox::configured(change),
            product: Product::DataCenter,
        }
    }

    fn api(&self) -> Api {
        self.product.api("lee")
    }

    fn driver(&self) -> Driver<'_> {
        self.sandbox.driver()
    }

    async fn plan_with(
        &self,
        driver: &mut Driver<'_>,
        api: Api,
        request: PushRequest,
        project: &Project,
    ) -> Result<PushPlan, SyncError> {
        let mut planner = PushPlanner::new(api, request, LocalFiles::of(project))?;
        driver
            .run(&mut planner)
            .await
            .expect("planning is not stopped")
    }

    async fn send_with(
        &self,
        driver: &mut Driver<'_>,
        api: Api,
        plan: PushPlan,
    ) -> Result<PushOutcome, SyncError> {
        let mut sender = {
            let confirmation = support::as_planned(&plan);
            PushSender::new(api, plan, &confirmation)
        }?;
        driver
            .run(&mut sender)
            .await
            .expect("sending is not stopped")
    }

    /// Plans as `lee`.
    async fn plan(
        &self,
        driver: &mut Driver<'_>,
        request: PushRequest,
        project: &Project,
    ) -> PushPlan {
        self.plan_with(driver, self.api(), request, project)
            .await
            .expect("the push is planned")
    }

    /// Plans and sends as `lee`.
    async fn push(
        &self,
        request: PushRequest,
        project: &Project,
    ) -> Result<PushOutcome, SyncError> {
        self.push_as(self.api(), request, project).await
    }

    async fn push_as(
        &self,
        api: Api,
        request: PushRequest,
        project: &Project,
    ) -> Result<PushOutcome, SyncError> {
        let mut driver = self.driver();
        let plan = self
            .plan_with(&mut driver, api.clone(), request, project)
            .await?;
        self.send_with(&mut driver, api, plan).await
    }

    /// The first push of `project` to a new `feature/login`.
    async fn first_push(&self, project: &Project) -> PushOutcome {
        self.push(new_branch(), project)
            .await
            .expect("the first push succeeds")
    }

    fn tip(&self, branch: &str) -> String {
        self.sandbox
            .tip(self.product, branch)
            .unwrap_or_else(|| panic!("{branch} exists"))
    }

    /// The files under the artifact root at the tip of `feature/login`.
    fn tree(&self) -> BTreeMap<String, Vec<u8>> {
        self.sandbox.files(self.product, BRANCH, ROOT)
    }

    /// The manifest at the tip of `feature/login`.
    fn manifest(&self) -> Manifest {
        let tree = self.tree();
        let manifest = manifest_in(&tree, &LayoutOptions::default());
        manifest.expect("a manifest").expect("a readable manifest")
    }

    /// The commits of `feature/login` that are not on `main`, oldest first.
    fn commits(&self) -> Vec<String> {
        self.sandbox
            .commits_since(self.product, BRANCH, MAIN)
            .into_iter()
            .map(|c| c.hash)
            .collect()
    }

    fn touched(&self, commit: &str) -> Vec<String> {
        self.sandbox.touched(self.product, commit)
    }

    /// Another client commits `path` to `branch` through the API, as `quinn`.
    async fn other_client_commits(&self, branch: &str, path: &str) {
        let content = b"Written by another client.\n".to_vec();
        let message = "Another client's change".to_owned();
        let response = self
            .sandbox
            .write_by_hand(self.product, "quinn", branch, |writer| match self.product {
                Product::Cloud => {
                    let commit = cloud::CommitFiles {
                        message,
                        author: None,
                        parent: Some(self.tip(branch)),
                        files: vec![(path.to_owned(), content)],
                        deletions: Vec::new(),
                    };
                    writer.commit_files(&commit).request
                }
                Product::DataCenter => {
                    let edit = datacenter::EditFile {
                        path: path.to_owned(),
                        content,
                        message,
                        source_commit_id: None,
                        source_branch: None,
                    };
                    writer.edit_file(&edit).request
                }
            })
            .await;
        assert!(
            response.is_success(),
            "the other client's commit: {} {}",
            response.status,
            String::from_utf8_lossy(&response.body)
        );
    }

    /// Checks that the tip of `feature/login` holds exactly `project`'s files under the root (Data Center
    /// may keep files of removed artifacts in git: then only the manifest's files are compared, and the
    /// others must be `kept`).
    fn assert_published(&self, project: &Project, kept: &[String]) {
        let expected = files_of(project);
        let mut tree = self.tree();
        // The manifest names the folder's origin, which the local one cannot know.
        let mut manifest = self.manifest();
        assert!(manifest.origin_commit().is_some(), "{:?}", manifest.origin);
        manifest.origin = None;
        let written = manifest.tree();
        tree.insert(manifest_path(), written.root.clone());
        // Data Center's REST API cannot delete: the parts of earlier manifests stay in git.
        if self.product == Product::DataCenter {
            let named: BTreeSet<&str> = written.names().collect();
            tree.retain(|path, _| {
                let relative = path.strip_prefix(&format!("{ROOT}/")).unwrap_or(path);
                part_name(relative).is_none_or(|name| named.contains(name))
            });
        }
        for path in kept {
            assert!(tree.remove(path).is_some(), "{path} stays in git");
        }
        assert_eq!(
            tree.keys().collect::<Vec<_>>(),
            expected.keys().collect::<Vec<_>>(),
            "the paths under {ROOT}"
        );
        assert!(tree == expected, "the contents under {ROOT}");
    }

    /// Checks that the commits of `feature/login` form one chain from `main`, none of them empty, and that
    /// no file is given the same content twice.
    fn assert_no_duplicate_commit(&self) {
        let mut written = BTreeSet::new();
        let mut parent = self.tip(MAIN);
        for commit in self.commits() {
            let info = self.sandbox.commit(self.product, &commit);
            assert_eq!(info.parents, vec![parent.clone()], "a chain of commits");
            let touched = self.touched(&commit);
            assert!(!touched.is_empty(), "commit {commit} changes nothing");
            let files = self.sandbox.files_at(self.product, &commit, ROOT);
            for path in touched {
                let content = files.get(&path).cloned();
                assert!(
                    written.insert((path.clone(), content)),
                    "{path} is written twice with the same content"
                );
            }
            parent = commit;
        }
    }
}

on_both!(
    first_push_lands_exactly_the_local_files,
    a_second_push_without_change_makes_no_commit,
    an_edited_test_case_touches_only_its_file_and_the_manifest,
    a_deletion_and_a_rename,
    another_client_pushing_in_between_stops_the_push,
    refusals_and_server_errors_are_retried,
    a_lost_answer_after_the_commit_landed_makes_no_duplicate,
    a_request_resent_by_the_browser_after_the_commit_landed_is_not_a_conflict,
    a_request_that_never_arrived_is_sent_again,
    a_quality_engineer_may_push_to_a_feature_branch_only,
    a_version_is_tagged_once,
    a_new_branch_whose_name_is_taken_is_refused_and_left_alone,
    bitbucket_refusals_are_reported_with_their_reason,
    a_large_change_becomes_a_chain_of_commits,
    a_cancelled_push_is_completed_by_the_next_one,
    another_project_on_the_branch_is_refused,
    a_push_from_an_outdated_copy_keeps_a_teammates_change,
    an_artifact_changed_on_both_sides_stops_the_push,
    a_branch_this_copy_never_synced_with_is_not_overwritten,
    a_push_onto_a_manifest_of_layout_one_writes_the_tree,
);

/// A branch written by the release before the manifest tree (one `.manifest.json` listing every file),
/// last synced by this copy: the next push writes every part and a root naming them, and the branch
/// then holds exactly what this release writes.
async fn a_push_onto_a_manifest_of_layout_one_writes_the_tree(product: Product) {
    let repo = Repo::new(product);
    let mut project = demo();
    let mut files = files_of(&project);
    let mut manifest = manifest_in(&files, &LayoutOptions::default())
        .unwrap()
        .unwrap();
    manifest.origin = Some(repo.tip(MAIN));
    files.retain(|path, _| !path.contains("/.manifest/"));
    files.insert(manifest_path(), support::flat(&manifest));
    let tip = repo.sandbox.seed(product, BRANCH, MAIN, files);
    manifest.schema_version = 1;
    let base = SyncBase {
        branch: BRANCH.to_owned(),
        commit: tip,
        manifest,
    };
    let case = first_test_case(&project);
    project
        .set_description(&case, "Edited after the upgrade")
        .unwrap();
    let push = PushRequest {
        base: Some(base),
        ..request(BRANCH)
    };
    let outcome = repo.push(push, &project).await.expect("pushed");
    let parts = files_of(&project)
        .keys()
        .filter(|p| p.contains("/.manifest/"))
        .count();
    // The edited file, every part and the root.
    assert_eq!(outcome.written, 1 + parts + 1);
    repo.assert_published(&project, &[]);
    assert_eq!(repo.manifest().schema_version, SCHEMA_VERSION);
}

/// The first test case of a project.
fn first_test_case(project: &Project) -> ArtifactId {
    project.test_cases().next().expect("a test case").id.clone()
}

/// The path of an artifact's file in a project.
fn path_of(project: &Project, id: &ArtifactId) -> String {
    LocalFiles::of(project)
        .manifest
        .files
        .iter()
        .find(|entry| entry.id == *id)
        .map(|entry| entry.path.to_string())
        .expect("the artifact has a file")
}

async fn first_push_lands_exactly_the_local_files(product: Product) {
    let repo = Repo::new(product);
    let main_before = repo.tip(MAIN);
    let project = demo();
    let outcome = repo.first_push(&project).await;
    repo.assert_published(&project, &[]);
    assert!(outcome.branch_created && !outcome.nothing_to_push);
    assert_eq!(outcome.base.commit, repo.tip(BRANCH));
    assert_eq!(outcome.commits, repo.commits());
    assert_eq!(outcome.base.manifest, repo.manifest());
    assert_eq!(
        repo.manifest().origin,
        Some(main_before.clone()),
        "the branch's start"
    );
    assert_eq!(outcome.written, files_of(&project).len());
    assert_eq!(repo.tip(MAIN), main_before, "main is untouched");
    repo.assert_no_duplicate_commit();
}

async fn a_second_push_without_change_makes_no_commit(product: Product) {
    let repo = Repo::new(product);
    let project = demo();
    let first = repo.first_push(&project).await;
    let tip = repo.tip(BRANCH);

    let mut driver = repo.driver();
    let with_base = after(&first);
    let plan = repo.plan(&mut driver, with_base, &project).await;
    assert!(plan.requests <= 2, "{} requests to plan", plan.requests);
    assert!(driver.sent.len() <= 2, "{:?}", driver.sent);
    let outcome = repo.send_with(&mut driver, repo.api(), plan).await.unwrap();
    assert!(outcome.nothing_to_push && outcome.commits.is_empty());
    assert_eq!(outcome.base, first.base);
    assert!(
        driver.sent.iter().all(|sent| sent.method == Method::Get),
        "nothing written: {:?}",
        driver.sent
    );

    // Without a base the manifest is read: still nothing to push.
    let outcome = repo.push(request(BRANCH), &project).await.unwrap();
    assert!(outcome.nothing_to_push && outcome.commits.is_empty());
    assert_eq!(repo.tip(BRANCH), tip, "no commit");
}

async fn an_edited_test_case_touches_only_its_file_and_the_manifest(product: Product) {
    let repo = Repo::new(product);
    let mut project = demo();
    let first = repo.first_push(&project).await;
    let case = first_test_case(&project);
    project
        .set_description(&case, "Checks the login with a saved card.")
        .unwrap();

    // Local files written while the branch is read plan the same as local files given.
    let written = project.clone();
    let mut deferred =
        PushPlanner::deferring_local(repo.api(), after(&first), move || LocalFiles::of(&written))
            .unwrap();
    let deferred = repo.driver().run(&mut deferred).await.unwrap().unwrap();

    let mut driver = repo.driver();
    let push = after(&first);
    let plan = repo.plan(&mut driver, push, &project).await;
    assert_eq!(deferred.changes, plan.changes);
    assert_eq!(deferred.local.manifest, plan.local.manifest);
    let parts: Vec<String> = plan
        .changes
        .manifest_parts
        .iter()
        .map(|p| p.0.clone())
        .collect();
    let removed = plan.changes.manifest_removed.clone();
    assert_eq!((parts.len(), removed.len()), (1, 1), "one part replaced");
    let outcome = repo.send_with(&mut driver, repo.api(), plan).await.unwrap();
    repo.assert_published(&project, &[]);
    let new_commits = &repo.commits()[first.commits.len()..];
    assert_eq!(outcome.commits, new_commits);
    // The file, the manifest's root and the part that lists the file (its new version, and the old one
    // deleted on Cloud).
    let expected = vec![path_of(&project, &case), parts[0].clone(), manifest_path()];
    match product {
        Product::Cloud => {
            assert_eq!(outcome.commits.len(), 1);
            let mut expected = expected;
            expected.extend(removed);
            expected.sort();
            assert_eq!(repo.touched(&outcome.commits[0]), expected);
            assert!(outcome.requests <= 3, "{} requests", outcome.requests);
            assert!(driver.sent.len() <= 3, "{:?}", driver.sent);
        }
        Product::DataCenter => {
            let touched: Vec<Vec<String>> =
                outcome.commits.iter().map(|c| repo.touched(c)).collect();
            assert_eq!(
                touched,
                expected.iter().map(|p| vec![p.clone()]).collect::<Vec<_>>()
            );
        }
    }
    assert_eq!(outcome.written, 3, "the file, a part and the root");
    repo.assert_no_duplicate_commit();
}

async fn a_deletion_and_a_rename(product: Product) {
    let repo = Repo::new(product);
    let mut project = demo();
    let first = repo.first_push(&project).await;
    let cases: Vec<ArtifactId> = project.test_cases().map(|c| c.id.clone()).collect();
    let (deleted, renamed) = (cases[0].clone(), cases[1].clone());
    let old_paths = vec![path_of(&project, &deleted), path_of(&project, &renamed)];
    project.delete(&deleted).unwrap();
    project.rename(&renamed, "Pay with a gift card").unwrap();
    let new_path = path_of(&project, &renamed);
    assert!(!old_paths.contains(&new_path), "the rename moves the file");

    let push = after(&first);
    let outcome = repo.push(push, &project).await.unwrap();
    assert_eq!(
        repo.manifest().files,
        LocalFiles::of(&project).manifest.files
    );
    assert_eq!(
        repo.manifest().origin,
        first.base.manifest.origin,
        "passed on"
    );
    match product {
        Product::Cloud => {
            repo.assert_published(&project, &[]);
            assert_eq!((outcome.deleted, outcome.kept_in_git), (2, 0));
        }
        Product::DataCenter => {
            // No delete in Data Center's REST API: the files stay in git, the manifest drops them.
            repo.assert_published(&project, &old_paths);
            assert_eq!((outcome.deleted, outcome.kept_in_git), (0, 2));
        }
    }
    repo.assert_no_duplicate_commit();
}

async fn another_client_pushing_in_between_stops_the_push(product: Product) {
    let repo = Repo::new(product);
    let mut project = demo();
    let first = repo.first_push(&project).await;
    let published = repo.tree();
    let case = first_test_case(&project);
    project.rename(&case, "Log in with a passkey").unwrap();

    let mut driver = repo.driver();
    let push = after(&first);
    let plan = repo.plan(&mut driver, push, &project).await;
    let other = "docs/from-another-client.md";
    repo.other_client_commits(BRANCH, other).await;
    let result = repo.send_with(&mut driver, repo.api(), plan).await;
    assert_eq!(
        result,
        Err(SyncError::BranchMoved {
            branch: BRANCH.to_owned()
        })
    );
    let tip = repo.tip(BRANCH);
    assert!(
        !repo.sandbox.files_at(product, &tip, "docs").is_empty(),
        "the other client's file is still there"
    );
    assert_eq!(
        repo.tree().get(&manifest_path()),
        published.get(&manifest_path()),
        "nothing is published over the other client's change"
    );
}

/// Server errors and (on Data Center, whose limiter asks to wait seconds) 429s are asked again; Cloud's
/// 429 is its hourly limit, which seconds do not lift (see the next test).
async fn refusals_and_server_errors_are_retried(product: Product) {
    let repo = Repo::new(product);
    let project = demo();
    let mut driver = repo.driver();
    let refused = match product {
        Product::Cloud => 503,
        Product::DataCenter => 429,
    };
    repo.sandbox.fail_next(&[refused, 503]);
    let plan = repo.plan(&mut driver, new_branch(), &project).await;
    repo.sandbox.fail_next(&[refused, 503, refused]);
    let outcome = repo.send_with(&mut driver, repo.api(), plan).await.unwrap();
    let failed = driver
        .sent
        .iter()
        .filter(|s| matches!(s.status, Some(429 | 503)))
        .count();
    assert_eq!(failed, 5, "{:?}", driver.sent);
    repo.assert_published(&project, &[]);
    assert_eq!(outcome.commits, repo.commits());
    repo.assert_no_duplicate_commit();
}

#[tokio::test]
async fn cloud_hourly_limit_ends_the_push_at_once_and_publishes_nothing() {
    let repo = Repo::new(Product::Cloud);
    let project = demo();
    let mut driver = repo.driver();
    let plan = repo.plan(&mut driver, new_branch(), &project).await;
    let before = driver.sent.len();
    repo.sandbox.fail_next(&[429]);
    let error = repo
        .send_with(&mut driver, repo.api(), plan)
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            SyncError::Api(ApiError::HourlyLimit { needed: None, .. })
        ),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("hourly request limit"),
        "{error}"
    );
    let statuses: Vec<_> = driver.sent[before..].iter().map(|s| s.status).collect();
    assert_eq!(statuses, [Some(429)], "not asked again");
    assert_eq!(
        repo.sandbox.tip(Product::Cloud, BRANCH),
        None,
        "nothing published"
    );
}

/// Pushes the demo project to a new branch with a transport fault on the write requests.
async fn push_with_fault(product: Product, fault: Fault) {
    let repo = Repo::new(product);
    let project = demo();
    let mut driver = repo.driver().inject(fault);
    let plan = repo.plan(&mut driver, new_branch(), &project).await;
    let planned_writes = match product {
        Product::Cloud => 1,
        Product::DataCenter => plan.changes.total_files(),
    };
    let outcome = repo.send_with(&mut driver, repo.api(), plan).await.unwrap();
    repo.assert_published(&project, &[]);
    assert_eq!(outcome.commits, repo.commits());
    assert_eq!(
        outcome.commits.len(),
        planned_writes,
        "one commit per write"
    );
    assert_eq!(outcome.base.commit, repo.tip(BRANCH));
    repo.assert_no_duplicate_commit();
}

async fn a_lost_answer_after_the_commit_landed_makes_no_duplicate(product: Product) {
    push_with_fault(product, Fault::AnswerLost { nth: 1 }).await;
    if product == Product::DataCenter {
        push_with_fault(product, Fault::AnswerLost { nth: 3 }).await;
    }
}

async fn a_request_resent_by_the_browser_after_the_commit_landed_is_not_a_conflict(
    product: Product,
) {
    push_with_fault(product, Fault::Resent { nth: 1 }).await;
    if product == Product::DataCenter {
        push_with_fault(product, Fault::Resent { nth: 3 }).await;
    }
}

async fn a_request_that_never_arrived_is_sent_again(product: Product) {
    push_with_fault(product, Fault::NeverArrived { nth: 1 }).await;
    if product == Product::DataCenter {
        push_with_fault(product, Fault::NeverArrived { nth: 3 }).await;
    }
}

async fn a_quality_engineer_may_push_to_a_feature_branch_only(product: Product) {
    let repo = Repo::new(product);
    let project = demo();
    let engineer = |branch: &str| PushRequest {
        roles: vec![Role::QualityEngineer],
        ..request(branch)
    };
    let main_before = repo.tip(MAIN);
    let mut driver = repo.driver();
    // The main branch is read from the repository: a stored name that is stale (a rename from
    // `master`) or missing does not let a Quality Engineer push to it.
    for stored in [Some("master"), None, Some("")] {
        let request = PushRequest {
            main_branch: stored.map(str::to_owned),
            ..engineer(MAIN)
        };
        let refused = repo
            .plan_with(&mut driver, product.api("eve"), request, &project)
            .await;
        assert!(
            matches!(&refused, Err(SyncError::Denied(Denial::EngineersCannotPushToMain { main })) if main == MAIN),
            "{stored:?}: {refused:?}"
        );
    }
    assert_eq!(repo.tip(MAIN), main_before);

    let feature = PushRequest {
        new_branch_from: Some(MAIN.to_owned()),
        main_branch: None,
        ..engineer(BRANCH)
    };
    let mut plan = repo
        .plan_with(&mut driver, product.api("eve"), feature, &project)
        .await
        .unwrap();
    let mut to_main = plan.clone();
    to_main.request.branch = MAIN.to_owned();
    to_main.request.new_branch_from = None;
    assert!(matches!(
        {
            let confirmation = support::as_planned(&to_main);
            PushSender::new(product.api("eve"), to_main, &confirmation)
        },
        Err(SyncError::Denied(_))
    ));
    assert!(plan.main_branch_read);
    // Planned by a Quality Lead, who need not know the main branch, then pressed by the same user
    // demoted to Quality Engineer: the roles now need a new preview.
    let lead = repo.plan(&mut driver, request(MAIN), &project).await;
    assert!(!lead.main_branch_read);
    let demoted = PushSender::new(
        product.api("eve"),
        lead,
        &confirmed(&[Role::QualityEngineer], false),
    );
    assert!(
        matches!(demoted, Err(SyncError::RolesChanged)),
        "{demoted:?}"
    );
    plan.request.message = "Eve's first tests".to_owned();
    repo.send_with(&mut driver, product.api("eve"), plan)
        .await
        .unwrap();
    repo.assert_published(&project, &[]);
    assert_eq!(repo.tip(MAIN), main_before, "main is untouched");
}

async fn a_new_branch_whose_name_is_taken_is_refused_and_left_alone(product: Product) {
    let repo = Repo::new(product);
    let mut project = demo();
    repo.push(new_branch(), &project).await.unwrap();
    let tip = repo.tip(BRANCH);
    project
        .set_description(&first_test_case(&project), "Another attempt.")
        .unwrap();
    assert_eq!(
        repo.push(new_branch(), &project).await,
        Err(SyncError::BranchExists {
            branch: BRANCH.to_owned()
        })
    );
    assert_eq!(repo.tip(BRANCH), tip, "the existing branch is untouched");
}

async fn a_version_is_tagged_once(product: Product) {
    let repo = Repo::new(product);
    let mut project = demo();
    let first = repo
        .push(
            PushRequest {
                version: Some("v1.0".to_owned()),
                ..new_branch()
            },
            &project,
        )
        .await
        .unwrap();
    assert_eq!(first.tag.as_deref(), Some("v1.0"));
    assert_eq!(first.tag_error, None);
    assert_eq!(repo.sandbox.tag(product, "v1.0"), Some(repo.tip(BRANCH)));

    project
        .set_description(&first_test_case(&project), "Changed after v1.0.")
        .unwrap();
    let again = PushRequest {
        version: Some("v1.0".to_owned()),
        base: Some(first.base.clone()),
        ..request(BRANCH)
    };
    let result = repo.push(again, &project).await;
    assert_eq!(
        result,
        Err(SyncError::VersionExists {
            name: "v1.0".to_owned()
        })
    );
    assert_eq!(repo.tip(BRANCH), first.base.commit, "nothing pushed");
    assert_eq!(repo.sandbox.tag(product, "v1.0"), Some(first.base.commit));
}

async fn bitbucket_refusals_are_reported_with_their_reason(product: Product) {
    let repo = Repo::new(product);
    let project = demo();
    let main_before = repo.tip(MAIN);

    let reader = repo
        .push_as(product.api("rory"), new_branch(), &project)
        .await;
    let Err(SyncError::Api(error)) = &reader else {
        panic!("the read-only user is refused by Bitbucket: {reader:?}");
    };
    let message = error.to_string();
    assert!(
        message.contains("permission") || message.contains("write"),
        "{message}"
    );
    assert_eq!(repo.sandbox.tip(product, BRANCH), None, "no branch created");

    let to_main = PushRequest {
        roles: vec![Role::QualityLead],
        ..request(MAIN)
    };
    let engineer = repo.push_as(product.api("eve"), to_main, &project).await;
    let Err(SyncError::Api(error)) = &engineer else {
        panic!("the branch restriction refuses eve: {engineer:?}");
    };
    let message = error.to_string();
    assert!(message.contains("main"), "{message}");
    assert_eq!(repo.tip(MAIN), main_before, "main is untouched");
}

async fn a_large_change_becomes_a_chain_of_commits(product: Product) {
    let repo = Repo::new(product);
    let project = demo();
    let parameters = ScmParameters {
        scm_files_per_commit: 10,
        ..ScmParameters::default()
    };
    let push = PushRequest {
        parameters,
        ..new_branch()
    };
    let outcome = repo.push(push, &project).await.unwrap();
    let files = files_of(&project).len();
    let expected_commits = match product {
        Product::Cloud => files.div_ceil(10),
        Product::DataCenter => files,
    };
    assert!(expected_commits > 2);
    assert_eq!(outcome.commits.len(), expected_commits);
    assert_eq!(outcome.commits, repo.commits());
    let (last, earlier) = outcome.commits.split_last().unwrap();
    assert!(repo.touched(last).contains(&manifest_path()));
    for commit in earlier {
        let touched = repo.touched(commit);
        assert!(
            !touched.contains(&manifest_path()),
            "manifest before the end"
        );
        assert!(touched.len() <= 10);
    }
    repo.assert_published(&project, &[]);
    repo.assert_no_duplicate_commit();
}

async fn a_cancelled_push_is_completed_by_the_next_one(product: Product) {
    let repo = Repo::new(product);
    let project = demo();
    let parameters = ScmParameters {
        scm_files_per_commit: 10,
        ..ScmParameters::default()
    };
    let stop_after = match product {
        Product::Cloud => 1,
        Product::DataCenter => 4,
    };
    let push = PushRequest {
        parameters,
        ..new_branch()
    };
    let mut driver = repo.driver().stop_after_writes(stop_after);
    let plan = repo.plan(&mut driver, push, &project).await;
    let mut sender = {
        let confirmation = support::as_planned(&plan);
        PushSender::new(repo.api(), plan, &confirmation)
    }
    .unwrap();
    assert!(driver.run(&mut sender).await.is_none(), "stopped");
    drop(sender);
    assert_eq!(repo.commits().len(), stop_after);
    assert!(!repo.tree().contains_key(&manifest_path()), "not published");

    let again = PushRequest {
        parameters,
        ..request(BRANCH)
    };
    let outcome = repo.push(again, &project).await.unwrap();
    repo.assert_published(&project, &[]);
    assert_eq!(outcome.base.commit, repo.tip(BRANCH));
    // What the cancelled push wrote counts as written: the plan leaves it out (it is read and found
    // equal), so Data Center is not even asked to write it again.
    let (already, unchanged) = match product {
        Product::Cloud => (10, 0),
        Product::DataCenter => (stop_after, 0),
    };
    assert_eq!(outcome.written, files_of(&project).len() - already);
    assert_eq!(outcome.unchanged, unchanged);
    repo.assert_no_duplicate_commit();
}

async fn another_project_on_the_branch_is_refused(product: Product) {
    let repo = Repo::new(product);
    let first = repo.first_push(&demo()).await;
    let other = demo_projects().remove(1);
    let refused = repo.push(after(&first), &other).await;
    assert!(
        matches!(&refused, Err(SyncError::OtherProject { project, .. }) if *project == demo().id),
        "{refused:?}"
    );
    assert_eq!(repo.tip(BRANCH), first.base.commit, "nothing was pushed");
    repo.assert_published(&demo(), &[]);
}

/// The demo project with the description of its `n`th test case set to `text`.
fn described(project: &Project, n: usize, text: &str) -> Project {
    let mut project = project.clone();
    let id = project.test_cases().nth(n).expect("a test case").id.clone();
    project.set_description(&id, text).unwrap();
    project
}

/// Pressing Push with `roles`, choosing to overwrite or not.
fn confirmed(roles: &[Role], overwrite: bool) -> Confirmation {
    Confirmation {
        roles: roles.to_vec(),
        overwrite,
    }
}

/// Why a Quality Lead's Push of `plan`, without choosing to overwrite, is refused before anything is sent.
fn refused_without_overwrite(repo: &Repo, plan: &Rc<PushPlan>) -> SyncError {
    PushSender::new(
        repo.api(),
        plan.clone(),
        &confirmed(&[Role::QualityLead], false),
    )
    .expect_err("refused")
}

/// A Quality Lead's Push of `plan`, choosing to overwrite its conflicts.
async fn overwrite_as_lead(repo: &Repo, driver: &mut Driver<'_>, plan: Rc<PushPlan>) {
    let mut sender =
        PushSender::new(repo.api(), plan, &confirmed(&[Role::QualityLead], true)).unwrap();
    driver.run(&mut sender).await.unwrap().unwrap();
}

async fn a_push_from_an_outdated_copy_keeps_a_teammates_change(product: Product) {
    let repo = Repo::new(product);
    let first = repo.first_push(&demo()).await;
    // A teammate edits the first test case and pushes.
    let theirs = described(&demo(), 0, "Edited by a teammate");
    repo.push(after(&first), &theirs).await.unwrap();
    // This copy, last synced at the first push, edits the second one.
    let mine = described(&demo(), 1, "Edited here");
    let mut driver = repo.driver();
    let plan = repo.plan(&mut driver, after(&first), &mine).await;
    let ids = |changes: &[versioning_core::sync::BranchChange]| -> Vec<ArtifactId> {
        changes.iter().map(|c| c.artifact.clone()).collect()
    };
    assert_eq!(
        ids(&plan.changes.branch_changes),
        vec![first_test_case(&demo())]
    );
    assert!(plan.changes.conflicts.is_empty() && !plan.never_synced);
    let written: Vec<&ArtifactId> = plan.changes.writes().map(|c| &c.artifact).collect();
    let second = demo().test_cases().nth(1).unwrap().id.clone();
    assert_eq!(written, vec![&second], "only this copy's change is written");
    repo.send_with(&mut driver, repo.api(), plan).await.unwrap();
    // Both edits are on the branch.
    repo.assert_published(&described(&theirs, 1, "Edited here"), &[]);
}

async fn an_artifact_changed_on_both_sides_stops_the_push(product: Product) {
    let repo = Repo::new(product);
    let first = repo.first_push(&demo()).await;
    let theirs = described(&demo(), 0, "Edited by a teammate");
    let pushed = repo.push(after(&first), &theirs).await.unwrap();
    let mine = described(&demo(), 0, "Edited here");
    let mut driver = repo.driver();
    let plan = Rc::new(repo.plan(&mut driver, after(&first), &mine).await);
    let conflicts: Vec<&ArtifactId> = plan.changes.conflicts.iter().map(|c| &c.artifact).collect();
    assert_eq!(conflicts, vec![&first_test_case(&demo())]);
    // Push without choosing to overwrite: refused before anything is sent.
    let refused = refused_without_overwrite(&repo, &plan);
    assert!(
        matches!(
            &refused,
            SyncError::ConflictsOnBranch {
                count: 1,
                never_synced: false,
                ..
            }
        ),
        "{refused:?}"
    );
    // A Quality Engineer may not overwrite a teammate's change.
    let as_engineer = PushRequest {
        roles: vec![Role::QualityEngineer],
        ..after(&first)
    };
    let engineers = repo
        .plan_with(&mut driver, repo.product.api("eve"), as_engineer, &mine)
        .await
        .unwrap();
    let engineer = PushSender::new(
        repo.product.api("eve"),
        engineers,
        &confirmed(&[Role::QualityEngineer], true),
    );
    assert!(
        matches!(
            &engineer,
            Err(SyncError::Denied(Denial::EngineersCannotOverwrite))
        ),
        "{engineer:?}"
    );
    assert_eq!(repo.tip(BRANCH), pushed.base.commit, "nothing was sent");
    // A Quality Lead who chooses to overwrite publishes this copy's version.
    overwrite_as_lead(&repo, &mut driver, plan).await;
    repo.assert_published(&mine, &[]);
}

async fn a_branch_this_copy_never_synced_with_is_not_overwritten(product: Product) {
    let repo = Repo::new(product);
    let theirs = described(&demo(), 0, "Edited by a teammate");
    let pushed = repo.first_push(&theirs).await;
    // This copy never pulled the branch, and edited another test case.
    let mine = described(&demo(), 1, "Edited here");
    let mut driver = repo.driver();
    let plan = Rc::new(repo.plan(&mut driver, request(BRANCH), &mine).await);
    assert!(plan.never_synced);
    let conflicts: BTreeSet<&ArtifactId> =
        plan.changes.conflicts.iter().map(|c| &c.artifact).collect();
    let second = demo().test_cases().nth(1).unwrap().id.clone();
    assert_eq!(
        conflicts,
        BTreeSet::from([&first_test_case(&demo()), &second])
    );
    let refused = refused_without_overwrite(&repo, &plan);
    assert!(
        matches!(
            &refused,
            SyncError::ConflictsOnBranch {
                count: 2,
                never_synced: true,
                ..
            }
        ),
        "{refused:?}"
    );
    assert_eq!(repo.tip(BRANCH), pushed.base.commit);
    // Replacing, chosen explicitly, makes the branch this copy.
    overwrite_as_lead(&repo, &mut driver, plan).await;
    repo.assert_published(&mine, &[]);
}

/// Data Center: a push cut after some of its per-file commits leaves files the manifest does not name
/// yet; pushed again from the same base, those holding the local content count as written.
#[tokio::test]
async fn a_data_center_push_cut_short_is_completed_without_writing_its_files_again() {
    let repo = Repo::new(Product::DataCenter);
    let first = repo.first_push(&demo()).await;
    let mut project = demo();
    let ids: Vec<ArtifactId> = project.test_cases().map(|t| t.id.clone()).collect();
    for id in &ids[..5] {
        project.set_description(id, "Edited before a cut").unwrap();
    }
    let mut driver = repo.driver().stop_after_writes(2);
    let plan = repo.plan(&mut driver, after(&first), &project).await;
    assert_eq!(
        plan.changes.total_files(),
        5 + plan.changes.manifest_writes().count(),
        "five test cases and the manifest's files"
    );
    let mut sender = {
        let confirmation = support::as_planned(&plan);
        PushSender::new(repo.api(), plan, &confirmation)
    }
    .unwrap();
    assert!(driver.run(&mut sender).await.is_none(), "stopped");
    drop(sender);

    let mut driver = repo.driver();
    let plan = repo.plan(&mut driver, after(&first), &project).await;
    let manifest_files = plan.changes.manifest_writes().count();
    assert_eq!(
        plan.changes.total_files(),
        3 + manifest_files,
        "the three test cases left and the manifest's files"
    );
    let outcome = repo.send_with(&mut driver, repo.api(), plan).await.unwrap();
    assert_eq!(
        (outcome.written, outcome.unchanged),
        (3 + manifest_files, 0)
    );
    repo.assert_published(&project, &[]);
    repo.assert_no_duplicate_commit();
}

/// Cloud: a chain publishes early only new paths, so every commit of it reads as the old version or the
/// new one. (Data Center's REST API commits one file at a time: each edit is a commit of its own.)
#[tokio::test]
async fn every_commit_of_a_cloud_chain_reads_as_the_old_or_the_new_version() {
    let repo = Repo::new(Product::Cloud);
    let first = repo.first_push(&demo()).await;
    // Edits of every test case and new ones, in commits of at most 3 files.
    let mut project = demo();
    let ids: Vec<ArtifactId> = project.test_cases().map(|t| t.id.clone()).collect();
    for id in &ids {
        project.set_description(id, "Edited in a chain").unwrap();
    }
    let scenario = project.scenarios().next().unwrap().id.clone();
    for n in 0..5 {
        project
            .add_test_case(&scenario, &format!("New case {n}"))
            .unwrap();
    }
    let push = PushRequest {
        parameters: ScmParameters {
            scm_files_per_commit: 3,
            ..ScmParameters::default()
        },
        ..after(&first)
    };
    repo.push(push, &project).await.unwrap();
    repo.assert_published(&project, &[]);
    let commits = repo.commits();
    let start = commits
        .iter()
        .position(|c| *c == first.base.commit)
        .unwrap()
        + 1;
    assert!(commits.len() - start > 2, "a chain");
    // At every commit of the chain, each file the manifest there lists holds the content it names.
    for commit in &commits[start..] {
        let files = repo.sandbox.files_at(repo.product, commit, ROOT);
        let manifest = manifest_in(&files, &LayoutOptions::default())
            .unwrap()
            .unwrap();
        for entry in manifest.files.iter() {
            let content = files.get(&*entry.path).expect("a listed file is there");
            assert_eq!(
                versioning_core::artifacts::sha256_hex(content),
                *entry.sha256,
                "{} at {commit}",
                entry.path
            );
        }
    }
}

/// Both readings of a Data Center file edit naming an existing branch with another `sourceBranch`.
const SOURCE_BRANCH_READINGS: [SourceBranchOnExisting; 2] = [
    SourceBranchOnExisting::Commit,
    SourceBranchOnExisting::Refuse,
];

#[tokio::test]
async fn a_data_center_branch_made_after_the_preview_stops_the_push_before_any_write() {
    for reading in SOURCE_BRANCH_READINGS {
        let repo = Repo::data_center(|config| {
            config.datacenter.readings.source_branch_on_existing = reading;
        });
        let mut driver = repo.driver();
        let plan = repo.plan(&mut driver, new_branch(), &demo()).await;
        // Someone else makes the branch between the preview and Push.
        let files = BTreeMap::from([("notes.txt".to_owned(), b"Someone else's.\n".to_vec())]);
        let theirs = repo.sandbox.seed(Product::DataCenter, BRANCH, MAIN, files);
        let result = repo.send_with(&mut driver, repo.api(), plan).await;
        let branch = BRANCH.to_owned();
        assert_eq!(
            result,
            Err(SyncError::BranchExists { branch }),
            "{reading:?}"
        );
        let message = result.unwrap_err().to_string();
        assert!(
            message.contains("`feature/login` exists already"),
            "{message}"
        );
        assert_eq!(
            repo.tip(BRANCH),
            theirs,
            "{reading:?}: their branch is untouched"
        );
    }
}

#[tokio::test]
async fn a_data_center_new_branch_whose_name_is_taken_is_left_alone_under_either_reading() {
    for reading in SOURCE_BRANCH_READINGS {
        let repo = Repo::data_center(|config| {
            config.datacenter.readings.source_branch_on_existing = reading;
        });
        let files = BTreeMap::from([("notes.txt".to_owned(), b"Someone else's.\n".to_vec())]);
        let theirs = repo.sandbox.seed(Product::DataCenter, BRANCH, MAIN, files);
        let result = repo.push(new_branch(), &demo()).await;
        let branch = BRANCH.to_owned();
        assert_eq!(
            result,
            Err(SyncError::BranchExists { branch }),
            "{reading:?}"
        );
        assert_eq!(
            repo.tip(BRANCH),
            theirs,
            "{reading:?}: their branch is untouched"
        );
    }
}

/// A push of the demo project to a new Data Center branch, refused as `error`, with nothing written;
/// answers the message the push ends with.
async fn refused_data_center_push(repo: &Repo, error: ApiError) -> String {
    let main = repo.tip(MAIN);
    let result = repo.push(new_branch(), &demo()).await;
    assert_eq!(result, Err(SyncError::Api(error)));
    assert_eq!(
        repo.sandbox.tip(Product::DataCenter, BRANCH),
        None,
        "nothing written"
    );
    assert_eq!(repo.tip(MAIN), main);
    result.unwrap_err().to_string()
}

#[tokio::test]
async fn data_center_file_editing_turned_off_stops_the_push_naming_the_setting() {
    let repo = Repo::data_center(|config| {
        config.datacenter.properties.file_editor = FileEditor::Disabled;
    });
    let message = refused_data_center_push(&repo, ApiError::FileEditingOff).await;
    assert!(message.contains("file editing turned off"), "{message}");
    assert!(message.contains("feature.file.editor=true"), "{message}");
}

#[tokio::test]
async fn a_file_over_data_center_upload_limit_stops_the_push_naming_the_setting() {
    let repo = Repo::data_center(|config| {
        config.datacenter.properties.upload_max_bytes = 16;
    });
    let first = LocalFiles::of(&demo())
        .iter()
        .next()
        .map(|(path, _)| path.to_owned())
        .expect("a file");
    let error = ApiError::BodyTooLarge {
        what: format!("The file `{first}` at `{BRANCH}`"),
        limit: BodyLimit::DataCenterUpload,
    };
    let message = refused_data_center_push(&repo, error).await;
    assert!(
        message.contains(&format!("the file `{first}`")),
        "{message}"
    );
    assert!(message.contains("content.upload.max.size"), "{message}");
}
