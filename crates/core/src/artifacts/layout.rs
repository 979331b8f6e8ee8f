//! The repository layout: where each artifact's file lives, and writing a project as files.
//!
//! ```text
//! <root>/project.json
//! <root>/.manifest.json
//! <root>/suites/<slug>--<suite id>.json
//! <root>/suites/<suite id>/scenarios/<slug>--<scenario id>.json
//! <root>/suites/<suite id>/scenarios/<scenario id>/test-cases/<slug>--<test case id>.json
//! <root>/element-repositories/<slug>--<id>.json
//! <root>/data-tables/<slug>--<id>.json   (metadata)
//! <root>/data-tables/<slug>--<id>.csv    (columns and rows)
//! <root>/execution-lists/<slug>--<id>.json
//! ```
//!
//! Folders are named by id only and file names end with the id, so renaming any artifact moves exactly
//! one file, and names never collide.

use std::collections::BTreeMap;

use super::id::{check_id, ArtifactId, ArtifactKind, IdError};
use super::slug::{is_windows_reserved, slugify};

/// The version of this layout, written to `project.json` and `.manifest.json`. A reader refuses trees
/// with a higher version; a change that old readers would misread raises it.
pub const SCHEMA_VERSION: u32 = 2;
/// The folder that holds the artifacts unless configured otherwise.
pub const DEFAULT_ROOT: &str = "test-artifacts";
/// The project's metadata file, directly under the root.
pub const PROJECT_FILE: &str = "project.json";
/// The manifest file, directly under the root.
pub const MANIFEST_FILE: &str = ".manifest.json";

const SUITES: &str = "suites";
const SCENARIOS: &str = "scenarios";
const TEST_CASES: &str = "test-cases";
const ELEMENT_REPOSITORIES: &str = "element-repositories";
const DATA_TABLES: &str = "data-tables";
const EXECUTION_LISTS: &str = "execution-lists";
const ID_SEPARATOR: &str = "--";

/// A project as files: repository path → content, ordered by path.
pub type ProjectFiles = BTreeMap<String, Vec<u8>>;

/// Where in the repository the artifacts live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayoutOptions {
    root: String,
}

impl Default for LayoutOptions {
    fn default() -> Self {
        Self {
            root: DEFAULT_ROOT.to_owned(),
        }
    }
}

/// Why layout options cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LayoutError {
    /// The root folder is not a safe relative path.
    #[error("the root folder {root:?} cannot be used: {reason}; use folder names separated by '/', e.g. \"test-artifacts\"")]
    UnsafeRoot {
        /// The root as given.
        root: String,
        /// What is wrong with it.
        reason: &'static str,
    },
}

impl LayoutOptions {
    /// Options with another root folder (`""` for the repository root). Surrounding slashes are ignored.
    ///
    /// ```
    /// use versioning_core::artifacts::LayoutOptions;
    /// assert_eq!(LayoutOptions::with_root("/qa/artifacts/").unwrap().root(), "qa/artifacts");
    /// assert!(LayoutOptions::with_root("../outside").is_err());
    /// ```
    pub fn with_root(root: &str) -> Result<Self, LayoutError> {
        let trimmed = root.trim_matches('/');
        if !trimmed.is_empty() {
            if let Some(reason) = unsafe_path_reason(trimmed) {
                return Err(LayoutError::UnsafeRoot {
                    root: root.to_owned(),
                    reason,
                });
            }
        }
        Ok(Self {
            root: trimmed.to_owned(),
        })
    }

    /// The root folder, without surrounding slashes (`""` for the repository root).
    pub fn root(&self) -> &str {
        &self.root
    }

    /// The repository path of a path relative to the root.
    pub fn full_path(&self, relative: &str) -> String {
        if self.root.is_empty() {
            relative.to_owned()
        } else {
            format!("{}/{relative}", self.root)
        }
    }

    /// The part of a repository path below the root, or `None` when the path is not below it.
    pub fn relative<'a>(&self, path: &'a str) -> Option<&'a str> {
        if self.root.is_empty() {
            return Some(path);
        }
        path.strip_prefix(self.root.as_str())?.strip_prefix('/')
    }
}

/// Why a path is unsafe to write on some operating system, or `None` when it is safe.
pub(crate) fn unsafe_path_reason(path: &str) -> Option<&'static str> {
    path.split('/').find_map(unsafe_segment_reason)
}

fn unsafe_segment_reason(segment: &str) -> Option<&'static str> {
    let stem = segment
        .split('.')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if segment.is_empty() {
        Some("it has an empty folder name (a leading, doubled or trailing '/')")
    } else if segment == "." || segment == ".." {
        Some("it has a '.' or '..' folder, which points outside its place")
    } else if segment.len() > 255 {
        Some("a name in it is longer than 255 bytes")
    } else if segment
        .chars()
        .any(|c| c.is_control() || matches!(c, '\\' | ':' | '<' | '>' | '"' | '|' | '?' | '*'))
    {
        Some("it holds a control character or one of \\ : < > \" | ? *, which some systems forbid")
    } else if segment.ends_with(['.', ' ']) {
        Some("a name in it ends with a dot or a space, which Windows drops")
    } else if is_windows_reserved(&stem) {
        Some("a name in it is a Windows reserved device name (con, prn, aux, nul, com0-9, lpt0-9)")
    } else {
        None
    }
}

/// The place of one artifact file, relative to the root. Paths are built from ids (and a slug of the
/// name, which [`ArtifactPath::parse`] ignores), so the same artifact always has the same place.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ArtifactPath {
    /// `project.json`.
    Project,
    /// `suites/<slug>--<id>.json`.
    Suite {
        /// The suite.
        id: ArtifactId,
    },
    /// `suites/<suite>/scenarios/<slug>--<id>.json`.
    Scenario {
        /// The suite that holds the scenario.
        suite: ArtifactId,
        /// The scenario.
        id: ArtifactId,
    },
    /// `suites/<suite>/scenarios/<scenario>/test-cases/<slug>--<id>.json`.
    TestCase {
        /// The suite that holds the scenario.
        suite: ArtifactId,
        /// The scenario that holds the test case.
        scenario: ArtifactId,
        /// The test case.
        id: ArtifactId,
    },
    /// `element-repositories/<slug>--<id>.json`.
    ElementRepository {
        /// The repository.
        id: ArtifactId,
    },
    /// `data-tables/<slug>--<id>.json`.
    DataTable {
        /// The table.
        id: ArtifactId,
    },
    /// `data-tables/<slug>--<id>.csv`.
    DataTableRows {
        /// The table.
        id: ArtifactId,
    },
    /// `execution-lists/<slug>--<id>.json`.
    ExecutionList {
        /// The list.
        id: ArtifactId,
    },
}

/// Why a path below the root is not an artifact file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PathProblem {
    /// The path matches none of the layout's patterns.
    Unknown,
    /// The path has the layout's shape but an invalid id.
    InvalidId(IdError),
}

impl From<IdError> for PathProblem {
    fn from(error: IdError) -> Self {
        Self::InvalidId(error)
    }
}

impl ArtifactPath {
    /// The kind of file at this place.
    pub fn kind(&self) -> ArtifactKind {
        match self {
            Self::Project => ArtifactKind::Project,
            Self::Suite { .. } => ArtifactKind::Suite,
            Self::Scenario { .. } => ArtifactKind::Scenario,
            Self::TestCase { .. } => ArtifactKind::TestCase,
            Self::ElementRepository { .. } => ArtifactKind::ElementRepository,
            Self::DataTable { .. } => ArtifactKind::DataTable,
            Self::DataTableRows { .. } => ArtifactKind::DataTableRows,
            Self::ExecutionList { .. } => ArtifactKind::ExecutionList,
        }
    }

    /// The path relative to the root, for an artifact with this name.
    ///
    /// ```
    /// use versioning_core::artifacts::{ArtifactId, ArtifactPath};
    /// let id = ArtifactId::new("t42").unwrap();
    /// let path = ArtifactPath::TestCase { suite: ArtifactId::new("s1").unwrap(), scenario: ArtifactId::new("c7").unwrap(), id };
    /// assert_eq!(path.relative("Pay by card"), "suites/s1/scenarios/c7/test-cases/pay-by-card--t42.json");
    /// ```
    pub fn relative(&self, name: &str) -> String {
        let file = |id: &ArtifactId, extension: &str| {
            format!("{}{ID_SEPARATOR}{id}.{extension}", slugify(name))
        };
        match self {
            Self::Project => PROJECT_FILE.to_owned(),
            Self::Suite { id } => format!("{SUITES}/{}", file(id, "json")),
            Self::Scenario { suite, id } => {
                format!("{SUITES}/{suite}/{SCENARIOS}/{}", file(id, "json"))
            }
            Self::TestCase {
                suite,
                scenario,
                id,
            } => {
                format!(
                    "{SUITES}/{suite}/{SCENARIOS}/{scenario}/{TEST_CASES}/{}",
                    file(id, "json")
                )
            }
            Self::ElementRepository { id } => {
                format!("{ELEMENT_REPOSITORIES}/{}", file(id, "json"))
            }
            Self::DataTable { id } => format!("{DATA_TABLES}/{}", file(id, "json")),
            Self::DataTableRows { id } => format!("{DATA_TABLES}/{}", file(id, "csv")),
            Self::ExecutionList { id } => format!("{EXECUTION_LISTS}/{}", file(id, "json")),
        }
    }

    /// Recognises a path relative to the root (the manifest is not an artifact path).
    pub(crate) fn parse(relative: &str) -> Result<Self, PathProblem> {
        let (kind, [first, second, third]) = recognise(relative)?;
        let id = ArtifactId::checked;
        Ok(match kind {
            ArtifactKind::Project => Self::Project,
            ArtifactKind::Suite => Self::Suite { id: id(first) },
            ArtifactKind::Scenario => Self::Scenario {
                suite: id(first),
                id: id(second),
            },
            ArtifactKind::TestCase => Self::TestCase {
                suite: id(first),
                scenario: id(second),
                id: id(third),
            },
            ArtifactKind::ElementRepository => Self::ElementRepository { id: id(first) },
            ArtifactKind::DataTable => Self::DataTable { id: id(first) },
            ArtifactKind::DataTableRows => Self::DataTableRows { id: id(first) },
            ArtifactKind::ExecutionList => Self::ExecutionList { id: id(first) },
        })
    }

    /// The kind of artifact file at a path relative to the root, recognised as [`ArtifactPath::parse`]
    /// recognises it but without taking its ids (a check of every entry of a large manifest).
    pub(crate) fn kind_of(relative: &str) -> Result<ArtifactKind, PathProblem> {
        recognise(relative).map(|(kind, _)| kind)
    }
}

/// The ids a path names, outermost first (a test case's suite, scenario and own id), unused ones empty.
type PathIds<'a> = [&'a str; 3];

/// The kind of artifact file at a path relative to the root and the ids it names, each checked.
fn recognise(relative: &str) -> Result<(ArtifactKind, PathIds<'_>), PathProblem> {
    // The deepest layout path has six segments: any more is no artifact's.
    let mut segments = [""; 7];
    let mut count = 0;
    for segment in relative.split('/') {
        let slot = segments.get_mut(count).ok_or(PathProblem::Unknown)?;
        *slot = segment;
        count += 1;
    }
    fn checked(text: &str) -> Result<&str, IdError> {
        check_id(text).map(|()| text)
    }
    Ok(match &segments[..count] {
        [PROJECT_FILE] => (ArtifactKind::Project, ["", "", ""]),
        [SUITES, file] => (ArtifactKind::Suite, [file_id(file, ".json")?, "", ""]),
        [SUITES, suite, SCENARIOS, file] => (
            ArtifactKind::Scenario,
            [checked(suite)?, file_id(file, ".json")?, ""],
        ),
        [SUITES, suite, SCENARIOS, scenario, TEST_CASES, file] => (
            ArtifactKind::TestCase,
            [checked(suite)?, checked(scenario)?, file_id(file, ".json")?],
        ),
        [ELEMENT_REPOSITORIES, file] => (
            ArtifactKind::ElementRepository,
            [file_id(file, ".json")?, "", ""],
        ),
        [DATA_TABLES, file] if file.ends_with(".csv") => (
            ArtifactKind::DataTableRows,
            [file_id(file, ".csv")?, "", ""],
        ),
        [DATA_TABLES, file] => (ArtifactKind::DataTable, [file_id(file, ".json")?, "", ""]),
        [EXECUTION_LISTS, file] => (
            ArtifactKind::ExecutionList,
            [file_id(file, ".json")?, "", ""],
        ),
        _ => return Err(PathProblem::Unknown),
    })
}

/// The id at the end of a `<slug>--<id><extension>` file name, checked.
fn file_id<'a>(file: &'a str, extension: &str) -> Result<&'a str, PathProblem> {
    let stem = file.strip_suffix(extension).ok_or(PathProblem::Unknown)?;
    match stem.rsplit_once(ID_SEPARATOR) {
        Some((slug, id)) if !slug.is_empty() => {
            check_id(id)?;
            Ok(id)
        }
        _ => Err(PathProblem::Unknown),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(text: &str) -> ArtifactId {
        ArtifactId::new(text).unwrap()
    }

    #[test]
    fn paths_round_trip_through_parse() {
        let places = [
            ArtifactPath::Project,
            ArtifactPath::Suite { id: id("s1") },
            ArtifactPath::Scenario {
                suite: id("s1"),
                id: id("c2"),
            },
            ArtifactPath::TestCase {
                suite: id("s1"),
                scenario: id("c2"),
                id: id("t3"),
            },
            ArtifactPath::ElementRepository { id: id("e4") },
            ArtifactPath::DataTable { id: id("d5") },
            ArtifactPath::DataTableRows { id: id("d5") },
            ArtifactPath::ExecutionList { id: id("x6") },
        ];
        for place in places {
            for name in ["", "Checkout -- fast", "../x", "con"] {
                let relative = place.relative(name);
                assert_eq!(unsafe_path_reason(&relative), None, "{relative}");
                assert_eq!(
                    ArtifactPath::parse(&relative),
                    Ok(place.clone()),
                    "{relative}"
                );
                assert_eq!(ArtifactPath::kind_of(&relative), Ok(place.kind()));
            }
        }
    }

    #[test]
    fn unknown_and_invalid_paths() {
        for path in [
            "readme.md",
            "suites/x.json",
            "suites/--s1.json",
            "suites/a--s1.txt",
            "data-tables/a/b--d1.csv",
            "suites/s/scenarios/c/test-cases/t/x/a--t1.json",
        ] {
            assert_eq!(
                ArtifactPath::parse(path),
                Err(PathProblem::Unknown),
                "{path}"
            );
            assert_eq!(ArtifactPath::kind_of(path), Err(PathProblem::Unknown));
        }
        for path in [
            "suites/a--S1.json",
            "suites/S/scenarios/a--c1.json",
            "suites/s/scenarios/c-/test-cases/a--t1.json",
        ] {
            assert!(
                matches!(ArtifactPath::parse(path), Err(PathProblem::InvalidId(_))),
                "{path}"
            );
            assert_eq!(
                ArtifactPath::kind_of(path),
                ArtifactPath::parse(path).map(|p| p.kind())
            );
        }
    }

    #[test]
    fn unsafe_paths() {
        for path in [
            "/abs",
            "a//b",
            "a/",
            "..",
            "a/../b",
            "a\\b",
            "c:",
            "a/con.json",
            "a/nul",
            "x.",
            "a\u{0}b",
        ] {
            assert!(unsafe_path_reason(path).is_some(), "{path:?}");
        }
        assert_eq!(unsafe_path_reason("test-artifacts/.manifest.json"), None);
    }

    #[test]
    fn roots() {
        assert_eq!(
            LayoutOptions::with_root("")
                .unwrap()
                .full_path("project.json"),
            "project.json"
        );
        let options = LayoutOptions::with_root("qa/artifacts").unwrap();
        assert_eq!(
            options.relative("qa/artifacts/project.json"),
            Some("project.json")
        );
        assert_eq!(options.relative("qa/artifactsx/project.json"), None);
        assert!(LayoutOptions::with_root("a//b").is_err());
    }
}
