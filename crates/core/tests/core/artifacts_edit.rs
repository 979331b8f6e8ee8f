//! The explorer's edits, the synthetic generator and the demo projects.

use std::time::Instant;

use versioning_core::artifacts::{
    demo, from_files, generate, manifest, to_files, ArtifactId, ArtifactKind, EditError,
    LayoutOptions, Project, ReadLimits, ReviewState, Step, StepField,
};

fn step(keyword: &str) -> Step {
    Step::default().with(StepField::Keyword, keyword)
}

fn keywords(project: &Project, case: &ArtifactId) -> Vec<String> {
    project
        .find_test_case(case)
        .unwrap()
        .steps
        .iter()
        .map(|s| s.keyword().to_owned())
        .collect()
}

#[test]
fn add_rename_delete_and_find() {
    let mut project = Project::new(ArtifactId::new("shop").unwrap(), "Shop");
    let suite = project.add_suite("Cart").unwrap();
    let twin = project.add_suite("Cart").unwrap();
    assert_ne!(suite, twin, "same names get different ids");
    let scenario = project.add_scenario(&suite, "Add items").unwrap();
    let case = project.add_test_case(&scenario, "Add one item").unwrap();
    assert_eq!(project.find_suite(&suite).unwrap().scenarios.len(), 1);
    assert_eq!(
        project.find_scenario(&scenario).unwrap().test_cases[0].id,
        case
    );

    project.rename(&case, "Add exactly one item").unwrap();
    project
        .set_review_state(&case, ReviewState::UnderReview)
        .unwrap();
    project.set_description(&suite, "Cart behaviour").unwrap();
    let found = project.find_test_case(&case).unwrap();
    assert_eq!(
        (found.name.as_str(), found.review_state),
        ("Add exactly one item", ReviewState::UnderReview)
    );
    assert_eq!(
        project.find_suite(&suite).unwrap().description,
        "Cart behaviour"
    );

    assert_eq!(project.rename(&case, "  "), Err(EditError::EmptyName));
    let missing = ArtifactId::new("nothing").unwrap();
    let error = project.add_scenario(&missing, "X").unwrap_err();
    assert_eq!(
        error,
        EditError::NotFound {
            kind: "test suite",
            id: missing.clone()
        }
    );
    assert!(error.to_string().contains("reload the project"));
    assert!(project.add_test_case(&missing, "X").is_err());
    assert!(project.delete(&missing).is_err());

    project.delete(&suite).unwrap();
    assert!(project.find_test_case(&case).is_none() && project.find_scenario(&scenario).is_none());
    assert_eq!(project.artifact_count(), 1);
}

#[test]
fn new_ids_are_deterministic() {
    let build = || {
        let mut project = Project::new(ArtifactId::new("shop").unwrap(), "Shop");
        let suite = project.add_suite("Cart").unwrap();
        project.add_scenario(&suite, "Edit").unwrap();
        project
    };
    assert_eq!(build(), build());
    assert!(build().suites[0]
        .id
        .as_str()
        .starts_with(ArtifactKind::Suite.id_prefix()));
}

#[test]
fn step_edits() {
    let mut project = demo::demo_projects().remove(0);
    let case = project.test_cases().next().unwrap().id.clone();
    let before = keywords(&project, &case);
    let len = before.len();

    project.insert_step(&case, 0, step("First")).unwrap();
    project.insert_step(&case, len + 1, step("Last")).unwrap();
    assert_eq!(
        keywords(&project, &case).first().map(String::as_str),
        Some("First")
    );
    assert_eq!(
        keywords(&project, &case).last().map(String::as_str),
        Some("Last")
    );
    let error = project
        .insert_step(&case, len + 3, step("Far"))
        .unwrap_err();
    assert_eq!(
        error,
        EditError::StepOutOfRange {
            case: case.clone(),
            index: len + 3,
            len: len + 2
        }
    );

    project.move_step(&case, 0, len + 1).unwrap();
    assert_eq!(keywords(&project, &case)[len + 1], "First");
    project.move_step(&case, len + 1, 0).unwrap();
    assert!(project.move_step(&case, 0, len + 2).is_err());

    let old = project.update_step(&case, 1, step("Changed")).unwrap();
    assert_eq!(old.keyword(), before[0]);
    assert_eq!(project.remove_step(&case, 1).unwrap().keyword(), "Changed");
    assert_eq!(project.remove_step(&case, 0).unwrap().keyword(), "First");
    assert_eq!(
        project.remove_step(&case, len - 1).unwrap().keyword(),
        "Last"
    );
    assert!(project.remove_step(&case, len - 1).is_err());
    let mut restored = keywords(&project, &case);
    restored.insert(0, before[0].clone());
    assert_eq!(restored, before);
}

#[test]
fn deleting_shared_artifacts_drops_references() {
    let mut project = demo::demo_projects().remove(0);
    let table = project.data_tables[0].id.clone();
    let suite = project.suites[0].id.clone();
    project.delete(&table).unwrap();
    project.delete(&suite).unwrap();
    let entries = &project.execution_lists[0].entries;
    assert!(entries
        .iter()
        .all(|entry| entry.suite != suite && entry.data_table.is_none()));
    let files = to_files(&project, &LayoutOptions::default());
    assert_eq!(
        from_files(&files, &LayoutOptions::default(), &ReadLimits::default()).unwrap(),
        project
    );
}

#[test]
fn a_rename_moves_one_file() {
    let options = LayoutOptions::default();
    let mut project = demo::demo_projects().remove(0);
    let before = manifest(&project, &options);
    let suite = project.suites[0].id.clone();
    project.rename(&suite, "Shopping basket").unwrap();
    let diff = before.diff(&manifest(&project, &options));
    assert_eq!(diff.renamed.len(), 1);
    assert!(diff.renamed[0].to.path.contains("shopping-basket--"));
    assert!(diff.added.is_empty() && diff.removed.is_empty() && diff.modified.is_empty());
    let after = manifest(&project, &options);
    let by_artifact = after.by_artifact();
    assert_eq!(
        by_artifact[&(suite, ArtifactKind::Suite)].path,
        diff.renamed[0].to.path
    );
}

#[test]
fn demo_projects_are_realistic_and_stable() {
    let projects = demo::demo_projects();
    let ids: Vec<&str> = projects.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["checkout-web", "mobile-banking", "partner-api"]);
    assert_eq!(projects, demo::demo_projects());
    let checkout = &projects[0];
    let suites: Vec<&str> = checkout.suites.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(suites, ["Cart", "Checkout", "Payments"]);
    assert!(checkout.test_cases().count() >= 24);
    let element_names: Vec<&str> = checkout.element_repositories[0]
        .elements
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    for project in &projects {
        assert!(!project.element_repositories.is_empty() && !project.data_tables.is_empty());
        assert!(project.test_cases().all(|case| !case.steps.is_empty()));
        let table = &project.data_tables[0];
        assert!(table
            .rows
            .iter()
            .all(|row| row.len() == table.columns.len()));
        let files = to_files(project, &LayoutOptions::default());
        let bytes: usize = files.values().map(Vec::len).sum();
        println!(
            "{}: {} artifacts, {} files, {bytes} bytes",
            project.name,
            project.artifact_count(),
            files.len()
        );
    }
    // Steps refer to elements of the screen.
    for case in checkout.test_cases() {
        for step in case.steps.iter().filter(|s| !s.element().is_empty()) {
            assert!(
                element_names.contains(&step.element()),
                "{} uses {}",
                case.name,
                step.element()
            );
        }
    }
}

#[test]
fn synthetic_projects_are_deterministic_with_realistic_sizes() {
    let project = generate::synthetic_project(3, 500);
    assert_eq!(project, generate::synthetic_project(3, 500));
    assert_ne!(project, generate::synthetic_project(4, 500));
    assert_eq!(project.test_cases().count(), 500);
    assert!(project
        .test_cases()
        .all(|case| (5..=15).contains(&case.steps.len())));
    assert!(project
        .scenarios()
        .take(project.scenarios().count() - 1)
        .all(|s| (10..=40).contains(&s.test_cases.len())));
    assert!(project
        .element_repositories
        .iter()
        .all(|r| (20..=50).contains(&r.elements.len())));
    for table in &project.data_tables {
        assert!((5..=10).contains(&table.columns.len()) && (20..=200).contains(&table.rows.len()));
    }
    let options = LayoutOptions::default();
    let files = to_files(&project, &options);
    assert_eq!(
        from_files(&files, &options, &ReadLimits::default()).unwrap(),
        project
    );
    assert!(generate::synthetic_project(1, 0).suites.is_empty());
}

/// Timing of a 10,000-test-case project; run with
/// `cargo test -p versioning-core --release --test core artifacts_edit:: -- --ignored --nocapture`.
#[test]
#[ignore = "a timing, not a check; run it in release mode"]
fn time_ten_thousand_test_cases() {
    let options = LayoutOptions::default();
    let started = Instant::now();
    let project = generate::synthetic_project(10, 10_000);
    let generated = started.elapsed();
    let started = Instant::now();
    let files = to_files(&project, &options);
    let written = started.elapsed();
    let started = Instant::now();
    let read = from_files(&files, &options, &ReadLimits::default()).unwrap();
    let parsed = started.elapsed();
    assert_eq!(read, project);
    let bytes: usize = files.values().map(Vec::len).sum();
    println!(
        "10,000 test cases: {} files, {bytes} bytes; generate {generated:?}, serialise {written:?}, parse {parsed:?}",
        files.len()
    );
}

#[test]
fn names_of_many_ids_agree_with_name_of() {
    for project in demo::demo_projects() {
        let unknown = ArtifactId::new("no-such-artifact").unwrap();
        let ids: Vec<ArtifactId> = project.artifact_ids().cloned().collect();
        let names = project.names_of(ids.iter().chain([&project.id, &unknown]));
        assert_eq!(names.len(), project.artifact_count() + 1, "{}", project.id);
        for (id, name) in &names {
            assert_eq!(project.name_of(id), Some(*name));
        }
        let first = project.names_of(ids.first());
        assert_eq!(first.len(), 1, "only the ids asked for");
    }
}
