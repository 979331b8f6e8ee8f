//! Reading a tree of files back into a project. Every problem is reported against the file it is in,
//! all at once, and no input makes the reader panic.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::de::DeserializeOwned;

use super::contents::{FileContents, FileSource};
use super::csv;
use super::id::{ArtifactId, ArtifactKind};
use super::layout::{
    unsafe_path_reason, ArtifactPath, LayoutOptions, PathProblem, MANIFEST_FILE, PROJECT_FILE,
    SCHEMA_VERSION,
};
use super::limits::ReadLimits;
use super::manifest::sha256_hex;
use super::manifest::Manifest;
use super::manifest_tree::{
    is_manifest_file, manifest_of_file, part_name, read_manifest_file, ManifestFile,
};
use super::model::{DataTable, ElementRepository, ExecutionList, Project, TestCase};
use super::parse::parse_json;
use super::records::{DataTableRecord, ProjectRecord, ScenarioRecord, SuiteRecord, VersionProbe};
use super::tracked::{Tracked, WrittenFile};
use super::tree_error::{TreeError, TreeErrorKind, TreeErrors};

/// Reads a project from files written by [`super::to_files`] (or edited by hand in the repository).
///
/// ```
/// use versioning_core::artifacts::{from_files, LayoutOptions, ProjectFiles, ReadLimits, TreeErrorKind};
/// let mut files = ProjectFiles::new();
/// files.insert("test-artifacts/notes.txt".into(), b"hello".to_vec());
/// let errors = from_files(&files, &LayoutOptions::default(), &ReadLimits::default()).unwrap_err();
/// // Sorted by path: notes.txt, then the missing project.json.
/// assert_eq!(errors.0[0].kind, TreeErrorKind::UnknownFile);
/// assert_eq!(errors.0[1].kind, TreeErrorKind::MissingProjectFile);
/// ```
pub fn from_files<B: FileSource>(
    files: &BTreeMap<String, B>,
    options: &LayoutOptions,
    limits: &ReadLimits,
) -> Result<Project, TreeErrors> {
    from_files_knowing(files, options, limits, &NO_WRITTEN)
}

/// No files known as written, for a read whose test cases write their files again.
static NO_WRITTEN: WrittenTestCases<'static> = BTreeMap::new();

/// Test cases' files as written, by path: the SHA-256 of the file there, which a test case read from it
/// keeps as what was written of it (with the bytes, when it would write others).
pub type WrittenTestCases<'a> = BTreeMap<&'a str, Arc<str>>;

/// [`from_files`], keeping the hashes `written` lists as the test cases' written forms (the caller
/// vouches for them). A file that is a test case already ([`FileSource::test_case`]) is taken as it is.
pub fn from_files_knowing<B: FileSource>(
    files: &BTreeMap<String, B>,
    options: &LayoutOptions,
    limits: &ReadLimits,
    written: &WrittenTestCases,
) -> Result<Project, TreeErrors> {
    let mut reader = Reader::new(options, written);
    for (path, file) in files {
        reader.add(path, file, limits);
    }
    if limits.verify_manifest {
        reader.check_manifest(files);
    }
    reader.finish()
}

/// [`from_files`] for files a store wrote with `manifest`, their manifest (each file's SHA-256 by path):
/// each test case keeps its file's hash as what was written of it, so that writing the project again
/// does not hash it. The caller vouches that `manifest` lists the files' own hashes; a file it does not
/// list is read as [`from_files`] reads it.
pub fn from_files_written<B: FileSource>(
    files: &BTreeMap<String, B>,
    manifest: &Manifest,
    options: &LayoutOptions,
    limits: &ReadLimits,
) -> Result<Project, TreeErrors> {
    let written: WrittenTestCases = manifest
        .files
        .iter()
        .filter(|entry| entry.kind == ArtifactKind::TestCase && files.contains_key(&*entry.path))
        .map(|entry| (entry.path.as_ref(), entry.sha256.clone()))
        .collect();
    from_files_knowing(files, options, limits, &written)
}

/// The errors [`from_files`] finds of the files by themselves ([`TreeErrorKind::is_of_the_file`]),
/// without keeping what it read: a large tree is checked without holding it twice. The errors of how
/// the files fit together (missing, unlisted) are not looked for.
pub fn file_errors<B: FileSource>(
    files: &BTreeMap<String, B>,
    options: &LayoutOptions,
    limits: &ReadLimits,
) -> Vec<TreeError> {
    let mut reader = Reader::new(options, &NO_WRITTEN);
    reader.keep = false;
    for (path, file) in files {
        reader.add(path, file, limits);
    }
    let mut errors = reader.errors;
    errors.retain(|error| error.kind.is_of_the_file());
    if reader.newer_schema {
        errors.retain(|error| matches!(error.kind, TreeErrorKind::NewerSchema { .. }));
    }
    errors.sort_by(|a, b| a.path.cmp(&b.path));
    errors
}

/// A file of a tree as it is kept until the whole tree is read ([`from_files`] takes it): a test case's
/// file read at once, as [`from_files`] reads it, with the file as what was written of it (its hash,
/// `sha256` when known, and its bytes only when the test case writes others); any other file, or one
/// that does not read cleanly (reading the whole tree then says why), as its bytes. A large tree is
/// then read without holding every file's bytes beside what they read as.
pub fn read_ahead(
    path: &str,
    bytes: Vec<u8>,
    sha256: Option<Arc<str>>,
    options: &LayoutOptions,
    limits: &ReadLimits,
) -> FileContents {
    let place = options.relative(path).map(ArtifactPath::parse);
    if !matches!(place, Some(Ok(ArtifactPath::TestCase { .. }))) {
        return bytes.into();
    }
    let sha256 = sha256.unwrap_or_else(|| sha256_hex(&bytes).into());
    let written = WrittenTestCases::from([(path, sha256)]);
    let mut reader = Reader::new(options, &written);
    reader.add(path, &bytes[..], limits);
    let read = reader
        .pools
        .test_cases
        .pop_first()
        .and_then(|(_, p)| p.value);
    match read {
        Some(case) if reader.errors.is_empty() => FileContents::TestCase(case),
        _ => bytes.into(),
    }
}

/// A file that was found: its path and, when it could be read, its content.
struct Parsed<T> {
    path: String,
    value: Option<T>,
}

/// Files of one kind, keyed by their parent's key and their own id.
type Pool<K, T> = BTreeMap<(K, ArtifactId), Parsed<T>>;
type SuiteKey = ArtifactId;
type ScenarioKey = (ArtifactId, ArtifactId);

#[derive(Default)]
struct Pools {
    project: Option<Parsed<ProjectRecord>>,
    manifest: Option<Parsed<ManifestFile>>,
    suites: Pool<(), SuiteRecord>,
    scenarios: Pool<SuiteKey, ScenarioRecord>,
    test_cases: Pool<ScenarioKey, Tracked<TestCase>>,
    element_repositories: Pool<(), ElementRepository>,
    data_tables: Pool<(), DataTableRecord>,
    data_table_rows: Pool<(), (Vec<String>, Vec<Vec<String>>)>,
    execution_lists: Pool<(), ExecutionList>,
}

struct Reader<'a> {
    options: &'a LayoutOptions,
    /// Test cases' files as written (see [`from_files_knowing`]).
    written: &'a WrittenTestCases<'a>,
    /// Whether what is read is kept (else files are only checked, see [`file_errors`]).
    keep: bool,
    errors: Vec<TreeError>,
    newer_schema: bool,
    pools: Pools,
    /// The first file of each id (data table rows apart from their metadata).
    ids: BTreeMap<(ArtifactId, bool), String>,
    suite_files: BTreeSet<SuiteKey>,
    scenario_files: BTreeSet<ScenarioKey>,
    assembled_suites: BTreeMap<SuiteKey, String>,
    assembled_scenarios: BTreeMap<ScenarioKey, String>,
}

/// Parses a file that starts with a schema version, refusing newer versions before reading the rest.
fn parse_versioned<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, TreeErrorKind> {
    if let Ok(VersionProbe { schema_version }) = serde_json::from_slice(bytes) {
        if schema_version > SCHEMA_VERSION {
            return Err(TreeErrorKind::NewerSchema {
                found: schema_version,
                supported: SCHEMA_VERSION,
            });
        }
    }
    parse_json(bytes)
}

/// Parses an artifact file and checks that it holds the id its name promises.
fn parse_artifact<T: DeserializeOwned>(
    bytes: &[u8],
    expected: &ArtifactId,
    id_of: fn(&T) -> &ArtifactId,
) -> Result<T, TreeErrorKind> {
    let value: T = parse_json(bytes)?;
    if id_of(&value) == expected {
        Ok(value)
    } else {
        Err(TreeErrorKind::IdMismatch {
            in_name: expected.clone(),
            in_file: id_of(&value).clone(),
        })
    }
}

/// Takes the children a parent lists, in its order, reporting ids listed twice or without a file.
fn take_listed<K: Ord + Clone, T>(
    pool: &mut Pool<K, T>,
    parent: &K,
    parent_path: &str,
    (kind, ids): (ArtifactKind, &[ArtifactId]),
    errors: &mut Vec<TreeError>,
) -> Vec<(String, T)> {
    let mut seen = BTreeSet::new();
    let mut children = Vec::new();
    for id in ids {
        let problem = if !seen.insert(id) {
            Some(TreeErrorKind::ListedTwice { id: id.clone() })
        } else {
            match pool.remove(&(parent.clone(), id.clone())) {
                Some(Parsed {
                    path,
                    value: Some(value),
                }) => {
                    children.push((path, value));
                    None
                }
                Some(Parsed { value: None, .. }) => None,
                None => Some(TreeErrorKind::MissingChild {
                    kind,
                    id: id.clone(),
                }),
            }
        };
        if let Some(kind) = problem {
            errors.push(TreeError {
                path: parent_path.to_owned(),
                kind,
            });
        }
    }
    children
}

impl<'a> Reader<'a> {
    fn new(options: &'a LayoutOptions, written: &'a WrittenTestCases<'a>) -> Self {
        Self {
            options,
            written,
            keep: true,
            errors: Vec::new(),
            newer_schema: false,
            pools: Pools::default(),
            ids: BTreeMap::new(),
            suite_files: BTreeSet::new(),
            scenario_files: BTreeSet::new(),
            assembled_suites: BTreeMap::new(),
            assembled_scenarios: BTreeMap::new(),
        }
    }

    fn report(&mut self, path: &str, kind: TreeErrorKind) {
        self.newer_schema |= matches!(kind, TreeErrorKind::NewerSchema { .. });
        self.errors.push(TreeError {
            path: path.to_owned(),
            kind,
        });
    }

    /// Keeps a parse result, reporting its error.
    fn parsed<T>(&mut self, path: &str, result: Result<T, TreeErrorKind>) -> Parsed<T> {
        let value = result
            .map_err(|kind| self.report(path, kind))
            .ok()
            .filter(|_| self.keep);
        Parsed {
            path: path.to_owned(),
            value,
        }
    }

    fn add<F: FileSource + ?Sized>(&mut self, path: &str, file: &F, limits: &ReadLimits) {
        if let Err(kind) = self.try_add(path, file, limits) {
            self.report(path, kind);
        }
    }

    fn try_add<F: FileSource + ?Sized>(
        &mut self,
        path: &str,
        file: &F,
        limits: &ReadLimits,
    ) -> Result<(), TreeErrorKind> {
        if let Some(reason) = unsafe_path_reason(path) {
            return Err(TreeErrorKind::UnsafePath { reason });
        }
        let root = || TreeErrorKind::OutsideRoot {
            root: self.options.root().to_owned(),
        };
        let relative = self.options.relative(path).ok_or_else(root)?;
        let limit = match relative == MANIFEST_FILE {
            true => limits.max_manifest_bytes,
            false => limits.max_file_bytes,
        };
        let too_large = || TreeErrorKind::TooLarge {
            size: Some(usize::try_from(file.size()).unwrap_or(usize::MAX)),
            limit,
        };
        let fits = file.size() <= limit as u64;
        if is_manifest_file(relative) && relative != MANIFEST_FILE {
            // A part of the manifest: read with the root, when it names it.
            return match part_name(relative) {
                Some(_) if !fits => Err(too_large()),
                Some(_) => Ok(()),
                None => Err(TreeErrorKind::UnknownFile),
            };
        }
        if !fits {
            return Err(too_large());
        }
        if let (
            Some(case),
            Ok(ArtifactPath::TestCase {
                suite,
                scenario,
                id,
            }),
        ) = (file.test_case(), ArtifactPath::parse(relative))
        {
            // A test case read already: taken as it is.
            self.claim(&id, false, path)?;
            let case = match case.id == id {
                true => Ok(case.clone()),
                false => Err(TreeErrorKind::IdMismatch {
                    in_name: id.clone(),
                    in_file: case.id.clone(),
                }),
            };
            let parsed = self.parsed(path, case);
            self.pools
                .test_cases
                .insert(((suite, scenario), id), parsed);
            return Ok(());
        }
        let bytes = &*file.bytes();
        if relative == MANIFEST_FILE {
            self.pools.manifest = Some(self.parsed(path, read_manifest_file(bytes)));
            return Ok(());
        }
        let place = ArtifactPath::parse(relative).map_err(|problem| match problem {
            PathProblem::Unknown => TreeErrorKind::UnknownFile,
            PathProblem::InvalidId(error) => TreeErrorKind::InvalidId(error),
        })?;
        match place {
            ArtifactPath::Project => {
                self.pools.project = Some(self.parsed(path, parse_versioned(bytes)))
            }
            ArtifactPath::Suite { id } => {
                self.claim(&id, false, path)?;
                self.suite_files.insert(id.clone());
                let parsed = self.parsed(path, parse_artifact(bytes, &id, |r: &SuiteRecord| &r.id));
                self.pools.suites.insert(((), id), parsed);
            }
            ArtifactPath::Scenario { suite, id } => {
                self.claim(&id, false, path)?;
                self.scenario_files.insert((suite.clone(), id.clone()));
                let parsed =
                    self.parsed(path, parse_artifact(bytes, &id, |r: &ScenarioRecord| &r.id));
                self.pools.scenarios.insert((suite, id), parsed);
            }
            ArtifactPath::TestCase {
                suite,
                scenario,
                id,
            } => {
                self.claim(&id, false, path)?;
                let case = parse_artifact(bytes, &id, |r: &TestCase| &r.id).map(|case| match self
                    .written
                    .get(path)
                {
                    Some(sha256) => {
                        let file = WrittenFile::read(&case, bytes, sha256.clone());
                        Tracked::with_written(case, file)
                    }
                    None => Tracked::new(case),
                });
                let parsed = self.parsed(path, case);
                self.pools
                    .test_cases
                    .insert(((suite, scenario), id), parsed);
            }
            ArtifactPath::ElementRepository { id } => {
                self.claim(&id, false, path)?;
                let parsed = self.parsed(
                    path,
                    parse_artifact(bytes, &id, |r: &ElementRepository| &r.id),
                );
                self.pools.element_repositories.insert(((), id), parsed);
            }
            ArtifactPath::DataTable { id } => {
                self.claim(&id, false, path)?;
                let parsed = self.parsed(
                    path,
                    parse_artifact(bytes, &id, |r: &DataTableRecord| &r.id),
                );
                self.pools.data_tables.insert(((), id), parsed);
            }
            ArtifactPath::DataTableRows { id } => {
                self.claim(&id, true, path)?;
                let parsed =
                    self.parsed(path, csv::decode(bytes).map_err(TreeErrorKind::InvalidCsv));
                self.pools.data_table_rows.insert(((), id), parsed);
            }
            ArtifactPath::ExecutionList { id } => {
                self.claim(&id, false, path)?;
                let parsed =
                    self.parsed(path, parse_artifact(bytes, &id, |r: &ExecutionList| &r.id));
                self.pools.execution_lists.insert(((), id), parsed);
            }
        }
        Ok(())
    }

    /// Records the first file of an id; a second file with the same id is an error.
    fn claim(&mut self, id: &ArtifactId, rows: bool, path: &str) -> Result<(), TreeErrorKind> {
        match self.ids.get(&(id.clone(), rows)) {
            Some(first) => Err(TreeErrorKind::DuplicateId {
                id: id.clone(),
                first: first.clone(),
            }),
            None => {
                self.ids.insert((id.clone(), rows), path.to_owned());
                Ok(())
            }
        }
    }

    /// Compares every file with the manifest, for files that have no other problem.
    fn check_manifest<B: FileSource>(&mut self, files: &BTreeMap<String, B>) {
        let Some(Parsed {
            value: Some(file), ..
        }) = self.pools.manifest.take()
        else {
            return;
        };
        let manifest = match manifest_of_file(file, files, self.options) {
            Ok(manifest) => manifest,
            Err(error) => return self.report(&error.path, error.kind),
        };
        let troubled: BTreeSet<String> =
            self.errors.iter().map(|error| error.path.clone()).collect();
        let listed: BTreeMap<&str, &str> = manifest
            .files
            .iter()
            .map(|entry| (entry.path.as_ref(), &*entry.sha256))
            .collect();
        for (path, expected) in &listed {
            match files.get(*path) {
                None => self.report(path, TreeErrorKind::MissingFile),
                Some(file) if troubled.contains(*path) || *file.sha256() == **expected => {}
                Some(_) => self.report(
                    path,
                    TreeErrorKind::ManifestMismatch {
                        expected: (*expected).to_owned(),
                    },
                ),
            }
        }
        for path in files.keys() {
            let manifest_file = self.options.relative(path).is_some_and(is_manifest_file);
            if !manifest_file && !troubled.contains(path) && !listed.contains_key(path.as_str()) {
                self.report(path, TreeErrorKind::NotInManifest);
            }
        }
    }

    fn finish(mut self) -> Result<Project, TreeErrors> {
        let project = match self.pools.project.take() {
            Some(Parsed {
                path,
                value: Some(record),
            }) => Some(self.assemble(&path, record)),
            Some(Parsed { value: None, .. }) => None,
            None => {
                let path = self.options.full_path(PROJECT_FILE);
                self.report(&path, TreeErrorKind::MissingProjectFile);
                None
            }
        };
        self.report_unplaced(project.is_some());
        if self.newer_schema {
            // Other files may be fine in the newer layout; the version is what to fix.
            self.errors
                .retain(|error| matches!(error.kind, TreeErrorKind::NewerSchema { .. }));
        }
        match project {
            Some(project) if self.errors.is_empty() => Ok(project),
            _ => {
                self.errors.sort_by(|a, b| a.path.cmp(&b.path));
                Err(TreeErrors(self.errors))
            }
        }
    }

    fn assemble(&mut self, path: &str, record: ProjectRecord) -> Project {
        let pools = &mut self.pools;
        let errors = &mut self.errors;
        let suites = take_listed(
            &mut pools.suites,
            &(),
            path,
            (ArtifactKind::Suite, &record.suites),
            errors,
        );
        let repositories = (
            ArtifactKind::ElementRepository,
            record.element_repositories.as_slice(),
        );
        let element_repositories = take_listed(
            &mut pools.element_repositories,
            &(),
            path,
            repositories,
            errors,
        );
        let tables = take_listed(
            &mut pools.data_tables,
            &(),
            path,
            (ArtifactKind::DataTable, &record.data_tables),
            errors,
        );
        let lists = (
            ArtifactKind::ExecutionList,
            record.execution_lists.as_slice(),
        );
        let execution_lists = take_listed(&mut pools.execution_lists, &(), path, lists, errors);
        let data_tables = tables
            .into_iter()
            .filter_map(|(path, table)| self.attach_rows(path, table).map(Tracked::new))
            .collect();
        // Rows of a listed table whose JSON file is missing or unreadable are covered by that file's error.
        let listed_tables: BTreeSet<&ArtifactId> = record.data_tables.iter().collect();
        self.pools
            .data_table_rows
            .retain(|((), id), _| !listed_tables.contains(id));
        Project {
            suites: suites
                .into_iter()
                .map(|(path, suite)| self.assemble_suite(path, suite))
                .collect(),
            element_repositories: element_repositories
                .into_iter()
                .map(|(_, repository)| Tracked::new(repository))
                .collect(),
            data_tables,
            execution_lists: execution_lists
                .into_iter()
                .map(|(_, list)| Tracked::new(list))
                .collect(),
            id: record.id,
            name: record.name,
            description: record.description,
        }
    }

    fn assemble_suite(&mut self, path: String, record: SuiteRecord) -> super::model::TestSuite {
        let listed = (ArtifactKind::Scenario, record.scenarios.as_slice());
        let scenarios = take_listed(
            &mut self.pools.scenarios,
            &record.id,
            &path,
            listed,
            &mut self.errors,
        );
        let suite_id = record.id.clone();
        self.assembled_suites.insert(suite_id.clone(), path);
        let scenarios = scenarios.into_iter().map(|(path, scenario)| {
            let key = (suite_id.clone(), scenario.id.clone());
            let listed = (ArtifactKind::TestCase, scenario.test_cases.as_slice());
            let cases = take_listed(
                &mut self.pools.test_cases,
                &key,
                &path,
                listed,
                &mut self.errors,
            );
            self.assembled_scenarios.insert(key, path);
            scenario.into_scenario(cases.into_iter().map(|(_, case)| case).collect())
        });
        let scenarios = scenarios.collect();
        record.into_suite(scenarios)
    }

    fn attach_rows(&mut self, path: String, record: DataTableRecord) -> Option<DataTable> {
        match self.pools.data_table_rows.remove(&((), record.id.clone())) {
            Some(Parsed {
                value: Some((columns, rows)),
                ..
            }) => Some(record.into_table(columns, rows)),
            Some(Parsed { value: None, .. }) => None,
            None => {
                let missing = path
                    .strip_suffix(".json")
                    .map_or_else(|| path.clone(), |stem| format!("{stem}.csv"));
                self.report(&path, TreeErrorKind::MissingRows { missing });
                None
            }
        }
    }

    /// Reports readable files that no parent placed: not listed, or whose parent has no file.
    fn report_unplaced(&mut self, project_read: bool) {
        let project_path = self.options.full_path(PROJECT_FILE);
        let pools = std::mem::take(&mut self.pools);
        let mut unplaced: Vec<(String, Option<TreeErrorKind>)> = Vec::new();
        let top_level = [
            leftovers(pools.suites),
            leftovers(pools.element_repositories),
            leftovers(pools.data_tables),
            leftovers(pools.data_table_rows),
            leftovers(pools.execution_lists),
        ];
        for path in top_level.into_iter().flatten() {
            let parent = project_read.then(|| project_path.clone());
            unplaced.push((
                path,
                parent.map(|parent| TreeErrorKind::NotListed { parent }),
            ));
        }
        for ((suite, _), parsed) in pools
            .scenarios
            .into_iter()
            .filter(|(_, p)| p.value.is_some())
        {
            let present = self.suite_files.contains(&suite);
            let problem = parent_problem(
                self.assembled_suites.get(&suite),
                present,
                (ArtifactKind::Suite, &suite),
            );
            unplaced.push((parsed.path, problem));
        }
        for (((suite, scenario), _), parsed) in pools
            .test_cases
            .into_iter()
            .filter(|(_, p)| p.value.is_some())
        {
            let key = (suite, scenario);
            let present = self.scenario_files.contains(&key);
            let problem = parent_problem(
                self.assembled_scenarios.get(&key),
                present,
                (ArtifactKind::Scenario, &key.1),
            );
            unplaced.push((parsed.path, problem));
        }
        for (path, problem) in unplaced {
            if let Some(kind) = problem {
                self.report(&path, kind);
            }
        }
    }
}

/// Why a readable child was not placed: its parent did not list it, or its parent has no file. Nothing when
/// the parent has a file that could not be placed itself (that file's own error says why).
fn parent_problem(
    assembled: Option<&String>,
    present: bool,
    (kind, id): (ArtifactKind, &ArtifactId),
) -> Option<TreeErrorKind> {
    match assembled {
        Some(parent_path) => Some(TreeErrorKind::NotListed {
            parent: parent_path.clone(),
        }),
        None if !present => Some(TreeErrorKind::MissingParent {
            kind,
            id: id.clone(),
        }),
        None => None,
    }
}

/// Paths of readable files left in a pool.
fn leftovers<K, T>(pool: Pool<K, T>) -> Vec<String> {
    pool.into_values()
        .filter(|parsed| parsed.value.is_some())
        .map(|parsed| parsed.path)
        .collect()
}
