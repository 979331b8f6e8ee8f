//! Properties of the artifact layout, checked on thousands of generated projects and file trees.

use std::borrow::Cow;
use std::collections::BTreeSet;

use proptest::prelude::*;
use versioning_core::artifacts::{
    file_errors, from_files, from_files_written, read_ahead, sha256_hex, shared_files_and_manifest,
    to_files, ArtifactId, ArtifactKind, DataTable, Element, ElementRepository, ExecutionEntry,
    ExecutionList, FileSource, LayoutOptions, Locator, LocatorStrategy, Manifest, ManifestEntry,
    Project, ProjectFiles, ReadLimits, ReviewState, RunSettings, Scenario, SharedFiles, Step,
    StepField, TestCase, TestSuite, Tracked, TreeError, TreeErrorKind, TreeErrors, MAX_SLUG_LEN,
};
use versioning_core::sync::LocalFiles;

/// Cases per property: 1,000 for the round trip and for foreign trees, fewer for the slower properties,
/// so that the whole core test run stays fast (about 3,300 generated projects and trees in all).
const CASES: u32 = 1000;

/// Names that stress slugs and paths: empty, dots, slashes, reserved names, unicode, 1,000 characters,
/// and duplicates.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just(".".to_owned()),
        Just("..".to_owned()),
        Just("../../etc/passwd".to_owned()),
        Just("a/b\\c".to_owned()),
        Just("CON".to_owned()),
        Just("Same name".to_owned()),
        Just("x".repeat(1000)),
        Just("Ünïcödé naïve café".to_owned()),
        chars(12),
        chars(12),
        chars(12),
    ]
}

/// Up to `max` characters: any Unicode scalar, with separators, quotes and line breaks made likely.
/// (Built from chars rather than regexes: much cheaper to generate.)
fn chars(max: usize) -> impl Strategy<Value = String> {
    let special = prop::sample::select(vec![
        ',', '"', '\n', '\r', ' ', '\t', '/', '.', '-', '_', 'A', 'z', '\u{e9}', '\u{65e5}',
    ]);
    prop::collection::vec(prop_oneof![any::<char>(), special], 0..max).prop_map(String::from_iter)
}

/// Cell and step text: anything, with CSV's special characters made likely.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![Just(String::new()), chars(8)]
}

fn review_state() -> impl Strategy<Value = ReviewState> {
    prop_oneof![
        Just(ReviewState::New),
        Just(ReviewState::InProgress),
        Just(ReviewState::UnderReview),
        Just(ReviewState::Approved),
        Just(ReviewState::Rejected),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    (text(), text(), text(), text(), text()).prop_map(
        |(keyword, element, input, expected, comment)| {
            Step::new(&keyword, &element, &input, &expected, &comment)
        },
    )
}

fn strategy() -> impl Strategy<Value = LocatorStrategy> {
    prop_oneof![
        Just(LocatorStrategy::Css),
        Just(LocatorStrategy::Xpath),
        Just(LocatorStrategy::AccessibilityId)
    ]
}

/// Hands out ids from a counter so that every generated project has unique ids.
struct Ids(u64);

impl Ids {
    fn next(&mut self, kind: ArtifactKind) -> ArtifactId {
        self.0 += 1;
        ArtifactId::derive(kind, 1, self.0)
    }
}

type Header = (String, String, ReviewState);
type RawCase = (Header, Vec<Step>);
type RawScenario = (Header, Vec<RawCase>);
type RawSuite = (Header, Vec<RawScenario>);
type RawRepository = (Header, Vec<(String, Vec<(LocatorStrategy, String)>)>);
type RawTable = (Header, Vec<String>, Vec<Vec<String>>);
type RawList = (Header, (String, String, u32, u32), Vec<(usize, bool)>);

fn header() -> impl Strategy<Value = Header> {
    (name(), text(), review_state())
}

fn project() -> impl Strategy<Value = Project> {
    let case = (header(), prop::collection::vec(step(), 0..3));
    let scenario = (header(), prop::collection::vec(case, 0..3));
    let suites = prop::collection::vec((header(), prop::collection::vec(scenario, 0..3)), 0..3);
    let element = (name(), prop::collection::vec((strategy(), text()), 0..2));
    let repositories =
        prop::collection::vec((header(), prop::collection::vec(element, 0..3)), 0..2);
    let rows = prop::collection::vec(prop::collection::vec(text(), 0..3), 0..3);
    let tables = prop::collection::vec((header(), prop::collection::vec(name(), 0..3), rows), 0..2);
    let settings = (text(), text(), any::<u32>(), any::<u32>());
    let lists = prop::collection::vec(
        (
            header(),
            settings,
            prop::collection::vec((0usize..4, any::<bool>()), 0..3),
        ),
        0..2,
    );
    (header(), suites, repositories, tables, lists).prop_map(build)
}

fn build(
    ((name, description, _), suites, repositories, tables, lists): (
        Header,
        Vec<RawSuite>,
        Vec<RawRepository>,
        Vec<RawTable>,
        Vec<RawList>,
    ),
) -> Project {
    let mut ids = Ids(0);
    let mut project = Project::new(ArtifactId::new("generated").unwrap(), name);
    project.description = description;
    for ((name, description, review_state), scenarios) in suites {
        let scenarios = scenarios
            .into_iter()
            .map(|((name, description, review_state), cases)| {
                let test_cases = cases
                    .into_iter()
                    .map(|((name, description, review_state), steps)| {
                        let id = ids.next(ArtifactKind::TestCase);
                        TestCase {
                            id,
                            name,
                            description,
                            review_state,
                            steps,
                        }
                        .into()
                    })
                    .collect();
                let id = ids.next(ArtifactKind::Scenario);
                Scenario {
                    id,
                    name,
                    description,
                    review_state,
                    test_cases,
                }
            })
            .collect();
        let id = ids.next(ArtifactKind::Suite);
        project.suites.push(TestSuite {
            id,
            name,
            description,
            review_state,
            scenarios,
        });
    }
    for ((name, description, review_state), elements) in repositories {
        let elements = elements
            .into_iter()
            .map(|(name, locators)| Element {
                name,
                locators: locators
                    .into_iter()
                    .map(|(strategy, value)| Locator { strategy, value })
                    .collect(),
            })
            .collect();
        let id = ids.next(ArtifactKind::ElementRepository);
        project.element_repositories.push(
            ElementRepository {
                id,
                name,
                description,
                review_state,
                elements,
            }
            .into(),
        );
    }
    for ((name, description, review_state), columns, rows) in tables {
        let id = ids.next(ArtifactKind::DataTable);
        project.data_tables.push(
            DataTable {
                id,
                name,
                description,
                review_state,
                columns,
                rows,
            }
            .into(),
        );
    }
    for ((name, description, review_state), (browser, environment, retries, parallel), entries) in
        lists
    {
        let entries = entries
            .into_iter()
            .filter_map(|(index, with_table)| {
                let suite = project.suites.get(index)?.id.clone();
                let data_table = project
                    .data_tables
                    .first()
                    .filter(|_| with_table)
                    .map(|t| t.id.clone());
                Some(ExecutionEntry { suite, data_table })
            })
            .collect();
        let settings = RunSettings {
            browser,
            environment,
            retries,
            parallel,
        };
        let id = ids.next(ArtifactKind::ExecutionList);
        project.execution_lists.push(
            ExecutionList {
                id,
                name,
                description,
                review_state,
                settings,
                entries,
            }
            .into(),
        );
    }
    project
}

fn read(files: &ProjectFiles) -> Result<Project, versioning_core::artifacts::TreeErrors> {
    from_files(files, &LayoutOptions::default(), &ReadLimits::default())
}

/// Whether a repository path is safe on every OS and in URLs, as the layout promises.
/// The errors of a read that are each file's own (what [`file_errors`] finds without reading the tree).
fn own_errors(result: &Result<Project, TreeErrors>) -> Vec<TreeError> {
    let errors = result
        .as_ref()
        .err()
        .map_or(&[][..], |errors| &errors.0[..]);
    let own = errors.iter().filter(|error| error.kind.is_of_the_file());
    own.cloned().collect()
}

fn assert_safe_path(path: &str) {
    let relative = path
        .strip_prefix("test-artifacts/")
        .expect("below the root");
    for segment in relative.split('/') {
        assert!(
            !segment.is_empty() && segment != "." && segment != "..",
            "{path}"
        );
        let allowed =
            |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.';
        assert!(segment.chars().all(allowed), "{path}");
        assert!(!segment.starts_with('-'), "{path}");
        let stem = segment.split('.').next().unwrap();
        assert!(
            !versioning_core::artifacts::is_windows_reserved(stem),
            "{path}"
        );
        if let Some((slug, _)) = stem.split_once("--") {
            assert!(!slug.is_empty() && slug.len() <= MAX_SLUG_LEN, "{path}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn project_files_project_is_identity(project in project()) {
        let options = LayoutOptions::default();
        let files = to_files(&project, &options);
        let read = read(&files).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&read, &project);
        prop_assert_eq!(to_files(&read, &options), files);
    }

}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES / 2))]

    #[test]
    fn writing_is_deterministic_and_changes_stay_local(project in project(), new_name in name()) {
        let options = LayoutOptions::default();
        let files = to_files(&project, &options);
        prop_assert_eq!(&to_files(&project.clone(), &options), &files);
        // A no-op edit gives the same bytes.
        let mut same = project.clone();
        if let Some(case) = project.test_cases().next() {
            if !case.name.trim().is_empty() {
                same.rename(&case.id, &case.name).unwrap();
            }
        }
        prop_assert_eq!(&to_files(&same, &options), &files);
        // Changing one artifact's content changes its own file and the manifest, nothing else.
        if let Some(case) = project.test_cases().next() {
            let mut changed = project.clone();
            changed.set_description(&case.id, &format!("{}!", case.description)).unwrap();
            let after = to_files(&changed, &options);
            let differing: Vec<&String> = files.keys().chain(after.keys()).collect::<BTreeSet<_>>()
                .into_iter().filter(|path| files.get(*path) != after.get(*path)).collect();
            // The manifest: its root, and the part listing the file (its old name gone, its new one there).
            let (manifest, others): (Vec<&String>, Vec<&String>) =
                differing.iter().partition(|p| p.contains("/.manifest"));
            prop_assert_eq!(others.len(), 1, "{:?}", differing);
            prop_assert_eq!(manifest.len(), 3, "{:?}", differing);
            let own_file = format!("--{}.json", case.id);
            prop_assert!(others[0].ends_with(&own_file));
            prop_assert!(differing.iter().any(|p| p.ends_with("/.manifest.json")));
            // A rename moves exactly one file.
            if !new_name.trim().is_empty() {
                let mut renamed = project.clone();
                renamed.rename(&case.id, &new_name).unwrap();
                let old_manifest = versioning_core::artifacts::manifest(&project, &options);
                let diff = old_manifest.diff(&versioning_core::artifacts::manifest(&renamed, &options));
                prop_assert!(diff.added.is_empty() && diff.removed.is_empty() && diff.modified.len() <= 1);
                prop_assert!(diff.renamed.len() <= 1);
            }
        }
    }

    #[test]
    fn arbitrary_names_give_unique_safe_paths(project in project()) {
        let files = to_files(&project, &LayoutOptions::default());
        for path in files.keys() {
            assert_safe_path(path);
        }
        // One file per artifact, two per data table, plus project.json and the manifest's root and parts:
        // no collisions.
        let parts = files.keys().filter(|p| p.contains("/.manifest/")).count();
        prop_assert!(parts >= 1);
        let expected = project.artifact_count() + project.data_tables.len() + 2 + parts;
        prop_assert_eq!(files.len(), expected);
        let lowercase: BTreeSet<String> = files.keys().map(|p| p.to_lowercase()).collect();
        prop_assert_eq!(lowercase.len(), files.len());
    }
}

/// Paths a reader meets: our own places (valid or with bad ids), the manifest, and garbage.
fn path() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("test-artifacts/project.json".to_owned()),
        Just("test-artifacts/.manifest.json".to_owned()),
        Just("test-artifacts/suites/a--s1.json".to_owned()),
        Just("test-artifacts/suites/b--s1.json".to_owned()),
        Just("test-artifacts/suites/s1/scenarios/c--c1.json".to_owned()),
        Just("test-artifacts/suites/s1/scenarios/c1/test-cases/t--t1.json".to_owned()),
        Just("test-artifacts/data-tables/d--d1.csv".to_owned()),
        Just("test-artifacts/data-tables/d--d1.json".to_owned()),
        Just("test-artifacts/../outside.json".to_owned()),
        Just("elsewhere/project.json".to_owned()),
        "test-artifacts/[a-z./-]{0,24}",
        "\\PC{0,24}",
    ]
}

/// Contents a reader meets: our own files, near misses, and arbitrary bytes.
fn content() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"{}".to_vec()),
        Just(b"{\"schema_version\": 2}".to_vec()),
        Just(b"{\"schema_version\": 1, \"id\": \"p\", \"name\": \"\", \"description\": \"\", \"suites\": [\"s1\"], \"element_repositories\": [], \"data_tables\": [\"d1\"], \"execution_lists\": []}".to_vec()),
        Just(b"{\"id\": \"s1\", \"name\": \"A\", \"description\": \"\", \"review_state\": \"new\", \"scenarios\": [\"c1\", \"c1\"]}".to_vec()),
        Just(b"a,b\n\"1\",2\n".to_vec()),
        prop::collection::vec(any::<u8>(), 0..64),
        any::<String>().prop_map(String::into_bytes),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn foreign_trees_give_errors_per_file_and_never_panic(files in prop::collection::btree_map(path(), content(), 0..8)) {
        let limits = ReadLimits { max_file_bytes: 48, ..ReadLimits::default() };
        let result = from_files(&files, &LayoutOptions::default(), &limits);
        prop_assert_eq!(file_errors(&files, &LayoutOptions::default(), &limits), own_errors(&result));
        if let Err(errors) = result {
            prop_assert!(!errors.0.is_empty());
            for error in &errors.0 {
                let known = files.contains_key(&error.path) || error.path == "test-artifacts/project.json";
                prop_assert!(known || matches!(error.kind, TreeErrorKind::MissingFile), "{}", error);
                prop_assert!(!error.to_string().is_empty());
            }
        }
    }

}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES * 3 / 10))]

    #[test]
    fn damaged_trees_of_ours_give_errors_and_never_panic(project in project(), victim in any::<prop::sample::Index>(), byte in any::<u8>(), action in 0..4u8) {
        let options = LayoutOptions::default();
        let mut files = to_files(&project, &options);
        let path = victim.get(&files.keys().cloned().collect::<Vec<_>>()).clone();
        match action {
            0 => { files.remove(&path); }
            1 => { files.get_mut(&path).unwrap().push(byte); }
            2 => { files.insert(format!("{path}.bak"), vec![byte]); }
            // A copy under another slug: the same id twice.
            _ if path.contains("--") => { files.insert(path.replacen("--", "-copy--", 1), files[&path].clone()); }
            _ => { files.insert(format!("{path}.copy"), files[&path].clone()); }
        }
        let result = from_files(&files, &options, &ReadLimits::default());
        prop_assert_eq!(file_errors(&files, &options, &ReadLimits::default()), own_errors(&result));
        // Damage to an artifact file is always noticed (appending a space to a JSON file keeps it valid,
        // but the manifest's hash catches that). The manifest itself is optional and may gain whitespace.
        if !path.ends_with("/.manifest.json") {
            prop_assert!(result.is_err(), "{} after action {}", path, action);
        }
    }
}

/// A manifest of up to 12 entries over a small set of paths (so that two manifests share many), each
/// with one of two hashes, ids and kinds; in path order when `ordered`, else as generated (paths may
/// repeat).
fn manifest_of(ordered: bool) -> impl Strategy<Value = Manifest> {
    let entry =
        (0..16u8, 0..2u8, 0..2u8, any::<bool>()).prop_map(|(path, sha, id, table)| ManifestEntry {
            path: format!("tests/f{path:02}.json").into(),
            sha256: format!("{sha:064}").into(),
            id: ArtifactId::new(format!("a{id}")).unwrap(),
            kind: if table {
                ArtifactKind::DataTable
            } else {
                ArtifactKind::TestCase
            },
        });
    (
        prop::collection::vec(entry, 0..12),
        prop::option::of("[0-9a-f]{7}"),
    )
        .prop_map(move |(files, origin)| {
            let mut manifest = match ordered {
                true => Manifest::from_entries(files),
                false => Manifest {
                    schema_version: 1,
                    files: files.into(),
                    origin: None,
                },
            };
            if ordered {
                std::sync::Arc::make_mut(&mut manifest.files).dedup_by(|a, b| a.path == b.path);
            }
            manifest.origin = origin;
            manifest
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    /// A manifest kept as its changes from another gives itself back from that one, holding only what
    /// differs; a manifest out of path order is not turned into changes.
    #[test]
    fn manifest_changes_give_the_manifest_back(
        manifest in manifest_of(true),
        reference in manifest_of(true),
        unordered in manifest_of(false),
    ) {
        let changes = manifest.changes_from(&reference).expect("both in path order");
        prop_assert_eq!(changes.apply(&reference), manifest.clone());
        let kept = manifest.files.iter().filter(|entry| reference.entry(&entry.path) == Some(entry));
        prop_assert_eq!(changes.set.len(), manifest.files.len() - kept.count());
        prop_assert_eq!(manifest.changes_from(&manifest).map(|c| c.set.len() + c.removed.len()), Some(0));
        let ordered = unordered.files.windows(2).all(|pair| pair[0].path < pair[1].path);
        prop_assert_eq!(unordered.changes_from(&reference).is_some(), ordered);
        prop_assert_eq!(manifest.changes_from(&unordered).is_some(), ordered);
    }
}

/// One edit of the explorer's on the artifact at a position (taken modulo the project's artifacts).
#[derive(Debug, Clone)]
enum AnEdit {
    Rename(usize, String),
    Describe(usize, String),
    Approve(usize),
    Delete(usize),
    AddStep(usize),
    UpdateStep(usize, String),
    RemoveStep(usize),
    MoveStep(usize),
    AddTestCase(usize, String),
}

fn an_edit() -> impl Strategy<Value = AnEdit> {
    let at = any::<usize>();
    prop_oneof![
        (at, name()).prop_map(|(at, name)| AnEdit::Rename(at, name)),
        (at, name()).prop_map(|(at, text)| AnEdit::Describe(at, text)),
        at.prop_map(AnEdit::Approve),
        at.prop_map(AnEdit::Delete),
        at.prop_map(AnEdit::AddStep),
        (at, name()).prop_map(|(at, keyword)| AnEdit::UpdateStep(at, keyword)),
        at.prop_map(AnEdit::RemoveStep),
        at.prop_map(AnEdit::MoveStep),
        (at, name()).prop_map(|(at, name)| AnEdit::AddTestCase(at, name)),
    ]
}

/// Makes `edit` on `project`; an edit the project refuses leaves it as it was.
fn make(project: &mut Project, edit: AnEdit) {
    let ids: Vec<ArtifactId> = project.artifact_ids().cloned().collect();
    let cases: Vec<ArtifactId> = project.test_cases().map(|c| c.id.clone()).collect();
    let scenarios: Vec<ArtifactId> = project.scenarios().map(|s| s.id.clone()).collect();
    let pick = |list: &[ArtifactId], at: usize| list.get(at % list.len().max(1)).cloned();
    let step = |keyword: &str| Step::default().with(StepField::Keyword, keyword);
    let _ = match edit {
        AnEdit::Rename(at, name) => pick(&ids, at).map(|id| project.rename(&id, &name).is_ok()),
        AnEdit::Describe(at, text) => {
            pick(&ids, at).map(|id| project.set_description(&id, &text).is_ok())
        }
        AnEdit::Approve(at) => {
            pick(&ids, at).map(|id| project.set_review_state(&id, ReviewState::Approved).is_ok())
        }
        AnEdit::Delete(at) => pick(&ids, at).map(|id| project.delete(&id).is_ok()),
        AnEdit::AddStep(at) => {
            pick(&cases, at).map(|id| project.insert_step(&id, 0, step("Click")).is_ok())
        }
        AnEdit::UpdateStep(at, keyword) => {
            pick(&cases, at).map(|id| project.update_step(&id, 0, step(&keyword)).is_ok())
        }
        AnEdit::RemoveStep(at) => pick(&cases, at).map(|id| project.remove_step(&id, 0).is_ok()),
        AnEdit::MoveStep(at) => pick(&cases, at).map(|id| project.move_step(&id, 0, 1).is_ok()),
        AnEdit::AddTestCase(at, name) => {
            pick(&scenarios, at).map(|id| project.add_test_case(&id, &name).is_ok())
        }
    };
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES / 4))]

    /// A project and each of its artifacts keep what was written of them until they are edited: edits
    /// made after a write give the files a project read afresh (nothing kept) gives.
    #[test]
    fn edits_after_a_write_give_the_files_of_a_fresh_copy(
        project in project(),
        edits in prop::collection::vec(an_edit(), 1..8),
    ) {
        let options = LayoutOptions::default();
        let mut project = Tracked::new(project);
        for edit in edits {
            project.written();
            make(&mut project, edit);
        }
        let fresh: Project = serde_json::from_value(serde_json::to_value(&project).unwrap()).unwrap();
        prop_assert_eq!(to_files(&project, &options), to_files(&fresh, &options));
        let (kept, written) = (project.written(), LocalFiles::of(&fresh));
        prop_assert_eq!(&kept.contents, &written.contents);
        prop_assert_eq!(&kept.manifest, &written.manifest);
        prop_assert_eq!(&kept.approved, &written.approved);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES / 4))]

    /// A project read back from the files a store wrote, with their manifest, is the project, and what it
    /// keeps as written of it (then edited) is what a copy read afresh writes.
    #[test]
    fn a_project_read_with_its_written_files_keeps_them(
        project in project(),
        edits in prop::collection::vec(an_edit(), 0..4),
    ) {
        let options = LayoutOptions::default();
        let limits = ReadLimits::of_stored_files();
        let (files, manifest) = shared_files_and_manifest(&project, &options);
        // As a store reads them: each file's bytes, a test case's read ahead with its hash.
        let files: SharedFiles = files
            .iter()
            .map(|(path, file)| {
                let hash = manifest.entry(path).map(|entry| entry.sha256.clone());
                let bytes = file.bytes().into_owned();
                (path.clone(), read_ahead(path, bytes, hash, &options, &limits))
            })
            .collect();
        let read = from_files_written(&files, &manifest, &options, &limits).expect("reads back");
        prop_assert_eq!(&read, &project);
        let mut read = Tracked::new(read);
        for edit in edits {
            make(&mut read, edit);
            read.written();
        }
        let fresh: Project = serde_json::from_value(serde_json::to_value(&read).unwrap()).unwrap();
        let (kept, written) = (read.written(), LocalFiles::of(&fresh));
        prop_assert_eq!(&kept.contents, &written.contents);
        prop_assert_eq!(&kept.manifest, &written.manifest);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES / 4))]

    /// A test case's file read ahead keeps the test case, and its bytes only when they are not the
    /// ones the test case writes: its file is then the one found, with the hash of what was found.
    #[test]
    fn a_test_case_read_ahead_keeps_bytes_only_in_another_form(project in project(), compact: bool) {
        let options = LayoutOptions::default();
        let limits = ReadLimits::default();
        let (files, manifest) = shared_files_and_manifest(&project, &options);
        for entry in manifest.files.iter().filter(|e| e.kind == ArtifactKind::TestCase) {
            let canonical = files[&*entry.path].bytes().into_owned();
            let found = match compact {
                true => {
                    let value: serde_json::Value = serde_json::from_slice(&canonical).unwrap();
                    serde_json::to_vec(&value).unwrap()
                }
                false => canonical.clone(),
            };
            let read = read_ahead(&entry.path, found.clone(), None, &options, &limits);
            let case = read.test_case().expect("a test case");
            prop_assert_eq!(&**case, &*files[&*entry.path].test_case().unwrap().clone());
            prop_assert_eq!(&*read.bytes(), &found[..]);
            prop_assert_eq!(read.sha256().to_string(), sha256_hex(&found));
            // Its own bytes are written again when asked for, not kept.
            prop_assert_eq!(matches!(case.file(), Cow::Borrowed(_)), compact);
        }
    }
}
