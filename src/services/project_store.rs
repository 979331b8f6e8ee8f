//! Where projects are kept: a storage trait, so that an embedding portal can supply its own, and the
//! standalone implementation on IndexedDB (which, unlike `localStorage`, holds projects of many
//! megabytes).

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use idb::{Database, ObjectStore, TransactionMode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsValue;

use crate::services::projects::{ProjectSummary, StoredProject};

/// Why the store could not do what was asked, in words for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError(pub String);

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<idb::Error> for StoreError {
    fn from(error: idb::Error) -> Self {
        StoreError(format!(
            "The browser's project database failed ({error}). Check that site data is allowed and the disk is not full, then reload."
        ))
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
    /// Saves a project, replacing any project with the same id.
    fn save<'a>(&'a self, stored: &'a StoredProject) -> StoreFuture<'a, ()>;
    /// Removes a project; removing an unknown id is not an error.
    fn delete<'a>(&'a self, id: &'a str) -> StoreFuture<'a, ()>;
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

const DATABASE: &str = "bitbucket-versioning";
const DATABASE_VERSION: u32 = 1;
/// Small records for lists: id → [`ProjectSummary`] as JSON.
const SUMMARIES: &str = "project-summaries";
/// Whole projects: id → [`StoredProject`] as JSON.
const PROJECTS: &str = "projects";

/// The standalone store: an IndexedDB database of this origin, opened on first use.
#[derive(Default)]
pub struct IndexedDbProjectStore {
    database: RefCell<Option<Rc<Database>>>,
}

fn to_json<T: Serialize>(value: &T) -> Result<JsValue, StoreError> {
    serde_json::to_string(value)
        .map(|json| JsValue::from_str(&json))
        .map_err(|error| StoreError(format!("The project could not be written: {error}.")))
}

fn from_json<T: DeserializeOwned>(value: &JsValue) -> Result<T, StoreError> {
    let json = value.as_string().unwrap_or_default();
    serde_json::from_str(&json).map_err(|error| {
        StoreError(format!(
            "A stored project could not be read ({error}); import it again from an exported .zip."
        ))
    })
}

impl IndexedDbProjectStore {
    async fn database(&self) -> Result<Rc<Database>, StoreError> {
        if let Some(database) = self.database.borrow().as_ref() {
            return Ok(database.clone());
        }
        let database = Database::builder(DATABASE)
            .version(DATABASE_VERSION)
            .add_object_store(ObjectStore::builder(SUMMARIES))
            .add_object_store(ObjectStore::builder(PROJECTS))
            .build()
            .await?;
        let database = Rc::new(database);
        *self.database.borrow_mut() = Some(database.clone());
        Ok(database)
    }

    /// Runs `write` on both object stores in one read-write transaction and waits for its commit.
    async fn write(
        &self,
        write: impl FnOnce(&ObjectStore, &ObjectStore) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let database = self.database().await?;
        let transaction =
            database.transaction(&[SUMMARIES, PROJECTS], TransactionMode::ReadWrite)?;
        write(
            &transaction.object_store(SUMMARIES)?,
            &transaction.object_store(PROJECTS)?,
        )?;
        if transaction.commit()?.await?.is_committed() {
            Ok(())
        } else {
            Err(StoreError(
                "The browser cancelled the save (storage full or denied); nothing was changed."
                    .into(),
            ))
        }
    }
}

impl ProjectStore for IndexedDbProjectStore {
    fn list(&self) -> StoreFuture<'_, Vec<ProjectSummary>> {
        Box::pin(async move {
            let database = self.database().await?;
            let transaction = database.transaction(&[SUMMARIES], TransactionMode::ReadOnly)?;
            let values = transaction
                .object_store(SUMMARIES)?
                .get_all(None, None)?
                .await?;
            values.iter().map(from_json).collect()
        })
    }

    fn load<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<StoredProject>> {
        Box::pin(async move {
            let database = self.database().await?;
            let transaction = database.transaction(&[PROJECTS], TransactionMode::ReadOnly)?;
            let value = transaction
                .object_store(PROJECTS)?
                .get(JsValue::from_str(id))?
                .await?;
            value.as_ref().map(from_json).transpose()
        })
    }

    fn save<'a>(&'a self, stored: &'a StoredProject) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let key = JsValue::from_str(stored.project.id.as_str());
            let summary = to_json(&stored.summary())?;
            let project = to_json(stored)?;
            self.write(|summaries, projects| {
                summaries.put(&summary, Some(&key))?;
                projects.put(&project, Some(&key))?;
                Ok(())
            })
            .await
        })
    }

    fn delete<'a>(&'a self, id: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let key = JsValue::from_str(id);
            self.write(|summaries, projects| {
                summaries.delete(key.clone())?;
                projects.delete(key.clone())?;
                Ok(())
            })
            .await
        })
    }
}
