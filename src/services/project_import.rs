//! Importing a project from a `.zip` of the repository layout: reading the archive the user picked, and
//! storing the project as its own baseline.

use versioning_core::artifacts::archive::{project_from_files, ArchiveLimits};
use versioning_core::artifacts::Project;

use crate::services::archive_worker::{ArchiveError, ArchiveWorker, Archiving};
use crate::services::browser_files::{read_file, FileUnreadable};
use crate::services::project_record::StoredProject;
use crate::services::project_store::{ProjectStore, StoreError};

/// Why an import failed. `Display` is the message for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// The picked file could not be read.
    #[error(transparent)]
    File(#[from] FileUnreadable),
    /// The archive worker failed, or the archive is not a valid project ([`ArchiveError::Unreadable`]).
    #[error("{}", .0.message(Archiving::Import))]
    Archive(ArchiveError),
    /// The browser's store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<ArchiveError> for ImportError {
    fn from(error: ArchiveError) -> Self {
        ImportError::Archive(error)
    }
}

/// The project in the archive `file`, read by the archive worker (started while the file is read).
pub async fn read_project_file(
    file: &web_sys::File,
    limits: &ArchiveLimits,
) -> Result<Project, ImportError> {
    let worker = ArchiveWorker::start();
    let bytes = read_file(file).await?;
    let files = worker?.unzip(&bytes, true).await?;
    Ok(project_from_files(&files, limits).map_err(ArchiveError::Unreadable)?)
}

/// Stores `project` as its own baseline. A new project is created only if its id is free at the moment of
/// writing (the store decides, in the same transaction: [`StoreError::AlreadyExists`] otherwise);
/// `replace` saves over the project stored now.
pub async fn store_import(
    store: &dyn ProjectStore,
    project: &Project,
    replace: bool,
) -> Result<(), StoreError> {
    let mut stored = StoredProject::at_baseline(project.clone());
    if replace {
        let current = store.load(project.id.as_str()).await?;
        stored.revision = current.map_or(0, |c| c.revision);
        store.save(&stored).await
    } else {
        store.create(&stored).await
    }
}
