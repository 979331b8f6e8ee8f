//! Reading trees that are not (or no longer) ours: each problem is reported against its file.

use versioning_core::artifacts::{
    demo, from_files, to_files, ArtifactKind, LayoutOptions, Project, ProjectFiles, ReadLimits,
    TreeError, TreeErrorKind, MAX_FILE_BYTES, SCHEMA_VERSION,
};

const ROOT: &str = "test-artifacts";

fn project() -> Project {
    demo::demo_projects().remove(2)
}

fn files() -> ProjectFiles {
    to_files(&project(), &LayoutOptions::default())
}

/// Reads without the manifest check, so each test sees the one problem it makes.
fn errors_of(files: &ProjectFiles) -> Vec<TreeError> {
    let limits = ReadLimits {
        verify_manifest: false,
        ..ReadLimits::default()
    };
    from_files(files, &LayoutOptions::default(), &limits)
        .expect_err("the tree has a problem")
        .0
}

fn only_error(files: &ProjectFiles) -> TreeError {
    let errors = errors_of(files);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    errors.into_iter().next().unwrap()
}

/// The path of the first file whose path contains `part`.
fn path_with(files: &ProjectFiles, part: &str) -> String {
    files
        .keys()
        .find(|path| path.contains(part))
        .cloned()
        .unwrap_or_else(|| panic!("no file with {part}"))
}

#[test]
fn unknown_unsafe_and_outside_files() {
    let mut tree = files();
    tree.insert(format!("{ROOT}/README.md"), b"notes".to_vec());
    assert_eq!(
        only_error(&tree),
        TreeError {
            path: format!("{ROOT}/README.md"),
            kind: TreeErrorKind::UnknownFile
        }
    );

    let mut tree = files();
    tree.insert("docs/elsewhere.json".to_owned(), b"{}".to_vec());
    assert!(matches!(
        only_error(&tree).kind,
        TreeErrorKind::OutsideRoot { .. }
    ));

    for unsafe_path in [
        format!("{ROOT}/../escape.json"),
        format!("{ROOT}/suites/a\\b--s1.json"),
        "/etc/passwd".into(),
    ] {
        let mut tree = files();
        tree.insert(unsafe_path.clone(), b"{}".to_vec());
        let error = only_error(&tree);
        assert_eq!(error.path, unsafe_path);
        assert!(
            matches!(error.kind, TreeErrorKind::UnsafePath { .. }),
            "{error}"
        );
    }

    let mut tree = files();
    tree.insert(format!("{ROOT}/suites/x--S1.json"), b"{}".to_vec());
    assert!(matches!(
        only_error(&tree).kind,
        TreeErrorKind::InvalidId(_)
    ));
}

#[test]
fn newer_schema_version_is_the_only_error_reported() {
    let mut tree = files();
    let path = format!("{ROOT}/project.json");
    let text = String::from_utf8(tree[&path].clone()).unwrap();
    let newer = text.replace(
        &format!("\"schema_version\": {SCHEMA_VERSION}"),
        "\"schema_version\": 7",
    );
    tree.insert(
        path.clone(),
        newer.replace("\"name\"", "\"title\"").into_bytes(),
    );
    tree.insert(format!("{ROOT}/future-kind/x.json"), b"{}".to_vec());
    let error = only_error(&tree);
    assert_eq!(error.path, path);
    assert_eq!(
        error.kind,
        TreeErrorKind::NewerSchema {
            found: 7,
            supported: SCHEMA_VERSION
        }
    );
    assert!(error.to_string().contains("update the app"));
}

#[test]
fn invalid_json_has_line_and_column() {
    let mut tree = files();
    let path = path_with(&tree, "/test-cases/");
    tree.insert(path.clone(), b"{\n  \"id\": \"t1\",\n  oops\n}\n".to_vec());
    let error = only_error(&tree);
    assert_eq!(error.path, path);
    match error.kind {
        TreeErrorKind::InvalidJson { line, column, .. } => assert_eq!((line, column), (3, 3)),
        other => panic!("{other:?}"),
    }

    let mut tree = files();
    let path = path_with(&tree, "/element-repositories/");
    let text =
        String::from_utf8(tree[&path].clone())
            .unwrap()
            .replacen("\"name\"", "\"nickname\"", 1);
    tree.insert(path, text.into_bytes());
    let error = only_error(&tree);
    assert!(
        matches!(&error.kind, TreeErrorKind::InvalidJson { message, .. } if message.contains("nickname")),
        "{error}"
    );
}

#[test]
fn arbitrary_bytes_and_bad_csv() {
    let mut tree = files();
    let path = path_with(&tree, ".csv");
    tree.insert(path.clone(), b"a,b\n\"unterminated\n".to_vec());
    let error = only_error(&tree);
    assert_eq!(error.path, path);
    assert!(matches!(error.kind, TreeErrorKind::InvalidCsv(_)));

    let mut tree = files();
    let path = path_with(&tree, "/execution-lists/");
    tree.insert(path.clone(), vec![0xff, 0x00, 0x12]);
    assert!(matches!(
        only_error(&tree).kind,
        TreeErrorKind::InvalidJson { .. }
    ));
}

/// The manifest's root has a limit of its own (a manifest of layout 1 lists every file in it); its parts
/// are files like any other.
#[test]
fn the_manifest_has_a_limit_of_its_own() {
    let tree = files();
    let manifest = tree
        .keys()
        .find(|p| p.ends_with("/.manifest.json"))
        .unwrap();
    let size = tree[manifest].len();
    let limits = |max_manifest_bytes| ReadLimits {
        max_file_bytes: MAX_FILE_BYTES,
        max_manifest_bytes,
        verify_manifest: true,
    };
    assert!(from_files(&tree, &LayoutOptions::default(), &limits(size)).is_ok());
    let errors = from_files(&tree, &LayoutOptions::default(), &limits(size - 1))
        .unwrap_err()
        .0;
    assert!(errors
        .iter()
        .any(|e| e.path == *manifest && matches!(e.kind, TreeErrorKind::TooLarge { .. })));
}

#[test]
fn files_over_the_limit_are_refused() {
    let tree = files();
    let limits = ReadLimits {
        max_file_bytes: 600,
        max_manifest_bytes: 600,
        verify_manifest: false,
    };
    let errors = from_files(&tree, &LayoutOptions::default(), &limits)
        .unwrap_err()
        .0;
    let large: Vec<_> = tree
        .iter()
        .filter(|(_, bytes)| bytes.len() > 600)
        .map(|(path, _)| path)
        .collect();
    assert!(!large.is_empty());
    for path in large {
        let error = errors
            .iter()
            .find(|e| e.path == *path)
            .expect("each large file is reported");
        assert!(matches!(
            error.kind,
            TreeErrorKind::TooLarge { limit: 600, .. }
        ));
    }
}

#[test]
fn duplicate_ids_and_mismatched_ids() {
    let mut tree = files();
    let original = path_with(&tree, "/test-cases/");
    let copy = original.replacen("/test-cases/", "/test-cases/copy-", 1);
    tree.insert(copy.clone(), tree[&original].clone());
    let error = only_error(&tree);
    let (first, second) = if copy < original {
        (copy, original)
    } else {
        (original, copy)
    };
    assert_eq!(error.path, second);
    assert!(matches!(error.kind, TreeErrorKind::DuplicateId { first: ref f, .. } if *f == first));

    let mut tree = files();
    let path = path_with(&tree, "/element-repositories/");
    let renamed = path
        .rsplit_once("--")
        .map(|(stem, _)| format!("{stem}--e0.json"))
        .unwrap();
    let bytes = tree.remove(&path).unwrap();
    tree.insert(renamed.clone(), bytes);
    let errors = errors_of(&tree);
    assert!(errors
        .iter()
        .any(|e| e.path == renamed && matches!(e.kind, TreeErrorKind::IdMismatch { .. })));
    assert!(errors.iter().any(|e| e.path.ends_with("project.json")
        && matches!(e.kind, TreeErrorKind::MissingChild { .. })));
}

#[test]
fn missing_parent_missing_child_and_unlisted_files() {
    let project = project();
    let suite = &project.suites[1];
    let scenario = &suite.scenarios[0];

    // The scenario's file is gone: its test cases have no parent, and the suite lists a missing child.
    let mut tree = files();
    let scenario_file = tree
        .keys()
        .find(|p| p.ends_with(&format!("--{}.json", scenario.id)))
        .cloned()
        .unwrap();
    tree.remove(&scenario_file);
    let errors = errors_of(&tree);
    let case_errors = errors
        .iter()
        .filter(|e| e.path.contains("/test-cases/"))
        .collect::<Vec<_>>();
    assert_eq!(case_errors.len(), scenario.test_cases.len());
    for error in case_errors {
        assert_eq!(
            error.kind,
            TreeErrorKind::MissingParent {
                kind: ArtifactKind::Scenario,
                id: scenario.id.clone()
            }
        );
    }
    let suite_file = tree
        .keys()
        .find(|p| p.ends_with(&format!("--{}.json", suite.id)))
        .cloned()
        .unwrap();
    assert!(errors.contains(&TreeError {
        path: suite_file,
        kind: TreeErrorKind::MissingChild {
            kind: ArtifactKind::Scenario,
            id: scenario.id.clone()
        },
    }));

    // project.json no longer lists the data table: both its files are reported as not listed.
    let mut tree = files();
    let table = &project.data_tables[0];
    let path = format!("{ROOT}/project.json");
    let text = String::from_utf8(tree[&path].clone()).unwrap();
    tree.insert(
        path.clone(),
        text.replace(&format!("\n    \"{}\"\n  ", table.id), "")
            .into_bytes(),
    );
    let errors = errors_of(&tree);
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(errors.iter().all(|e| e.kind
        == TreeErrorKind::NotListed {
            parent: path.clone()
        }));
}

#[test]
fn missing_project_file_and_missing_rows() {
    let mut tree = files();
    tree.remove(&format!("{ROOT}/project.json"));
    let errors = errors_of(&tree);
    assert_eq!(
        errors,
        vec![TreeError {
            path: format!("{ROOT}/project.json"),
            kind: TreeErrorKind::MissingProjectFile
        }]
    );

    let mut tree = files();
    let csv = path_with(&tree, ".csv");
    tree.remove(&csv);
    assert_eq!(
        only_error(&tree).kind,
        TreeErrorKind::MissingRows { missing: csv }
    );
}

#[test]
fn listed_twice() {
    let mut tree = files();
    let path = path_with(&tree, "/suites/");
    let text = String::from_utf8(tree[&path].clone()).unwrap();
    let (head, ids) = text.split_once("\"scenarios\": [").unwrap();
    let first = ids.trim_start().split(['\n', ',']).next().unwrap().trim();
    tree.insert(
        path.clone(),
        format!("{head}\"scenarios\": [\n    {first},{ids}").into_bytes(),
    );
    assert!(matches!(
        only_error(&tree).kind,
        TreeErrorKind::ListedTwice { .. }
    ));
}

#[test]
fn manifest_checks() {
    let options = LayoutOptions::default();
    let limits = ReadLimits::default();
    let mut tree = files();
    let path = path_with(&tree, "/test-cases/");
    tree.get_mut(&path).unwrap().push(b' ');
    let errors = from_files(&tree, &options, &limits).unwrap_err().0;
    assert_eq!(errors.len(), 1);
    assert!(matches!(
        errors[0].kind,
        TreeErrorKind::ManifestMismatch { .. }
    ));
    assert_eq!(errors[0].path, path);
    // Without the check, the hand edit (a trailing space) is accepted.
    assert!(from_files(
        &tree,
        &options,
        &ReadLimits {
            verify_manifest: false,
            ..limits.clone()
        }
    )
    .is_ok());

    let mut tree = files();
    let removed = path_with(&tree, "/element-repositories/");
    tree.remove(&removed);
    let errors = from_files(&tree, &options, &limits).unwrap_err().0;
    assert!(errors.contains(&TreeError {
        path: removed,
        kind: TreeErrorKind::MissingFile
    }));

    let mut tree = project();
    tree.description.push('!');
    let mut tree_files = files();
    let project_path = format!("{ROOT}/project.json");
    tree_files.insert(
        project_path.clone(),
        to_files(&tree, &options)[&project_path].clone(),
    );
    let errors = from_files(&tree_files, &options, &limits).unwrap_err().0;
    assert_eq!(errors[0].path, project_path);
}

#[test]
fn messages_say_what_to_do() {
    let mut tree = files();
    tree.insert(format!("{ROOT}/notes.txt"), Vec::new());
    let message = from_files(&tree, &LayoutOptions::default(), &ReadLimits::default())
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("test-artifacts/notes.txt: not a file of the artifact layout"),
        "{message}"
    );
    assert!(message.contains("delete it"), "{message}");
}

#[test]
fn other_roots() {
    let options = LayoutOptions::with_root("qa/artifacts").unwrap();
    let project = project();
    let tree = to_files(&project, &options);
    assert!(tree.keys().all(|path| path.starts_with("qa/artifacts/")));
    assert_eq!(
        from_files(&tree, &options, &ReadLimits::default()).unwrap(),
        project
    );
    let root = LayoutOptions::with_root("").unwrap();
    let tree = to_files(&project, &root);
    assert!(tree.contains_key("project.json"));
    assert_eq!(
        from_files(&tree, &root, &ReadLimits::default()).unwrap(),
        project
    );
}
