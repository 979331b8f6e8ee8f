//! The shapes of the JSON files whose artifacts have children stored in other files: they hold the
//! children's ids, in order, instead of the children. Test cases, element repositories and execution
//! lists are written as their model types.

use serde::{Deserialize, Serialize};

use super::id::ArtifactId;
use super::model::{DataTable, Project, ReviewState, Scenario, TestSuite};

/// `project.json`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProjectRecord {
    pub(crate) schema_version: u32,
    pub(crate) id: ArtifactId,
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) suites: Vec<ArtifactId>,
    pub(crate) element_repositories: Vec<ArtifactId>,
    pub(crate) data_tables: Vec<ArtifactId>,
    pub(crate) execution_lists: Vec<ArtifactId>,
}

/// Only the version of `project.json` or `.manifest.json`, read before anything else so that a newer
/// layout is reported as such instead of as a pile of unknown fields.
#[derive(Debug, Deserialize)]
pub(crate) struct VersionProbe {
    pub(crate) schema_version: u32,
}

/// A suite file.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SuiteRecord {
    pub(crate) id: ArtifactId,
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) review_state: ReviewState,
    pub(crate) scenarios: Vec<ArtifactId>,
}

/// A scenario file.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ScenarioRecord {
    pub(crate) id: ArtifactId,
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) review_state: ReviewState,
    pub(crate) test_cases: Vec<ArtifactId>,
}

/// A data table's JSON file; its columns and rows are in the CSV file beside it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DataTableRecord {
    pub(crate) id: ArtifactId,
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) review_state: ReviewState,
}

fn ids<'a, T: 'a>(items: &'a [T], id: impl Fn(&T) -> &ArtifactId) -> Vec<ArtifactId> {
    items.iter().map(|item| id(item).clone()).collect()
}

impl ProjectRecord {
    pub(crate) fn of(project: &Project, schema_version: u32) -> Self {
        Self {
            schema_version,
            id: project.id.clone(),
            name: project.name.clone(),
            description: project.description.clone(),
            suites: ids(&project.suites, |a| &a.id),
            element_repositories: ids(&project.element_repositories, |a| &a.id),
            data_tables: ids(&project.data_tables, |a| &a.id),
            execution_lists: ids(&project.execution_lists, |a| &a.id),
        }
    }
}

impl SuiteRecord {
    pub(crate) fn of(suite: &TestSuite) -> Self {
        Self {
            id: suite.id.clone(),
            name: suite.name.clone(),
            description: suite.description.clone(),
            review_state: suite.review_state,
            scenarios: ids(&suite.scenarios, |a| &a.id),
        }
    }

    pub(crate) fn into_suite(self, scenarios: Vec<Scenario>) -> TestSuite {
        TestSuite {
            id: self.id,
            name: self.name,
            description: self.description,
            review_state: self.review_state,
            scenarios,
        }
    }
}

impl ScenarioRecord {
    pub(crate) fn of(scenario: &Scenario) -> Self {
        Self {
            id: scenario.id.clone(),
            name: scenario.name.clone(),
            description: scenario.description.clone(),
            review_state: scenario.review_state,
            test_cases: ids(&scenario.test_cases, |a| &a.id),
        }
    }

    pub(crate) fn into_scenario(
        self,
        test_cases: Vec<super::tracked::Tracked<super::model::TestCase>>,
    ) -> Scenario {
        Scenario {
            id: self.id,
            name: self.name,
            description: self.description,
            review_state: self.review_state,
            test_cases,
        }
    }
}

impl DataTableRecord {
    pub(crate) fn of(table: &DataTable) -> Self {
        Self {
            id: table.id.clone(),
            name: table.name.clone(),
            description: table.description.clone(),
            review_state: table.review_state,
        }
    }

    pub(crate) fn into_table(self, columns: Vec<String>, rows: Vec<Vec<String>>) -> DataTable {
        DataTable {
            id: self.id,
            name: self.name,
            description: self.description,
            review_state: self.review_state,
            columns,
            rows,
        }
    }
}
