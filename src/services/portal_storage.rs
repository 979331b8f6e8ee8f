//! Storage an embedding portal supplies: an object with async `get(key)`, `put(key, text)` and
//! `delete(key)` (each returning a promise), e.g. on the portal's own back end. Projects and connections
//! are kept there instead of in the browser's storage, and the module keeps no token of its own.
//!
//! Keys: `project/<id>` (the project record as JSON), `connection/<id>` (the connection record as JSON,
//! never with a secret) and `token/<id>` (the access token alone, so that a portal can keep it apart, e.g.
//! in a vault).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::{Rc, Weak};

use wasm_bindgen::JsValue;
use wasm_bindgen_futures::spawn_local;

use crate::services::connection_store::{
    parse_record, ConnectionRecord, ConnectionStore, DamagedRecord,
};
use crate::services::portal_object::{keep_secret, PortalObject};
use crate::services::project_store::{
    read_record_text, record_text, summaries_of, Expect, ProjectStore, StoreError, StoreFuture,
};
use crate::services::projects::{ProjectSummary, StoredProject};
use crate::state::events::{Events, PortalEvent};

/// Why the portal's storage could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PortalStorageError {
    /// The storage threw, or its promise was rejected: its message.
    #[error("{0}")]
    Failed(String),
    /// `get(key)` answered neither text nor `null`/`undefined` (e.g. a parsed object). Read as absent, a
    /// create would write over the portal's value, so it is an error.
    #[error("its get(\"{key}\") answered a value of type {found}, not text, null or undefined")]
    NotText {
        /// The key asked for.
        key: String,
        /// The answer's JavaScript type (`object`, `number`, `boolean` …); never the value itself.
        found: String,
    },
}

impl From<PortalStorageError> for StoreError {
    fn from(error: PortalStorageError) -> Self {
        match error {
            PortalStorageError::Failed(message) => StoreError::Portal(message),
            PortalStorageError::NotText { key, found } => StoreError::PortalNotText { key, found },
        }
    }
}

/// The portal's storage object.
pub struct PortalStorage(PortalObject);

impl PortalStorage {
    /// Wraps `adapter`; refused when it lacks one of `get`, `put`, `delete`.
    pub fn new(adapter: JsValue) -> Result<PortalStorage, String> {
        PortalObject::new(adapter, "storage", &["get", "put", "delete"]).map(PortalStorage)
    }

    async fn call(&self, name: &str, args: &[&str]) -> Result<JsValue, PortalStorageError> {
        let args: Vec<JsValue> = args.iter().map(|a| JsValue::from_str(a)).collect();
        self.0
            .call(name, &args)
            .await
            .map_err(PortalStorageError::Failed)
    }

    /// The text under `key`, `None` when there is none (`null` or `undefined`); any other answer is
    /// [`PortalStorageError::NotText`].
    pub async fn get(&self, key: &str) -> Result<Option<String>, PortalStorageError> {
        let value = self.call("get", &[key]).await?;
        if value.is_null_or_undefined() {
            return Ok(None);
        }
        value
            .as_string()
            .map(Some)
            .ok_or_else(|| PortalStorageError::NotText {
                key: key.to_owned(),
                found: value.js_typeof().as_string().unwrap_or_default(),
            })
    }

    /// Stores `text` under `key`.
    pub async fn put(&self, key: &str, text: &str) -> Result<(), PortalStorageError> {
        self.call("put", &[key, text]).await.map(drop)
    }

    /// Removes `key`.
    pub async fn delete(&self, key: &str) -> Result<(), PortalStorageError> {
        self.call("delete", &[key]).await.map(drop)
    }
}

fn project_key(id: &str) -> String {
    format!("project/{id}")
}

fn connection_key(id: &str) -> String {
    format!("connection/{id}")
}

fn token_key(id: &str) -> String {
    format!("token/{id}")
}

/// Projects in the portal's storage; the list holds the projects the portal names.
pub struct PortalProjectStore {
    storage: Rc<PortalStorage>,
    ids: Vec<String>,
}

impl PortalProjectStore {
    /// The projects `ids` of `storage`.
    pub fn new(storage: Rc<PortalStorage>, mut ids: Vec<String>) -> Self {
        ids.sort();
        ids.dedup();
        PortalProjectStore { storage, ids }
    }

    async fn read(&self, id: &str) -> Result<Option<StoredProject>, StoreError> {
        let text = self.storage.get(&project_key(id)).await?;
        text.as_deref().map(read_record_text).transpose()
    }

    /// Writes `stored` at its next revision when the storage holds what `expect` says (not atomic: the
    /// portal's storage has no transaction, so a write between the read and the put goes unnoticed).
    async fn write(&self, stored: &StoredProject, expect: Expect) -> Result<(), StoreError> {
        let id = stored.project.id.to_string();
        let current = self.read(&id).await?.map(|s| s.revision);
        if let Some(refusal) = expect.refusal(&id, current) {
            return Err(refusal);
        }
        let record = stored.record_at(expect.next_revision());
        Ok(self
            .storage
            .put(&project_key(&id), &record_text(&record)?)
            .await?)
    }
}

impl ProjectStore for PortalProjectStore {
    fn list(&self) -> StoreFuture<'_, Vec<ProjectSummary>> {
        Box::pin(summaries_of(&self.ids, move |id| async move {
            Ok(self.read(id).await?.as_ref().map(StoredProject::summary))
        }))
    }

    fn load<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<StoredProject>> {
        Box::pin(self.read(id))
    }

    fn save<'a>(&'a self, stored: &'a StoredProject) -> StoreFuture<'a, ()> {
        Box::pin(self.write(stored, Expect::Revision(stored.revision)))
    }

    fn create<'a>(&'a self, stored: &'a StoredProject) -> StoreFuture<'a, ()> {
        Box::pin(self.write(stored, Expect::Absent))
    }

    fn delete<'a>(&'a self, id: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move { Ok(self.storage.delete(&project_key(id)).await?) })
    }
}

/// A project's connection as read from the portal's storage when the app was mounted.
#[derive(Default, Clone)]
struct Cached {
    record: Option<String>,
    token: Option<String>,
}

impl Cached {
    /// Keeps its token out of the portal's error texts (see [`keep_secret`]), with the record's user name.
    fn keep_secret(&self) {
        if let Some(token) = &self.token {
            let record = parse_record(self.record.as_deref()).ok().flatten();
            keep_secret(record.map(|r| r.username).as_deref().unwrap_or(""), token);
        }
    }
}

/// Connections in the portal's storage. They are read when an app is mounted, for the projects the portal
/// names, and kept for every app mounted with the same storage; saves and removals are written through,
/// and a write the portal's storage refuses is reported as a `bitbucket-versioning:storage-failed` event.
pub struct PortalConnectionStore {
    storage: Rc<PortalStorage>,
    cache: RefCell<BTreeMap<String, Cached>>,
    events: Events,
}

thread_local! {
    /// The connection stores of the apps mounted on this page, by their portal storage object: apps mounted
    /// with the same storage share one store, so that a connection saved in one is seen by the others.
    static SHARED: RefCell<Vec<(JsValue, Weak<PortalConnectionStore>)>> = const { RefCell::new(Vec::new()) };
}

impl PortalConnectionStore {
    /// The connection store of `adapter` (shared with the other apps mounted with the same object), with
    /// the connections of `ids` read from it.
    pub async fn of(
        adapter: &JsValue,
        storage: Rc<PortalStorage>,
        ids: &[String],
        events: Events,
    ) -> Result<Rc<PortalConnectionStore>, PortalStorageError> {
        let shared = SHARED.with(|shared| {
            let mut shared = shared.borrow_mut();
            shared.retain(|(_, store)| store.strong_count() > 0);
            shared
                .iter()
                .find(|(known, _)| js_sys::Object::is(known, adapter))
                .and_then(|(_, store)| store.upgrade())
        });
        let store = match shared {
            Some(store) => store,
            None => {
                let store = Rc::new(PortalConnectionStore {
                    storage,
                    cache: RefCell::new(BTreeMap::new()),
                    events,
                });
                SHARED.with(|shared| {
                    shared
                        .borrow_mut()
                        .push((adapter.clone(), Rc::downgrade(&store)))
                });
                store
            }
        };
        store.read(ids).await?;
        Ok(store)
    }

    /// Reads the connections of the `ids` not read yet.
    async fn read(&self, ids: &[String]) -> Result<(), PortalStorageError> {
        for id in ids {
            if self.cache.borrow().contains_key(id) {
                continue;
            }
            let cached = Cached {
                record: self.storage.get(&connection_key(id)).await?,
                token: self.storage.get(&token_key(id)).await?,
            };
            cached.keep_secret();
            self.cache.borrow_mut().insert(id.clone(), cached);
        }
        Ok(())
    }

    fn cached(&self, project: &str) -> Cached {
        self.cache
            .borrow()
            .get(project)
            .cloned()
            .unwrap_or_default()
    }

    /// Writes (`Some`) or deletes (`None`) each key in the portal's storage, in order, in the background.
    fn write_through(&self, project: &str, writes: Vec<(String, Option<String>)>) {
        let (storage, events, project) = (
            self.storage.clone(),
            self.events.clone(),
            project.to_owned(),
        );
        spawn_local(async move {
            for (key, value) in writes {
                let written = match &value {
                    Some(text) => storage.put(&key, text).await,
                    None => storage.delete(&key).await,
                };
                if let Err(error) = written {
                    events.emit(PortalEvent::StorageFailed {
                        project: project.clone(),
                        message: error.to_string(),
                    });
                    return;
                }
            }
        });
    }
}

impl ConnectionStore for PortalConnectionStore {
    fn load(&self, project: &str) -> Option<ConnectionRecord> {
        self.load_checked(project).ok().flatten()
    }

    fn load_checked(&self, project: &str) -> Result<Option<ConnectionRecord>, DamagedRecord> {
        parse_record(self.cached(project).record.as_deref())
    }

    fn session_token(&self, project: &str) -> Option<String> {
        self.cached(project).token
    }

    fn save(&self, project: &str, record: &ConnectionRecord, token: &str) -> Result<(), String> {
        let text = serde_json::to_string(&record.to_store()).map_err(|error| error.to_string())?;
        keep_secret(&record.username, token);
        self.cache.borrow_mut().insert(
            project.to_owned(),
            Cached {
                record: Some(text.clone()),
                token: Some(token.to_owned()),
            },
        );
        self.write_through(
            project,
            vec![
                (connection_key(project), Some(text)),
                (token_key(project), Some(token.to_owned())),
            ],
        );
        Ok(())
    }

    fn remove(&self, project: &str) {
        self.cache
            .borrow_mut()
            .insert(project.to_owned(), Cached::default());
        self.write_through(
            project,
            vec![(connection_key(project), None), (token_key(project), None)],
        );
    }
}
