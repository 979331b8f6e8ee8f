//! The projects of the workspace: listing the store, and the first-start demo content.

use versioning_core::artifacts::demo;

pub use crate::services::project_record::{
    repository_key, HistoryEntry, LocalChanges, ProjectSummary, RepositoryBase, StoredProject,
    StoredRecord,
};
use crate::services::project_store::{ProjectStore, StoreError};

/// What the store holds when the projects are listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProjectListing {
    /// The projects (the demo projects after a first start).
    Projects(Vec<ProjectSummary>),
    /// The store is empty although it held projects: the browser removed them (storage cleared or evicted).
    /// Nothing was seeded; [`seed_demos`] does it when the user asks.
    Removed,
}

/// What to do with what the store holds, decided by [`start_decision`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartDecision {
    /// Show the stored projects.
    Show,
    /// A first start: fill the store with the demo projects.
    SeedDemos,
    /// The stored projects are gone: say so instead of quietly seeding the demos again.
    ReportRemoved,
}

/// The decision from whether the store is known to have held projects and whether it is empty now.
pub fn start_decision(held_projects: bool, empty: bool) -> StartDecision {
    match (held_projects, empty) {
        (_, false) => StartDecision::Show,
        (false, true) => StartDecision::SeedDemos,
        (true, true) => StartDecision::ReportRemoved,
    }
}

/// Every project of the store; an empty store is first filled with the demo projects on a first start, and
/// reported as [`ProjectListing::Removed`] when it held projects before.
pub async fn list_or_seed(store: &dyn ProjectStore) -> Result<ProjectListing, StoreError> {
    let projects = store.list().await?;
    if !store.offers_demos() {
        return Ok(ProjectListing::Projects(projects));
    }
    match start_decision(store.held_projects(), projects.is_empty()) {
        StartDecision::Show => Ok(ProjectListing::Projects(projects)),
        StartDecision::ReportRemoved => Ok(ProjectListing::Removed),
        StartDecision::SeedDemos => seed_demos(store).await.map(ProjectListing::Projects),
    }
}

/// Fills the store with the demo projects and lists it. A demo project that exists already (another tab
/// or another instance on the page seeded it first) is left as it is.
pub async fn seed_demos(store: &dyn ProjectStore) -> Result<Vec<ProjectSummary>, StoreError> {
    for project in demo::demo_projects() {
        match store.create(&StoredProject::at_baseline(project)).await {
            Ok(()) | Err(StoreError::AlreadyExists(_)) => {}
            Err(error) => return Err(error),
        }
    }
    store.list().await
}

/// The stored project `id`; [`StoreError::Missing`] when it is not in the store (any more).
pub async fn load_existing(
    store: &dyn ProjectStore,
    id: &str,
) -> Result<StoredProject, StoreError> {
    store
        .load(id)
        .await?
        .ok_or_else(|| StoreError::Missing(id.to_owned()))
}
