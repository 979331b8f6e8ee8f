//! The test-artifact model: plain data, no volatile fields (no run timestamps), so that the same project
//! always serialises to the same bytes.

use serde::{Deserialize, Serialize};

use super::canonical::to_canonical_json;
use super::csv;
use super::id::ArtifactId;
use super::step::Step;
use super::tracked::{OwnFile, Tracked, Written, WrittenFile};

/// Where an artifact is in its review (the portal's lifecycle before and after a push).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    /// Just created.
    #[default]
    New,
    /// Being worked on.
    InProgress,
    /// Sent to a reviewer; locked for its author.
    UnderReview,
    /// Accepted by a reviewer.
    Approved,
    /// Sent back by a reviewer.
    Rejected,
}

/// A project: its test suites and the artifacts they share. Vectors keep the order the user chose.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Project {
    /// Short machine id, usable in URLs (`checkout-web`).
    pub id: ArtifactId,
    /// Display name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Test suites (modules), in order.
    pub suites: Vec<TestSuite>,
    /// Element repositories (screens), in order.
    pub element_repositories: Vec<Tracked<ElementRepository>>,
    /// Data tables, in order.
    pub data_tables: Vec<Tracked<DataTable>>,
    /// Execution lists, in order.
    pub execution_lists: Vec<Tracked<ExecutionList>>,
}

/// A test suite (a module of the portal): an ordered list of scenarios.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestSuite {
    /// Stable id.
    pub id: ArtifactId,
    /// Display name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Review state.
    pub review_state: ReviewState,
    /// Scenarios, in order.
    pub scenarios: Vec<Scenario>,
}

/// A scenario: an ordered list of test cases.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Stable id.
    pub id: ArtifactId,
    /// Display name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Review state.
    pub review_state: ReviewState,
    /// Test cases, in order.
    pub test_cases: Vec<Tracked<TestCase>>,
}

/// A test case: an ordered list of steps. Stored as one file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestCase {
    /// Stable id.
    pub id: ArtifactId,
    /// Display name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Review state.
    pub review_state: ReviewState,
    /// Steps, in execution order.
    pub steps: Vec<Step>,
}

/// An element repository: one screen and its named objects. Stored as one file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ElementRepository {
    /// Stable id.
    pub id: ArtifactId,
    /// Display name (usually the screen's name).
    pub name: String,
    /// Free text.
    pub description: String,
    /// Review state.
    pub review_state: ReviewState,
    /// The screen's objects, in order.
    pub elements: Vec<Element>,
}

/// A named object on a screen and the ways to find it, tried in order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Element {
    /// The name steps use.
    pub name: String,
    /// Locators, most preferred first.
    pub locators: Vec<Locator>,
}

/// One way to find an element.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Locator {
    /// How `value` is interpreted.
    pub strategy: LocatorStrategy,
    /// The selector, id, path or text.
    pub value: String,
}

/// Locator strategies, as automation drivers know them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LocatorStrategy {
    /// The element's `id` attribute.
    Id,
    /// The element's `name` attribute.
    Name,
    /// A CSS selector.
    Css,
    /// An XPath expression.
    Xpath,
    /// The text of a link.
    LinkText,
    /// A mobile accessibility id.
    AccessibilityId,
    /// The visible text.
    Text,
}

/// A data table: named columns and rows of text cells. Stored as a JSON file and a CSV file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataTable {
    /// Stable id.
    pub id: ArtifactId,
    /// Display name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Review state.
    pub review_state: ReviewState,
    /// Column names, in order.
    pub columns: Vec<String>,
    /// Rows of cells, in order; a row normally has one cell per column.
    pub rows: Vec<Vec<String>>,
}

/// An execution list: test suites to run, in order, and how to run them. Stored as one file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExecutionList {
    /// Stable id.
    pub id: ArtifactId,
    /// Display name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Review state.
    pub review_state: ReviewState,
    /// How the list runs.
    pub settings: RunSettings,
    /// The suites to run, in order.
    pub entries: Vec<ExecutionEntry>,
}

/// Run settings of an execution list.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSettings {
    /// Browser or device (`chrome`, `firefox`, `android`, ...).
    pub browser: String,
    /// Target environment (`staging`, `production`, ...).
    pub environment: String,
    /// How often a failed test case is retried.
    pub retries: u32,
    /// How many test cases run at the same time (1 = one after another).
    pub parallel: u32,
}

impl Default for RunSettings {
    fn default() -> Self {
        Self {
            browser: "chrome".to_owned(),
            environment: "staging".to_owned(),
            retries: 0,
            parallel: 1,
        }
    }
}

/// One suite of an execution list, referenced by id, optionally driven by a data table.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExecutionEntry {
    /// The suite to run.
    pub suite: ArtifactId,
    /// The data table that feeds it, if any.
    pub data_table: Option<ArtifactId>,
}

/// Mutable access to the fields every artifact has, for edits that work on any kind.
pub(crate) struct HeaderMut<'a> {
    pub(crate) name: &'a mut String,
    pub(crate) description: &'a mut String,
    pub(crate) review_state: &'a mut ReviewState,
}

/// What every artifact kind shares: a stable id, a name, a description and a review state.
pub(crate) trait Artifact {
    /// The stable id.
    fn id(&self) -> &ArtifactId;
    /// Mutable name, description and review state.
    fn header_mut(&mut self) -> HeaderMut<'_>;
}

/// Implements [`Artifact`] and a `new` constructor (empty description, state New, other fields default).
macro_rules! artifact_kind {
    ($kind:ident, $($rest:ident),+) => {
        impl $kind {
            /// A new, empty artifact with this id and name (empty description, review state New).
            pub fn new(id: ArtifactId, name: impl Into<String>) -> Self {
                Self {
                    id,
                    name: name.into(),
                    description: String::new(),
                    review_state: ReviewState::New,
                    $($rest: Default::default()),+
                }
            }
        }

        impl Artifact for $kind {
            fn id(&self) -> &ArtifactId {
                &self.id
            }

            fn header_mut(&mut self) -> HeaderMut<'_> {
                HeaderMut {
                    name: &mut self.name,
                    description: &mut self.description,
                    review_state: &mut self.review_state,
                }
            }
        }
    };
}

artifact_kind!(TestSuite, scenarios);
artifact_kind!(Scenario, test_cases);
artifact_kind!(TestCase, steps);
artifact_kind!(ElementRepository, elements);
artifact_kind!(DataTable, columns, rows);
artifact_kind!(ExecutionList, settings, entries);

/// A tracked artifact is the artifact; changing its header forgets its file.
impl<T: Artifact + Written + Clone> Artifact for Tracked<T> {
    fn id(&self) -> &ArtifactId {
        (**self).id()
    }

    fn header_mut(&mut self) -> HeaderMut<'_> {
        (**self).header_mut()
    }
}

/// Implements [`OwnFile`] as the artifact's canonical JSON, and [`Written`] as that file.
macro_rules! json_file {
    ($($kind:ident),+) => {
        $(impl OwnFile for $kind {
            fn file_bytes(&self) -> Vec<u8> {
                to_canonical_json(self)
            }
        }

        impl Written for $kind {
            type Form = WrittenFile;

            fn write(&self) -> WrittenFile {
                WrittenFile::of(&self.file_bytes())
            }
        })+
    };
}

json_file!(TestCase, ElementRepository, ExecutionList);

/// A data table's file of its own is its rows (CSV); its record (name, description, state) is
/// written apart.
impl OwnFile for DataTable {
    fn file_bytes(&self) -> Vec<u8> {
        csv::encode(&self.columns, &self.rows)
    }
}

impl Written for DataTable {
    type Form = WrittenFile;

    fn write(&self) -> WrittenFile {
        WrittenFile::of(&self.file_bytes())
    }
}

impl Project {
    /// A new, empty project with this id and name.
    pub fn new(id: ArtifactId, name: impl Into<String>) -> Self {
        Self {
            id,
            name: name.into(),
            description: String::new(),
            suites: Vec::new(),
            element_repositories: Vec::new(),
            data_tables: Vec::new(),
            execution_lists: Vec::new(),
        }
    }

    /// All scenarios of all suites, in order.
    pub fn scenarios(&self) -> impl Iterator<Item = &Scenario> {
        self.suites.iter().flat_map(|suite| &suite.scenarios)
    }

    /// All test cases of the project, in order.
    pub fn test_cases(&self) -> impl Iterator<Item = &TestCase> {
        self.scenarios()
            .flat_map(|scenario| scenario.test_cases.iter().map(|case| &**case))
    }

    /// The ids of every artifact in the project (not the project's own id), in order.
    pub fn artifact_ids(&self) -> impl Iterator<Item = &ArtifactId> {
        let suites = self.suites.iter().map(|a| &a.id);
        let scenarios = self.scenarios().map(|a| &a.id);
        let cases = self.test_cases().map(|a| &a.id);
        let repositories = self.element_repositories.iter().map(|a| &a.id);
        let tables = self.data_tables.iter().map(|a| &a.id);
        let lists = self.execution_lists.iter().map(|a| &a.id);
        suites
            .chain(scenarios)
            .chain(cases)
            .chain(repositories)
            .chain(tables)
            .chain(lists)
    }

    /// The suite with this id.
    pub fn find_suite(&self, id: &ArtifactId) -> Option<&TestSuite> {
        self.suites.iter().find(|a| a.id == *id)
    }

    /// The scenario with this id, in any suite.
    pub fn find_scenario(&self, id: &ArtifactId) -> Option<&Scenario> {
        self.scenarios().find(|a| a.id == *id)
    }

    /// The test case with this id, in any scenario.
    pub fn find_test_case(&self, id: &ArtifactId) -> Option<&TestCase> {
        self.test_cases().find(|a| a.id == *id)
    }

    /// The element repository with this id.
    pub fn find_element_repository(&self, id: &ArtifactId) -> Option<&ElementRepository> {
        self.element_repositories
            .iter()
            .map(|a| &**a)
            .find(|a| a.id == *id)
    }

    /// The data table with this id.
    pub fn find_data_table(&self, id: &ArtifactId) -> Option<&DataTable> {
        self.data_tables.iter().map(|a| &**a).find(|a| a.id == *id)
    }

    /// The execution list with this id.
    pub fn find_execution_list(&self, id: &ArtifactId) -> Option<&ExecutionList> {
        self.execution_lists
            .iter()
            .map(|a| &**a)
            .find(|a| a.id == *id)
    }

    /// The name of the artifact with this id (the project's own name for its id).
    pub fn name_of(&self, id: &ArtifactId) -> Option<&str> {
        if self.id == *id {
            return Some(&self.name);
        }
        self.find_suite(id)
            .map(|a| a.name.as_str())
            .or_else(|| self.find_scenario(id).map(|a| a.name.as_str()))
            .or_else(|| self.find_test_case(id).map(|a| a.name.as_str()))
            .or_else(|| self.find_element_repository(id).map(|a| a.name.as_str()))
            .or_else(|| self.find_data_table(id).map(|a| a.name.as_str()))
            .or_else(|| self.find_execution_list(id).map(|a| a.name.as_str()))
    }

    /// The names of the artifacts `ids` names (the project's own name for its id), by id: what
    /// [`Project::name_of`] gives each, found in one walk of the project instead of one search per id.
    pub fn names_of<'a>(
        &'a self,
        ids: impl IntoIterator<Item = &'a ArtifactId>,
    ) -> std::collections::BTreeMap<&'a ArtifactId, &'a str> {
        let wanted: std::collections::BTreeSet<&ArtifactId> = ids.into_iter().collect();
        let suites = self.suites.iter().map(|a| (&a.id, a.name.as_str()));
        let scenarios = self.scenarios().map(|a| (&a.id, a.name.as_str()));
        let cases = self.test_cases().map(|a| (&a.id, a.name.as_str()));
        let repositories = (self.element_repositories.iter()).map(|a| (&a.id, a.name.as_str()));
        let tables = self.data_tables.iter().map(|a| (&a.id, a.name.as_str()));
        let lists = self
            .execution_lists
            .iter()
            .map(|a| (&a.id, a.name.as_str()));
        let names = [(&self.id, self.name.as_str())].into_iter().chain(suites);
        let names = names.chain(scenarios).chain(cases).chain(repositories);
        // The first of an id wins, as in `name_of`; the walk ends once every id is named.
        let mut by_id = std::collections::BTreeMap::new();
        for (id, name) in names.chain(tables).chain(lists) {
            if by_id.len() == wanted.len() {
                break;
            }
            if wanted.contains(id) {
                by_id.entry(id).or_insert(name);
            }
        }
        by_id
    }

    /// The ids of the artifacts in review state [`ReviewState::Approved`].
    pub fn approved_ids(&self) -> std::collections::BTreeSet<ArtifactId> {
        let approved = |state: &ReviewState| *state == ReviewState::Approved;
        let suites = self
            .suites
            .iter()
            .filter(|s| approved(&s.review_state))
            .map(|s| &s.id);
        let scenarios = self
            .scenarios()
            .filter(|s| approved(&s.review_state))
            .map(|s| &s.id);
        let cases = self
            .test_cases()
            .filter(|c| approved(&c.review_state))
            .map(|c| &c.id);
        let repositories = self
            .element_repositories
            .iter()
            .filter(|r| approved(&r.review_state))
            .map(|r| &r.id);
        let tables = self
            .data_tables
            .iter()
            .filter(|t| approved(&t.review_state))
            .map(|t| &t.id);
        let lists = self
            .execution_lists
            .iter()
            .filter(|l| approved(&l.review_state))
            .map(|l| &l.id);
        suites
            .chain(scenarios)
            .chain(cases)
            .chain(repositories)
            .chain(tables)
            .chain(lists)
            .chain([&self.id])
            .cloned()
            .collect()
    }

    /// The total number of artifacts (suites, scenarios, test cases, repositories, tables, lists).
    pub fn artifact_count(&self) -> usize {
        self.artifact_ids().count()
    }
}
