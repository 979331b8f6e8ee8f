//! The projects of the workspace: what a store keeps of each, and the first-start demo content.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use versioning_core::artifacts::{demo, manifest, ArtifactId, LayoutOptions, Manifest, Project};

use crate::services::project_store::{ProjectStore, StoreError};

/// What the navigation needs to know of a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectSummary {
    /// Id used in URLs.
    pub id: String,
    /// Display name.
    pub name: String,
    /// One-line description.
    pub description: String,
    /// How many test suites it has.
    pub suites: usize,
    /// How many test cases it has.
    pub test_cases: usize,
}

/// A project as the workspace keeps it: its artifacts, and the manifest of the last state shared with
/// the repository (the last import, push or pull), against which local changes are found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredProject {
    /// The artifacts as edited here.
    pub project: Project,
    /// The manifest of the last import, push or pull.
    pub baseline: Manifest,
}

impl StoredProject {
    /// A project whose current state is its baseline (just imported, or a demo as shipped).
    pub fn at_baseline(project: Project) -> Self {
        let baseline = manifest(&project, &LayoutOptions::default());
        StoredProject { project, baseline }
    }

    /// The artifacts changed since the baseline.
    pub fn local_changes(&self) -> LocalChanges {
        let current = manifest(&self.project, &LayoutOptions::default());
        let diff = self.baseline.diff(&current);
        let changed = diff
            .added
            .iter()
            .chain(&diff.modified)
            .chain(diff.renamed.iter().map(|renamed| &renamed.to))
            .map(|entry| entry.id.clone())
            .collect();
        let deleted: BTreeSet<&ArtifactId> = diff.removed.iter().map(|entry| &entry.id).collect();
        LocalChanges {
            changed,
            deleted: deleted.len(),
        }
    }

    /// The summary shown in lists.
    pub fn summary(&self) -> ProjectSummary {
        let project = &self.project;
        ProjectSummary {
            id: project.id.to_string(),
            name: project.name.clone(),
            description: project.description.clone(),
            suites: project.suites.len(),
            test_cases: project.test_cases().count(),
        }
    }
}

/// What differs between a project and its baseline, found by comparing the SHA-256 of every file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocalChanges {
    /// Artifacts whose file is new, modified or moved (a rename moves it).
    pub changed: BTreeSet<ArtifactId>,
    /// How many artifacts of the baseline are gone.
    pub deleted: usize,
}

/// Every project of the store; an empty store (the first start) is first filled with the demo projects.
pub async fn list_or_seed(store: &dyn ProjectStore) -> Result<Vec<ProjectSummary>, StoreError> {
    let projects = store.list().await?;
    if !projects.is_empty() {
        return Ok(projects);
    }
    for project in demo::demo_projects() {
        store.save(&StoredProject::at_baseline(project)).await?;
    }
    store.list().await
}
