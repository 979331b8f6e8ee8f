//! Where projects are kept: a storage trait, so that an embedding portal can supply its own (the
//! standalone implementation is [`crate::services::indexed_db_store`]).

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use serde::de::DeserializeOwned;
use serde::Serialize;
use versioning_core::artifacts::Outline;

use crate::services::project_record::{ProjectSummary, StoredProject};
use crate::services::tab_changes::{self, ChangeListener, TabChange};

/// Why the store could not do what was asked. `Display` says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The browser's database could not be opened or used.
    #[error("The browser's project database failed ({0}). Check that site data is allowed and the disk is not full, then reload.")]
    Database(String),
    /// The browser cancelled the write (storage full or denied).
    #[error("The browser cancelled the save (storage full or denied); nothing was changed. Free some disk space or allow site data, then try again.")]
    Cancelled,
    /// A project could not be turned into JSON.
    #[error("The project could not be written ({0}); nothing was changed. Export it as a .zip to keep a copy.")]
    Unwritable(String),
    /// A stored record is not a readable project.
    #[error("A stored project could not be read ({0}); import it again from an exported .zip.")]
    Unreadable(String),
    /// [`ProjectStore::create`] found a project with this id.
    #[error("A project with the id `{0}` exists already: choose whether to replace it.")]
    AlreadyExists(String),
    /// The record changed since it was loaded (another tab saved it, or deleted it); nothing was written.
    #[error(
        "This project was changed in another tab: reload to see those changes before editing here."
    )]
    Conflict(String),
    /// The project is not in the store any more (deleted in another tab); nothing was written.
    #[error("The project `{0}` no longer exists in this browser (it was deleted, perhaps in another tab); nothing was saved.")]
    Missing(String),
    /// The test artifacts the embedding portal provided for a project are not a readable project.
    #[error("The portal's test artifacts of the project `{0}` could not be read ({1}); nothing was changed. Ask the portal's administrator.")]
    Provided(String, String),
    /// The embedding portal's storage refused or failed; its message is kept.
    #[error("The portal's storage failed ({0}); nothing was changed. Try again; if it persists, ask the portal's administrator.")]
    Portal(String),
    /// The embedding portal's storage answered a read with something other than text: nothing is written
    /// over what it holds.
    #[error("The portal's storage answered `{key}` with a value of type {found} instead of text; nothing was changed. Ask the portal's administrator.")]
    PortalNotText {
        /// The key read.
        key: String,
        /// The answer's JavaScript type; never the value itself.
        found: String,
    },
}

impl From<idb::Error> for StoreError {
    fn from(error: idb::Error) -> Self {
        StoreError::Database(error.to_string())
    }
}

/// The answer of a store operation, some time later.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + 'a>>;

/// Storage of whole projects with their baseline, by project id.
pub trait ProjectStore {
    /// The summaries of every stored project, ordered by id.
    fn list(&self) -> StoreFuture<'_, Vec<ProjectSummary>>;
    /// One project, or `None` when no project has this id.
    fn load<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<StoredProject>>;
    /// The first level of the trees of project `id`, when the store keeps it apart from the project (the
    /// explorer shows it while the project is read); `None` when it does not (the default), or when no
    /// project has this id.
    fn outline<'a>(&'a self, _id: &'a str) -> StoreFuture<'a, Option<Outline>> {
        Box::pin(async { Ok(None) })
    }
    /// Saves a project over the revision it was loaded with (`stored.revision`), storing `revision + 1`.
    /// When the store holds another revision (another tab saved or deleted it since), nothing is written
    /// and the answer is [`StoreError::Conflict`]; a project never stored saves with revision 0.
    fn save<'a>(&'a self, stored: &'a StoredProject) -> StoreFuture<'a, ()>;
    /// Stores a new project (revision 1), deciding in the same transaction that its id is free: when a
    /// project has this id, nothing is written and the answer is [`StoreError::AlreadyExists`].
    fn create<'a>(&'a self, stored: &'a StoredProject) -> StoreFuture<'a, ()>;
    /// Removes a project; removing an unknown id is not an error.
    fn delete<'a>(&'a self, id: &'a str) -> StoreFuture<'a, ()>;
    /// The revision stored of a project (`None`: no project has this id), which tells whether a copy
    /// loaded earlier is still what the store holds. By default the whole project is read.
    fn revision<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<u64>> {
        Box::pin(async move { Ok(self.load(id).await?.map(|stored| stored.revision)) })
    }
    /// Whether this store is known to have held projects, so that finding it empty means they were removed
    /// (the browser cleared or evicted them), not a first start. A store that cannot lose its content, such as
    /// a portal's, answers `false` (the default).
    fn held_projects(&self) -> bool {
        false
    }
    /// Whether an empty store is filled with the demo projects on a first start (not when a portal
    /// provides the projects).
    fn offers_demos(&self) -> bool {
        true
    }
}

/// The summaries of the projects `ids` that `summary` finds, in the order of `ids`: the list of a store
/// that holds the projects a portal names.
pub async fn summaries_of<'a, F, Found>(
    ids: &'a [String],
    summary: F,
) -> Result<Vec<ProjectSummary>, StoreError>
where
    F: Fn(&'a str) -> Found,
    Found: Future<Output = Result<Option<ProjectSummary>, StoreError>>,
{
    let mut summaries = Vec::new();
    for id in ids {
        summaries.extend(summary(id).await?);
    }
    Ok(summaries)
}

/// A store shared by the pages; equal when it is the same store.
#[derive(Clone)]
pub struct SharedStore(pub Rc<dyn ProjectStore>);

impl PartialEq for SharedStore {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl std::ops::Deref for SharedStore {
    type Target = dyn ProjectStore;

    fn deref(&self) -> &Self::Target {
        &*self.0
    }
}

/// A record as the JSON text a store keeps.
pub fn record_text<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|error| StoreError::Unwritable(error.to_string()))
}

/// A record from the JSON text a store kept.
pub fn read_record_text<T: DeserializeOwned>(json: &str) -> Result<T, StoreError> {
    serde_json::from_str(json).map_err(|error| StoreError::Unreadable(error.to_string()))
}

/// What a checked write expects the store to hold under the project's id.
#[derive(Debug, Clone, Copy)]
pub enum Expect {
    /// No project (a create).
    Absent,
    /// The project at this revision (0: also no project, for a first save).
    Revision(u64),
}

impl Expect {
    /// The revision a write stores when it goes ahead.
    pub fn next_revision(self) -> u64 {
        match self {
            Expect::Absent => 1,
            Expect::Revision(revision) => revision + 1,
        }
    }

    /// Why a write of project `id` must not go ahead when the store holds revision `current` (`None`: no
    /// project), if it must not.
    pub fn refusal(self, id: &str, current: Option<u64>) -> Option<StoreError> {
        match self {
            _ if self.holds(current) => None,
            Expect::Absent => Some(StoreError::AlreadyExists(id.to_owned())),
            Expect::Revision(_) => Some(StoreError::Conflict(id.to_owned())),
        }
    }

    /// Whether a store holding revision `current` (`None`: no record) holds what is expected.
    pub fn holds(self, current: Option<u64>) -> bool {
        match (self, current) {
            (Expect::Absent, None) | (Expect::Revision(0), None) => true,
            (Expect::Revision(expected), Some(now)) => now == expected,
            _ => false,
        }
    }
}

/// The channel on which the tabs of this origin announce saved projects (named after the database).
pub const CHANGES_CHANNEL: &str = "bitbucket-versioning:projects";

/// A project another tab saved: its id and new revision.
pub type ProjectChanged = TabChange;

/// Tells the other tabs that `id` is now at `revision` (best effort: without `BroadcastChannel` the
/// other tabs learn it when their next save fails with [`StoreError::Conflict`]).
pub fn announce_change(id: &str, revision: u64) {
    tab_changes::announce(CHANGES_CHANNEL, id, revision);
}

/// Calls `on_change` for each project another tab saves (none without `BroadcastChannel`: a save over
/// another tab's then fails with [`StoreError::Conflict`] instead); it listens while the returned guard lives.
pub fn listen_for_changes(on_change: impl FnMut(ProjectChanged) + 'static) -> ChangeListener {
    tab_changes::listen(CHANGES_CHANNEL, on_change)
}

/// A store whose list holds only the projects a portal names (the others stay in the store, unlisted).
pub struct Showing {
    inner: Rc<dyn ProjectStore>,
    ids: Vec<String>,
}

impl Showing {
    /// The projects `ids` of `inner`.
    pub fn new(inner: Rc<dyn ProjectStore>, ids: Vec<String>) -> Self {
        Showing { inner, ids }
    }
}

impl ProjectStore for Showing {
    fn list(&self) -> StoreFuture<'_, Vec<ProjectSummary>> {
        Box::pin(async move {
            let all = self.inner.list().await?;
            Ok(all
                .into_iter()
                .filter(|p| self.ids.contains(&p.id))
                .collect())
        })
    }

    fn load<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<StoredProject>> {
        self.inner.load(id)
    }

    fn outline<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<Outline>> {
        self.inner.outline(id)
    }

    fn save<'a>(&'a self, stored: &'a StoredProject) -> StoreFuture<'a, ()> {
        self.inner.save(stored)
    }

    fn create<'a>(&'a self, stored: &'a StoredProject) -> StoreFuture<'a, ()> {
        self.inner.create(stored)
    }

    fn delete<'a>(&'a self, id: &'a str) -> StoreFuture<'a, ()> {
        self.inner.delete(id)
    }

    fn revision<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<u64>> {
        self.inner.revision(id)
    }

    fn held_projects(&self) -> bool {
        self.inner.held_projects()
    }

    fn offers_demos(&self) -> bool {
        self.inner.offers_demos()
    }
}
