//! Writing a project as files in the layout, with their manifest: each artifact stored as a file of
//! its own is written once while it does not change ([`Tracked`]); the small records (project, suites,
//! scenarios, data tables) are written each time.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::canonical::to_canonical_json;
use super::contents::{FileContents, FileSource};
use super::id::ArtifactId;
use super::layout::{ArtifactPath, LayoutOptions, ProjectFiles, MANIFEST_FILE, SCHEMA_VERSION};
use super::manifest::{sha256_hex, Manifest, ManifestEntry};
use super::manifest_tree::part_path;
use super::model::Project;
use super::records::{DataTableRecord, ProjectRecord, ScenarioRecord, SuiteRecord};
use super::tracked::{Tracked, Written, WrittenFile};

/// Files by repository path, each an artifact's own (written when its bytes are asked for) or bytes:
/// what a push or pull compares and sends, without a copy of every file.
pub type SharedFiles = BTreeMap<String, FileContents>;

/// Collects written files with their manifest entries.
struct Writer<'a> {
    options: &'a LayoutOptions,
    files: Vec<(ManifestEntry, FileContents)>,
}

impl Writer<'_> {
    /// Adds the file of a record (project, suite, scenario, data table): small, written each time.
    fn add(&mut self, place: ArtifactPath, id: &ArtifactId, name: &str, bytes: Vec<u8>) {
        let sha256 = sha256_hex(&bytes).into();
        self.push(place, id, name, sha256, bytes.into());
    }

    /// Adds the file of an artifact stored as a file of its own: hashed when last written while the
    /// artifact has not changed since, its bytes written when they are asked for.
    fn add_own<T: Written<Form = WrittenFile>>(
        &mut self,
        place: ArtifactPath,
        id: &ArtifactId,
        name: &str,
        value: &Tracked<T>,
    ) where
        FileContents: From<Tracked<T>>,
    {
        let sha256 = value.written().sha256.clone();
        self.push(place, id, name, sha256, value.clone().into());
    }

    fn push(
        &mut self,
        place: ArtifactPath,
        id: &ArtifactId,
        name: &str,
        sha256: Arc<str>,
        contents: FileContents,
    ) {
        let entry = ManifestEntry {
            path: self.options.full_path(&place.relative(name)).into(),
            sha256,
            id: id.clone(),
            kind: place.kind(),
        };
        self.files.push((entry, contents));
    }
}

/// Every file of the project except the manifest, with its manifest entry.
fn artifact_files(
    project: &Project,
    options: &LayoutOptions,
) -> Vec<(ManifestEntry, FileContents)> {
    let mut out = Writer {
        options,
        files: Vec::new(),
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
                out.add_own(place, &case.id, &case.name, case);
            }
        }
    }
    for repository in &project.element_repositories {
        let place = ArtifactPath::ElementRepository {
            id: repository.id.clone(),
        };
        out.add_own(place, &repository.id, &repository.name, repository);
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
        out.add_own(place, &table.id, &table.name, table);
    }
    for list in &project.execution_lists {
        let place = ArtifactPath::ExecutionList {
            id: list.id.clone(),
        };
        out.add_own(place, &list.id, &list.name, list);
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
    let (files, manifest) = shared_files_and_manifest(project, options);
    let files = files
        .into_iter()
        .map(|(path, contents)| (path, contents.bytes().into_owned()))
        .collect();
    (files, manifest)
}

/// [`artifact_files_and_manifest`] with the artifacts' own files as the artifacts (their bytes written
/// when asked for), not as bytes.
pub fn shared_files_and_manifest(
    project: &Project,
    options: &LayoutOptions,
) -> (SharedFiles, Manifest) {
    let (contents, manifest) = contents_and_manifest(project, options);
    let paths = manifest.files.iter().map(|entry| entry.path.to_string());
    (paths.zip(contents).collect(), manifest)
}

/// The contents of the project's files but the manifest, each at its entry's index in the manifest
/// (in path order), and the manifest: [`shared_files_and_manifest`] without a map by path.
pub fn contents_and_manifest(
    project: &Project,
    options: &LayoutOptions,
) -> (Vec<FileContents>, Manifest) {
    let mut written = artifact_files(project, options);
    // Sorted once: the manifest and the contents then take them in order.
    written.sort_unstable_by(|(a, _), (b, _)| a.path.cmp(&b.path));
    let (entries, contents) = written.into_iter().unzip();
    (contents, Manifest::from_entries(entries))
}

/// The manifest of a project as [`to_files`] would write it: every file's path, SHA-256, id and kind.
/// [`Manifest::by_artifact`] turns it into the map artifact → (path, hash) that push and pull compare.
pub fn manifest(project: &Project, options: &LayoutOptions) -> Manifest {
    Manifest::from_entries(
        artifact_files(project, options)
            .into_iter()
            .map(|(entry, _)| entry)
            .collect(),
    )
}
