//! The stored project record on the host: records written before push existed still read, and a push or
//! a pull records its base, the baseline and a History row.
#![cfg(not(target_arch = "wasm32"))]

use bitbucket_versioning::services::project_record::{RecordReadError, StoredForm};
use bitbucket_versioning::services::projects::{repository_key, HistoryEntry, StoredProject};
use versioning_core::artifacts::{demo, manifest, LayoutOptions, Manifest};
use versioning_core::bitbucket::pull_requests::{PullRequest, PullRequestState};
use versioning_core::sync::{AppliedPull, PullCounts, PushOutcome, ScmParameters, SyncBase};

#[test]
fn a_record_from_before_push_reads_with_empty_history_and_default_parameters() {
    let project = demo::demo_projects().remove(0);
    let baseline = manifest(&project, &LayoutOptions::default());
    let old = serde_json::json!({ "project": project, "baseline": baseline });
    let stored: StoredProject = serde_json::from_value(old).expect("old records stay readable");
    assert_eq!(**stored.project, project);
    assert!(stored.bases.is_empty() && stored.history.is_empty());
    assert_eq!(stored.scm, ScmParameters::default());
    assert_eq!(stored.scm.scm_export_worker_count, 20);
}

#[test]
fn a_push_records_the_base_of_its_branch_and_a_history_row() {
    let mut stored = StoredProject::at_baseline(demo::demo_projects().remove(1));
    let repository = repository_key("http://localhost:7990/2.0/", "acme/checkout-tests");
    assert_eq!(repository, "http://localhost:7990/2.0/acme/checkout-tests");
    let pushed = manifest(&demo::demo_projects()[0], &LayoutOptions::default());
    let outcome = |commit: &str, nothing: bool| PushOutcome {
        branch: "feature/login".into(),
        commits: if nothing { vec![] } else { vec![commit.into()] },
        base: SyncBase {
            branch: "feature/login".into(),
            commit: commit.into(),
            manifest: pushed.clone(),
        },
        nothing_to_push: nothing,
        branch_created: false,
        tag: None,
        tag_error: None,
        written: 3,
        deleted: 0,
        kept_in_git: 0,
        unchanged: 0,
        held_back: 0,
        requests: 3,
    };
    let row = history_row("push", &repository);
    stored.record_push(&repository, &outcome("abc", false), row.clone());
    stored.record_push(&repository, &outcome("def", false), row.clone());
    stored.record_push(&repository, &outcome("def", true), row);
    assert_eq!(stored.bases.len(), 1, "one base per repository and branch");
    assert_eq!(
        stored.base(&repository, "feature/login").map(|b| b.commit),
        Some("def".to_owned())
    );
    assert_eq!(stored.base(&repository, "main"), None);
    assert_eq!(stored.baseline(), &pushed);
    assert_eq!(
        stored.history.len(),
        2,
        "a push that changed nothing adds no row"
    );
}

/// A History row of `action` on `feature/login` of `repository`.
fn history_row(action: &str, repository: &str) -> HistoryEntry {
    HistoryEntry {
        action: action.into(),
        user: "Lee Lead".into(),
        at: "2026-11-30T12:00:00Z".into(),
        repository: repository.to_owned(),
        branch: "feature/login".into(),
        commits: vec!["abc".into()],
        version: None,
        written: 3,
        removed: 0,
        pull_request: None,
    }
}

#[test]
fn a_pull_replaces_the_project_and_records_its_base_keeping_the_rest_of_the_record() {
    let repository = repository_key("http://localhost:7990/2.0/", "acme/checkout-tests");
    let [pulled, local] = [0, 1].map(|i| demo::demo_projects().remove(i));
    let remote = manifest(&pulled, &LayoutOptions::default());
    let applied = || AppliedPull {
        project: pulled.clone().into(),
        base: SyncBase {
            branch: "main".into(),
            commit: "abc".into(),
            manifest: remote.clone(),
        },
        counts: PullCounts::default(),
        skipped: Vec::new(),
    };
    let mut previous = StoredProject::at_baseline(local);
    previous.scm.scm_export_worker_count = 7;
    previous.revision = 4;
    previous.history.push(history_row("push", &repository));

    let record = StoredProject::pulled(
        Some(&previous),
        &repository,
        applied(),
        history_row("pull", &repository),
    );
    assert_eq!(**record.project, pulled);
    assert_eq!(record.baseline(), &remote);
    assert_eq!(
        record.base(&repository, "main").map(|b| b.commit),
        Some("abc".into())
    );
    assert_eq!(
        record
            .history
            .iter()
            .map(|h| h.action.as_str())
            .collect::<Vec<_>>(),
        ["push", "pull"]
    );
    assert_eq!(
        (record.scm, record.revision),
        (previous.scm, 4),
        "saved over the revision it was read at"
    );

    let restored = StoredProject::pulled(
        None,
        &repository,
        applied(),
        history_row("restore", &repository),
    );
    assert_eq!(**restored.project, pulled);
    assert_eq!(
        (restored.revision, restored.history.len()),
        (0, 1),
        "a new project"
    );
    assert_eq!(restored.scm, ScmParameters::default());
}

#[test]
fn the_record_a_store_writes_is_the_project_at_the_revision_it_stores() {
    let mut stored = StoredProject::at_baseline(demo::demo_projects().remove(1));
    stored.revision = 4;
    let written = serde_json::to_value(stored.record_at(5)).expect("written");
    let read: StoredProject = serde_json::from_value(written).expect("read back");
    stored.revision = 5;
    assert_eq!(read, stored);
}

/// A push outcome on `branch` at `commit` with `manifest` as the branch's manifest.
fn pushed_to(branch: &str, commit: &str, manifest: &Manifest) -> PushOutcome {
    PushOutcome {
        branch: branch.into(),
        commits: vec![commit.into()],
        base: SyncBase {
            branch: branch.into(),
            commit: commit.into(),
            manifest: manifest.clone(),
        },
        nothing_to_push: false,
        branch_created: true,
        tag: None,
        tag_error: None,
        written: 1,
        deleted: 0,
        kept_in_git: 0,
        unchanged: 0,
        held_back: 0,
        requests: 3,
    }
}

#[test]
fn bases_of_many_branches_read_back_exactly_while_the_record_keeps_one_whole_manifest() {
    let repository = repository_key("http://localhost:7990/2.0/", "acme/checkout-tests");
    let mut project = demo::demo_projects().remove(0);
    let mut stored = StoredProject::at_baseline(project.clone());
    let first = manifest(&project, &LayoutOptions::default());
    let case = project.test_cases().next().unwrap().id.clone();
    project.rename(&case, "A better name").unwrap();
    let renamed = manifest(&project, &LayoutOptions::default());
    let pushes = [
        ("feature/a", "a1", &first),
        ("feature/b", "b1", &renamed),
        ("feature/c", "c1", &first),
        ("feature/a", "a2", &renamed),
    ];
    for (branch, commit, manifest) in pushes {
        stored.record_push(
            &repository,
            &pushed_to(branch, commit, manifest),
            history_row("push", &repository),
        );
    }
    let written = serde_json::to_value(stored.record_at(1)).expect("written");
    let read: StoredProject = serde_json::from_value(written.clone()).expect("read back");
    for record in [&stored, &read] {
        for (branch, commit, manifest) in [
            ("feature/a", "a2", &renamed),
            ("feature/b", "b1", &renamed),
            ("feature/c", "c1", &first),
        ] {
            let base = record.base(&repository, branch).expect("a base per branch");
            assert_eq!(
                (base.commit.as_str(), &base.manifest),
                (commit, manifest),
                "{branch}"
            );
        }
    }
    assert_eq!(read.bases.len(), 3);
    // The baseline is whole; each base holds only what differs from it (feature/c: the one moved file).
    let hashes = written["bases"].to_string().matches("\"sha256\"").count();
    assert_eq!(hashes, 1, "{}", written["bases"]);
}

#[test]
fn a_record_whose_bases_were_kept_whole_still_reads_and_is_kept_as_changes_once_saved_again() {
    let repository = repository_key("http://localhost:7990/2.0/", "acme/checkout-tests");
    let project = demo::demo_projects().remove(0);
    let baseline = manifest(&project, &LayoutOptions::default());
    let other = manifest(&demo::demo_projects()[1], &LayoutOptions::default());
    let base = |branch: &str, manifest: &Manifest| SyncBase {
        branch: branch.into(),
        commit: format!("{branch}-1"),
        manifest: manifest.clone(),
    };
    let old = serde_json::json!({
        "project": project,
        "baseline": baseline,
        "bases": [
            { "repository": repository, "base": base("main", &baseline) },
            { "repository": repository, "base": base("other", &other) },
        ],
    });
    let mut half = old.clone();
    half["bases"][1] = serde_json::json!({ "repository": repository, "branch": "other" });
    let refused = serde_json::from_value::<StoredProject>(half).expect_err("a base without commit");
    assert!(refused
        .to_string()
        .contains("a synced base needs its branch, commit and manifest"));
    let mut stored: StoredProject = serde_json::from_value(old).expect("old records stay readable");
    assert_eq!(
        stored.base(&repository, "main"),
        Some(base("main", &baseline))
    );
    assert_eq!(
        stored.base(&repository, "other"),
        Some(base("other", &other))
    );

    stored.record_push(
        &repository,
        &pushed_to("main", "main-2", &baseline),
        history_row("push", &repository),
    );
    let written = serde_json::to_value(stored.record_at(1)).unwrap();
    assert!(
        !written["bases"].to_string().contains("\"whole\""),
        "kept as changes"
    );
    let read: StoredProject = serde_json::from_value(written).unwrap();
    assert_eq!(read.base(&repository, "other"), Some(base("other", &other)));
    assert_eq!(
        read.base(&repository, "main").map(|b| b.commit),
        Some("main-2".to_owned())
    );
}

#[test]
fn a_pull_request_is_recorded_on_the_last_push_of_its_branch_and_older_rows_read_without_one() {
    let repository = repository_key("http://localhost:7990/2.0", "acme/checkout-tests");
    let mut older = serde_json::to_value(history_row("push", &repository)).expect("a row");
    older
        .as_object_mut()
        .expect("an object")
        .remove("pull_request");
    let older: HistoryEntry = serde_json::from_value(older).expect("older rows stay readable");
    assert_eq!(older.pull_request, None);
    let mut stored = StoredProject::at_baseline(demo::demo_projects().remove(0));
    stored.history = vec![
        history_row("push", &repository),
        history_row("push", &repository),
        history_row("pull", &repository),
    ];
    let opened = PullRequest {
        id: 7,
        title: "Login tests".into(),
        state: PullRequestState::Open,
        source: "feature/login".into(),
        destination: "main".into(),
        link: Some("http://localhost:7990/acme/checkout-tests/pull-requests/7".into()),
    };
    stored.record_pull_request(opened.clone());
    let recorded: Vec<_> = stored
        .history
        .iter()
        .map(|row| row.pull_request.clone())
        .collect();
    assert_eq!(recorded, vec![None, Some(opened), None]);
}

#[test]
fn a_head_record_holds_all_but_the_artifacts_and_reads_back_with_them() {
    let repository = repository_key("http://localhost:7990/2.0/", "acme/checkout-tests");
    let mut project = demo::demo_projects().remove(0);
    let mut stored = StoredProject::at_baseline(project.clone());
    let case = project.test_cases().next().unwrap().id.clone();
    project.rename(&case, "A better name").unwrap();
    let renamed = manifest(&project, &LayoutOptions::default());
    stored.record_push(
        &repository,
        &pushed_to("feature/a", "a1", &renamed),
        history_row("push", &repository),
    );
    stored.scm.scm_export_worker_count = 7;
    let names: Vec<String> = stored
        .baseline()
        .parts()
        .names()
        .map(str::to_owned)
        .collect();
    let json = serde_json::to_string(&stored.head_at(6, names.clone())).expect("written");
    assert!(
        !json.contains("\"scenarios\"") && !json.contains("\"sha256\""),
        "{json}"
    );
    // The first level of the trees, read without the rest.
    let outline = stored.project.outline();
    assert_eq!(StoredForm::outline(&json), Ok(Some(outline.clone())));
    let StoredForm::Head(head) = StoredForm::read(&json).expect("read") else {
        panic!("a head record reads as a head");
    };
    assert_eq!(head.outline.as_ref(), Some(&outline));
    assert_eq!((head.revision, &head.baseline.parts), (6, &names));
    let read = (*head).with((**stored.project).clone(), stored.baseline().clone());
    stored.revision = 6;
    assert_eq!(read, stored);
}

#[test]
fn a_whole_record_reads_whole_and_a_record_of_a_newer_form_is_refused() {
    let stored = StoredProject::at_baseline(demo::demo_projects().remove(1));
    let whole = serde_json::to_string(&stored.record_at(2)).expect("written");
    let Ok(StoredForm::Whole(read)) = StoredForm::read(&whole) else {
        panic!("a record without a form is whole");
    };
    assert_eq!(read.project, stored.project);
    assert_eq!(StoredForm::outline(&whole), Ok(None), "read whole anyway");
    let earlier_head = r#"{"format":2,"revision":1}"#;
    assert_eq!(
        StoredForm::outline(earlier_head),
        Ok(None),
        "a head from before outlines"
    );
    let newer = StoredForm::read(r#"{"format":3,"anything":true}"#).unwrap_err();
    assert_eq!(newer, RecordReadError::Newer(3));
    assert!(newer.to_string().contains("newer release"), "{newer}");
    assert!(matches!(
        StoredForm::read("not json"),
        Err(RecordReadError::Damaged(_))
    ));
}
