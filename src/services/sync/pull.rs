//! A pull (or a restore): reading what to pull into a preview, and applying the preview to the project in
//! one save.

use std::collections::BTreeMap;
use std::rc::Rc;

use versioning_core::artifacts::{ArtifactId, ArtifactKey, ArtifactKind};
use versioning_core::bitbucket::Api;
use versioning_core::counts::counted;
use versioning_core::sync::{
    ArtifactChange, Job, Progress, PullCounts, PullPlanner, PullPreview, PullRequest, PullSource,
    Resolution, SyncError,
};
use versioning_core::ValidConnection;

use crate::services::clock::now_ms;
use crate::services::connection_store::now_iso;
use crate::services::jobs::run_job;
use crate::services::project_record::{HistoryEntry, StoredProject};
use crate::services::project_store::{SharedStore, StoreError};
use crate::services::strategy::with_strategy;
use crate::services::sync::connection::repository_of;
use crate::services::transport::Cancellation;

/// Why a pull could not be applied; nothing local changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplyError {
    /// The preview cannot be applied as it stands (an unresolved conflict, a project changed since).
    #[error(transparent)]
    Preview(#[from] SyncError),
    /// The browser's store refused.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A version restored as a new project whose id exists in this browser.
    #[error("This version is the project `{0}`, which exists in this browser: open it and restore there.")]
    AnotherProject(String),
}

/// What a restore changes in the project it is made in (see `PullPreview::restore_changes`).
pub type RestoreChanges = (Vec<ArtifactChange>, usize);

/// A preview, with what a restore of this very project changes in it.
pub type PulledPreview = (PullPreview, Option<Rc<RestoreChanges>>);

/// Reads `source` on `connection` into a preview against `stored` (a restore compares with nothing);
/// `None` when cancelled.
pub async fn plan_pull(
    connection: &ValidConnection,
    stored: &Rc<StoredProject>,
    source: PullSource,
    restore: bool,
    cancellation: &Cancellation,
    on_progress: &dyn Fn(Progress),
) -> Result<Option<PulledPreview>, SyncError> {
    let repository = repository_of(connection);
    let base = match &source {
        PullSource::Branch(name) => stored.base(&repository, name),
        _ => None,
    };
    let request = PullRequest {
        source,
        base,
        // A restore compares with nothing, but the parts of the source's manifest that the project's
        // baseline has are not read again (a pull knows its base's).
        known: restore.then(|| stored.baseline().clone()),
        parameters: with_strategy(stored.scm),
        seed: now_ms() as u64,
    };
    let api = Api::new(connection);
    let timeout = stored.scm.scm_request_timeout_seconds * 1000;
    let mut planner = match restore {
        true => PullPlanner::new(api, request, None),
        false => {
            let stored = stored.clone();
            PullPlanner::deferring_local(api, request, move || stored.local_files())
        }
    };
    let progress = |job: &PullPlanner| on_progress(job.progress());
    let flavour = connection.location.flavour;
    let Some(preview) = run_job(&mut planner, flavour, timeout, cancellation, &progress).await
    else {
        return Ok(None);
    };
    let preview = preview?;
    // A restore of this very project lists only what it changes here.
    let same_project = preview
        .remote_manifest
        .files
        .iter()
        .any(|e| e.kind == ArtifactKind::Project && e.id == stored.project.id);
    let compared = (restore && same_project).then(|| {
        let local = stored.local_files();
        let names = stored
            .project
            .names_of(local.manifest.files.iter().map(|e| &e.id));
        let name = |id: &ArtifactId| names.get(id).map(|name| (*name).to_owned());
        Rc::new(preview.restore_changes(&local.manifest, &name))
    });
    Ok(Some((preview, compared)))
}

/// What the user chose in a preview.
pub struct Choices<'a> {
    /// The choice per conflict.
    pub resolutions: &'a BTreeMap<ArtifactKey, Resolution>,
    /// Apply the valid artifacts even when some files cannot be read.
    pub include_invalid: bool,
    /// Make the project exactly that version.
    pub restore: bool,
}

/// What an applied pull gives: its counts, the sentence for the user, and this page's project as now
/// stored (`None` when the pull made another project).
pub type Applied = (PullCounts, String, Option<Rc<StoredProject>>);

/// Applies a preview to the stored project it was made against (`loaded`, not read again: a save over a
/// record another tab changed since is refused) in one save.
pub async fn apply_pull(
    store: &SharedStore,
    project_id: &str,
    connection: &ValidConnection,
    user: &str,
    preview: &PullPreview,
    loaded: Option<&StoredProject>,
    choices: Choices<'_>,
) -> Result<Applied, ApplyError> {
    let Choices {
        resolutions,
        include_invalid,
        restore,
    } = choices;
    let repository = repository_of(connection);
    let applied = match loaded {
        Some(stored) => preview.apply_over(resolutions, include_invalid, &stored.project)?,
        None => preview.apply(resolutions, include_invalid)?,
    };
    let target_id = applied.project.id.to_string();
    let previous = match (restore, loaded) {
        (false, Some(stored)) => Some(stored),
        (true, Some(stored)) if target_id == project_id => Some(stored),
        (true, _) => None,
        (false, None) => return Err(StoreError::Missing(project_id.to_owned()).into()),
    };
    let entry = HistoryEntry {
        action: if restore { "restore" } else { "pull" }.into(),
        user: user.to_owned(),
        at: now_iso(),
        repository: repository.clone(),
        branch: applied.base.branch.clone(),
        commits: vec![applied.base.commit.clone()],
        version: match &preview.source {
            PullSource::Tag(name) => Some(name.clone()),
            _ => None,
        },
        written: applied.counts.added + applied.counts.changed + applied.counts.renamed,
        removed: applied.counts.deleted,
        pull_request: None,
    };
    let counts = applied.counts;
    let new_project = previous.is_none();
    let mut record = StoredProject::pulled(previous, &repository, applied, entry);
    let stored = match new_project {
        // A version of another project becomes a new one, never replacing one of that id: the store decides
        // inside its write, so a project made meanwhile in another tab is not overwritten either.
        true => {
            store.create(&record).await.map_err(|error| match error {
                StoreError::AlreadyExists(id) => ApplyError::AnotherProject(id),
                other => other.into(),
            })?;
            None
        }
        false => {
            store.save(&record).await?;
            // The store now holds the next revision.
            record.revision += 1;
            Some(Rc::new(record))
        }
    };
    let c = &counts;
    let message = if restore && target_id != project_id {
        format!("The version was restored as the project `{target_id}`: find it on Home.")
    } else {
        format!(
            "Applied: {} added, {} changed, {} deleted, {} renamed, {} merged; {} kept mine, {} took theirs{}.",
            c.added, c.changed, c.deleted, c.renamed, c.merged, c.kept_mine, c.took_theirs,
            if c.skipped > 0 { format!("; {} skipped as unreadable", counted(c.skipped, "file", "files")) } else { String::new() }
        )
    };
    Ok((counts, message, stored))
}
