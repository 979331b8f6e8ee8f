//! Exporting a project as a `.zip`: the files a push would write, zipped by the archive worker and offered
//! as a download.

use versioning_core::artifacts::{to_files, LayoutOptions};

use crate::services::archive_worker::{ArchiveError, ArchiveWorker, Archiving};
use crate::services::browser_files::{offer_download, DownloadRefused};
use crate::services::project_record::StoredProject;

/// Why a project could not be exported. `Display` is the message for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    /// The archive worker failed.
    #[error("{}", .0.message(Archiving::Export))]
    Archive(ArchiveError),
    /// The browser did not offer the download.
    #[error(transparent)]
    Download(#[from] DownloadRefused),
}

/// Downloads the project as `<id>.zip`.
pub async fn export_project(stored: &StoredProject) -> Result<(), ExportError> {
    // The worker loads while the files are laid out.
    let worker = ArchiveWorker::start().map_err(ExportError::Archive)?;
    let files = to_files(&stored.project, &LayoutOptions::default());
    let zip = worker.zip(&files).await.map_err(ExportError::Archive)?;
    offer_download(
        &format!("{}.zip", stored.project.id),
        &zip,
        "application/zip",
    )?;
    Ok(())
}
