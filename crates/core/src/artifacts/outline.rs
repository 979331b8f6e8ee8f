//! The first level of a project's trees, kept beside a stored project so that its explorer shows the
//! suites, element repositories, data tables and execution lists before the project is read whole.

use serde::{Deserialize, Serialize};

use super::{ArtifactId, Project};

/// An artifact of a tree's first level: its id and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutlineItem {
    /// The artifact's id.
    pub id: ArtifactId,
    /// Its display name.
    pub name: String,
}

/// The first level of each of a project's trees, in the project's order: what [`Project::outline`] gives.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outline {
    /// The test suites.
    pub suites: Vec<OutlineItem>,
    /// The element repositories.
    pub element_repositories: Vec<OutlineItem>,
    /// The data tables.
    pub data_tables: Vec<OutlineItem>,
    /// The execution lists.
    pub execution_lists: Vec<OutlineItem>,
}

impl Project {
    /// The first level of this project's trees.
    pub fn outline(&self) -> Outline {
        fn items<'a>(
            pairs: impl Iterator<Item = (&'a ArtifactId, &'a String)>,
        ) -> Vec<OutlineItem> {
            pairs
                .map(|(id, name)| OutlineItem {
                    id: id.clone(),
                    name: name.clone(),
                })
                .collect()
        }
        Outline {
            suites: items(self.suites.iter().map(|a| (&a.id, &a.name))),
            element_repositories: items(self.element_repositories.iter().map(|a| (&a.id, &a.name))),
            data_tables: items(self.data_tables.iter().map(|a| (&a.id, &a.name))),
            execution_lists: items(self.execution_lists.iter().map(|a| (&a.id, &a.name))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifacts::demo::demo_projects;

    #[test]
    fn an_outline_lists_each_first_level_in_order() {
        for project in demo_projects() {
            let outline = project.outline();
            let ids =
                |items: &[OutlineItem]| items.iter().map(|i| i.id.clone()).collect::<Vec<_>>();
            let names =
                |items: &[OutlineItem]| items.iter().map(|i| i.name.clone()).collect::<Vec<_>>();
            assert_eq!(
                ids(&outline.suites),
                project
                    .suites
                    .iter()
                    .map(|a| a.id.clone())
                    .collect::<Vec<_>>()
            );
            assert_eq!(
                names(&outline.suites),
                project
                    .suites
                    .iter()
                    .map(|a| a.name.clone())
                    .collect::<Vec<_>>()
            );
            let repositories = project.element_repositories.iter().map(|a| a.name.clone());
            assert_eq!(
                names(&outline.element_repositories),
                repositories.collect::<Vec<_>>()
            );
            let tables = project.data_tables.iter().map(|a| a.id.clone());
            assert_eq!(ids(&outline.data_tables), tables.collect::<Vec<_>>());
            let lists = project.execution_lists.iter().map(|a| a.id.clone());
            assert_eq!(ids(&outline.execution_lists), lists.collect::<Vec<_>>());
        }
    }

    #[test]
    fn an_outline_reads_back_as_written() {
        let outline = demo_projects().remove(0).outline();
        let json = serde_json::to_string(&outline).expect("an outline is written");
        assert_eq!(
            serde_json::from_str::<Outline>(&json).expect("and read back"),
            outline
        );
    }
}
