//! Writing a project as files in the layout, with their manifest, through a [`FileMemo`] when there is one.

use std::hash::Hash;

use super::canonical::to_canonical_json;
use super::csv;
use super::id::ArtifactId;
use super::layout::{ArtifactPath, LayoutOptions, ProjectFiles, MANIFEST_FILE, SCHEMA_VERSION};
use super::manifest::{sha256_hex, Manifest, ManifestEntry};
use super::manifest_tree::part_path;
use super::memo::FileMemo;
use super::model::Project;
use super::records::{DataTableRecord, ProjectRecord, ScenarioRecord, SuiteRecord};

/// One written file: its manifest entry (path, hash, id, kind) and its bytes.
type WrittenFile = (ManifestEntry, Vec<u8>);

/// Collects written files with their manifest entries, through a memo when there is one.
struct Writer<'a> {
    options: &'a LayoutOptions,
    files: Vec<WrittenFile>,
    memo: Option<&'a mut FileMemo>,
    /// Whether the files' bytes are wanted (else only their manifest entries).
    keep_bytes: bool,
}

impl Writer<'_> {
    /// Adds the file of a record (project, suite, scenario, data table): small, written each time (and
    /// kept by the memo, when there is one, with the files it remembers).
    fn add(&mut self, place: ArtifactPath, id: &ArtifactId, name: &str, bytes: Vec<u8>) {
        let path = self.options.full_path(&place.relative(name));
        let sha256 = sha256_hex(&bytes);
        let bytes = match self.memo.as_deref_mut() {
            Some(memo) => memo.written(&path, &sha256, bytes, self.keep_bytes),
            None => bytes,
        };
        self.push(place, id, path, sha256, bytes);
    }

    /// Adds the file `write` makes of `value`, from the memo when `value` did not change since its last write.
    fn add_value<T: Hash + ?Sized>(
        &mut self,
        place: ArtifactPath,
        id: &ArtifactId,
        name: &str,
        value: &T,
        write: impl FnOnce(&T) -> Vec<u8>,
    ) {
        let path = self.options.full_path(&place.relative(name));
        let (sha256, bytes) = match self.memo.as_deref_mut() {
            Some(memo) => memo.file(&path, value, write, self.keep_bytes),
            None => {
                let bytes = write(value);
                (sha256_hex(&bytes), bytes)
            }
        };
        self.push(place, id, path, sha256, bytes);
    }

    fn push(
        &mut self,
        place: ArtifactPath,
        id: &ArtifactId,
        path: String,
        sha256: String,
        bytes: Vec<u8>,
    ) {
        let entry = ManifestEntry {
            path,
            sha256,
            id: id.clone(),
            kind: place.kind(),
        };
        self.files.push((entry, bytes));
    }
}

/// Every file of the project except the manifest (with empty bytes unless `keep_bytes`).
fn artifact_files(
    project: &Project,
    options: &LayoutOptions,
    memo: Option<&mut FileMemo>,
    keep_bytes: bool,
) -> Vec<WrittenFile> {
    let mut out = Writer {
        options,
        files: Vec::new(),
        memo,
        keep_bytes,
    };
    let record = ProjectRecord::of(project, SCHEMA_VERSION);
    out.add(
        ArtifactPath::Project,
        &project.id,
        &project.name,
        to_canonical_json(&record),
    );
    for suite in &project.suites {
        let place = ArtifactPath::Suite {
            id: suite.id.clone(),
        };
        out.add(
            place,
            &suite.id,
            &suite.name,
            to_canonical_json(&SuiteRecord::of(suite)),
        );
        for scenario in &suite.scenarios {
            let place = ArtifactPath::Scenario {
                suite: suite.id.clone(),
                id: scenario.id.clone(),
            };
            out.add(
                place,
                &scenario.id,
                &scenario.name,
                to_canonical_json(&ScenarioRecord::of(scenario)),
            );
            for case in &scenario.test_cases {
                let place = ArtifactPath::TestCase {
                    suite: suite.id.clone(),
                    scenario: scenario.id.clone(),
                    id: case.id.clone(),
                };
                out.add_value(place, &case.id, &case.name, case, to_canonical_json);
            }
        }
    }
    for repository in &project.element_repositories {
        let place = ArtifactPath::ElementRepository {
            id: repository.id.clone(),
        };
        out.add_value(
            place,
            &repository.id,
            &repository.name,
            repository,
            to_canonical_json,
        );
    }
    for table in &project.data_tables {
        let place = ArtifactPath::DataTable {
            id: table.id.clone(),
        };
        out.add(
            place,
            &table.id,
            &table.name,
            to_canonical_json(&DataTableRecord::of(table)),
        );
        let place = ArtifactPath::DataTableRows {
            id: table.id.clone(),
        };
        out.add_value(
            place,
            &table.id,
            &table.name,
            &(&table.columns, &table.rows),
            |(columns, rows)| csv::encode(columns, rows),
        );
    }
    for list in &project.execution_lists {
        let place = ArtifactPath::ExecutionList {
            id: list.id.clone(),
        };
        out.add_value(place, &list.id, &list.name, list, to_canonical_json);
    }
    if let Some(memo) = out.memo {
        memo.finish();
    }
    out.files
}

/// Writes a project as files: one per artifact (two per data table), `project.json` and the manifest (its
/// root and parts).
/// The same project always gives the same bytes. Ids must be unique within the project (the edit
/// functions and [`super::from_files`] guarantee it).
///
/// ```
/// use versioning_core::artifacts::{demo, from_files, to_files, LayoutOptions, ReadLimits};
/// let project = &demo::demo_projects()[0];
/// let options = LayoutOptions::default();
/// let files = to_files(project, &options);
/// assert!(files.contains_key("test-artifacts/project.json"));
/// assert_eq!(&from_files(&files, &options, &ReadLimits::default()).unwrap(), project);
/// ```
pub fn to_files(project: &Project, options: &LayoutOptions) -> ProjectFiles {
    let (mut files, manifest) = artifact_files_and_manifest(project, options);
    let tree = manifest.tree();
    files.insert(options.full_path(MANIFEST_FILE), tree.root);
    for part in tree.parts {
        files.insert(part_path(options, &part.name), part.bytes);
    }
    files
}

/// The files of [`to_files`] but the manifest, and the manifest itself (not written out).
pub fn artifact_files_and_manifest(
    project: &Project,
    options: &LayoutOptions,
) -> (ProjectFiles, Manifest) {
    files_and_manifest(project, options, None)
}

/// [`artifact_files_and_manifest`], through `memo` when there is one.
pub(crate) fn files_and_manifest(
    project: &Project,
    options: &LayoutOptions,
    memo: Option<&mut FileMemo>,
) -> (ProjectFiles, Manifest) {
    let written = artifact_files(project, options, memo, true);
    let manifest = Manifest::from_entries(written.iter().map(|(entry, _)| entry.clone()).collect());
    let files = written
        .into_iter()
        .map(|(entry, bytes)| (entry.path, bytes))
        .collect();
    (files, manifest)
}

/// The manifest of a project as [`to_files`] would write it: every file's path, SHA-256, id and kind.
/// [`Manifest::by_artifact`] turns it into the map artifact → (path, hash) that push and pull compare.
pub fn manifest(project: &Project, options: &LayoutOptions) -> Manifest {
    manifest_of(project, options, None)
}

/// [`manifest`], through `memo` when there is one.
pub(crate) fn manifest_of(
    project: &Project,
    options: &LayoutOptions,
    memo: Option<&mut FileMemo>,
) -> Manifest {
    Manifest::from_entries(
        artifact_files(project, options, memo, false)
            .into_iter()
            .map(|(entry, _)| entry)
            .collect(),
    )
}

/// Writes through the memo: its files are those of the last write where an artifact did not change.
impl FileMemo {
    /// The files of `project` but the manifest, and the manifest: what
    /// [`artifact_files_and_manifest`] gives, from the memo where an artifact did not change.
    pub fn files_and_manifest(
        &mut self,
        project: &Project,
        options: &LayoutOptions,
    ) -> (ProjectFiles, Manifest) {
        files_and_manifest(project, options, Some(self))
    }

    /// The manifest of `project`: what [`manifest`] gives, from the memo where an artifact did not
    /// change.
    pub fn manifest(&mut self, project: &Project, options: &LayoutOptions) -> Manifest {
        manifest_of(project, options, Some(self))
    }
}
