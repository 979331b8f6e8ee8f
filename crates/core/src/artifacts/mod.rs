//! Test artifacts and their deterministic repository layout.
//!
//! A [`Project`] holds test suites of scenarios of test cases (with steps), element repositories, data
//! tables and execution lists. [`to_files`] writes it as one canonical file per artifact below a root
//! folder, plus `project.json` and a [`Manifest`] of hashes; [`from_files`] reads such a tree back,
//! reporting every problem against its file. See `docs/repository-layout.md` for the format.
//!
//! ```
//! use versioning_core::artifacts::{demo, from_files, to_files, LayoutOptions, ReadLimits};
//! let project = demo::demo_projects().remove(0);
//! let options = LayoutOptions::default();
//! let files = to_files(&project, &options);
//! let read = from_files(&files, &options, &ReadLimits::default()).expect("our own files read back");
//! assert_eq!(read, project);
//! assert_eq!(to_files(&read, &options), files);
//! ```

pub mod archive;
mod canonical;
mod contents;
mod csv;
pub mod demo;
mod edit;
pub mod generate;
mod id;
mod layout;
mod limits;
mod manifest;
mod manifest_cuts;
pub(crate) mod manifest_tree;
mod manifest_walk;
mod model;
mod outline;
mod parse;
pub mod patch;
mod read;
mod records;
pub(crate) mod rng;
mod slug;
mod step;
mod tracked;
mod tree_error;
mod write;

pub use canonical::to_canonical_json;
pub use contents::{FileContents, FileSource};
pub use csv::CsvError;
pub use edit::EditError;
pub use id::{ArtifactId, ArtifactKind, IdError, MAX_ID_LEN};
pub use layout::{
    ArtifactPath, LayoutError, LayoutOptions, ProjectFiles, DEFAULT_ROOT, MANIFEST_FILE,
    PROJECT_FILE, SCHEMA_VERSION,
};
pub use limits::{ReadLimits, MAX_FILE_BYTES, MAX_MANIFEST_BYTES};
pub use manifest::{
    is_commit_hash, sha256_hex, ArtifactKey, Manifest, ManifestChanges, ManifestDiff,
    ManifestEntry, ManifestRefusal, Renamed, MAX_MANIFEST_ENTRIES,
};
pub(crate) use manifest_cuts::in_order;
pub use manifest_tree::{
    is_manifest_file, manifest_in, part_name, part_path, read_manifest_file, read_manifest_part,
    starts_part, ManifestFile, ManifestRoot, ManifestTree, PartOf, Parts, WrittenPart,
    MANIFEST_PARTS, TREE_SCHEMA_VERSION,
};
pub(crate) use manifest_walk::{by_path, held_alike, ByPath};
pub use model::{
    DataTable, Element, ElementRepository, ExecutionEntry, ExecutionList, Locator, LocatorStrategy,
    Project, ReviewState, RunSettings, Scenario, TestCase, TestSuite,
};
pub use outline::{Outline, OutlineItem};
pub use read::{
    file_errors, from_files, from_files_knowing, from_files_written, read_ahead, WrittenTestCases,
};
pub use slug::{is_windows_reserved, slugify, FALLBACK_SLUG, MAX_SLUG_LEN};
pub use step::{Step, StepField};
pub use tracked::{OwnFile, Tracked, Written, WrittenFile};
pub use tree_error::{TreeError, TreeErrorKind, TreeErrors};
pub use write::{
    artifact_files_and_manifest, contents_and_manifest, manifest, shared_files_and_manifest,
    to_files, SharedFiles,
};
