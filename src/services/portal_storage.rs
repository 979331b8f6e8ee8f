//! Storage an embedding portal supplies: an object with async `get(key)`, `put(key, text)` and
//! `delete(key)` (each returning a promise), e.g. on the portal's own back end. Projects and connections
//! are kept there instead of in the browser's storage, and the module keeps no token of its own.
//!
//! Keys: `project/<id>` (the project record as JSON; see [`crate::services::portal_project_store`] for
//! its forms), `connection/<id>` (the connection record as JSON,
//! never with a secret) and `token/<id>` (the access token alone, so that a portal can keep it apart, e.g.
//! in a vault).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::{Rc, Weak};

use futures::future::{FutureExt, LocalBoxFuture, Shared};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::spawn_local;

use crate::services::connection_store::{
    announce_change, check_revision, parse_record, ConnectionFuture, ConnectionRecord,
    ConnectionStore, ConnectionStoreError, DamagedRecord,
};
use crate::services::portal_events::{Events, PortalEvent};
use crate::services::portal_object::{keep_secret, MissingMethod, PortalObject};
use crate::services::project_store::StoreError;

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
    pub fn new(adapter: JsValue) -> Result<PortalStorage, MissingMethod> {
        PortalObject::new(adapter, "storage", &["get", "put", "delete"]).map(PortalStorage)
    }

    async fn call(&self, name: &str, args: &[&str]) -> Result<JsValue, PortalStorageError> {
        let args: Vec<JsValue> = args.iter().map(|a| JsValue::from_str(a)).collect();
        self.0
            .call(name, &args)
            .await
            .map_err(|thrown| PortalStorageError::Failed(thrown.0))
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

fn connection_key(id: &str) -> String {
    format!("connection/{id}")
}

fn token_key(id: &str) -> String {
    format!("token/{id}")
}

/// A project's connection as the portal's storage holds it, as far as this page knows: read when the app
/// was mounted, then each write the storage accepted.
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

/// What the connections known on this page hold, by project.
type Cache = Rc<RefCell<BTreeMap<String, Cached>>>;

/// A write of a project's connection, queued behind the project's earlier writes.
enum Write {
    /// Save this record (its text, at its next revision) and this token.
    Save {
        stored: Box<ConnectionRecord>,
        text: String,
        token: String,
    },
    /// Remove the token and the record.
    Remove,
}

/// A queued write's answer, which every later write of the project waits for.
type Queued = Shared<LocalBoxFuture<'static, Result<(), ConnectionStoreError>>>;

impl From<PortalStorageError> for ConnectionStoreError {
    fn from(error: PortalStorageError) -> Self {
        ConnectionStoreError::Portal(error.to_string())
    }
}

impl Write {
    /// Writes to the portal's storage, each key after the storage accepted the one before, and keeps in
    /// `cache` what it accepted. A save writes the token first and checks the record's revision before;
    /// a record refused puts the previous token back, so that the previous connection stays whole.
    async fn apply(
        self,
        storage: &PortalStorage,
        cache: &Cache,
        project: &str,
    ) -> Result<(), ConnectionStoreError> {
        let kept = |change: &dyn Fn(&mut Cached)| {
            change(cache.borrow_mut().entry(project.to_owned()).or_default())
        };
        let (token_key, record_key) = (token_key(project), connection_key(project));
        match self {
            Write::Save {
                stored,
                text,
                token,
            } => {
                let current = storage.get(&record_key).await?;
                let current = parse_record(current.as_deref()).ok().flatten();
                check_revision(stored.revision - 1, current.map(|c| c.revision))?;
                let previous = cache.borrow().get(project).and_then(|c| c.token.clone());
                storage.put(&token_key, &token).await?;
                kept(&|cached| cached.token = Some(token.clone()));
                if let Err(refused) = storage.put(&record_key, &text).await {
                    let restored = match &previous {
                        Some(previous) => storage.put(&token_key, previous).await,
                        None => storage.delete(&token_key).await,
                    };
                    if restored.is_ok() {
                        kept(&|cached| cached.token = previous.clone());
                    }
                    return Err(refused.into());
                }
                kept(&|cached| cached.record = Some(text.clone()));
                announce_change(project, stored.revision);
            }
            Write::Remove => {
                storage.delete(&token_key).await?;
                kept(&|cached| cached.token = None);
                storage.delete(&record_key).await?;
                kept(&|cached| cached.record = None);
                announce_change(project, 0);
            }
        }
        Ok(())
    }
}

/// Connections in the portal's storage. They are read when an app is mounted, for the projects the portal
/// names, and kept for every app mounted with the same storage. Saves and removals of a project are
/// queued, each written after the one before it is done, and answered once the portal's storage accepted
/// them (or refused: then also reported as a `bitbucket-versioning:storage-failed` event).
pub struct PortalConnectionStore {
    storage: Rc<PortalStorage>,
    cache: Cache,
    /// The last write queued for each project.
    queues: RefCell<BTreeMap<String, Queued>>,
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
                    cache: Cache::default(),
                    queues: RefCell::default(),
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

    /// Queues `write` behind the project's earlier writes and runs it even when nobody waits for its
    /// answer; the answer comes once the portal's storage accepted or refused it.
    fn enqueue(&self, project: &str, write: Write) -> Queued {
        let previous = self.queues.borrow().get(project).cloned();
        let (storage, cache, events, id) = (
            self.storage.clone(),
            self.cache.clone(),
            self.events.clone(),
            project.to_owned(),
        );
        let queued = async move {
            if let Some(previous) = previous {
                // Its answer went to its caller; this write only waits for it to be done.
                let _ = previous.await;
            }
            let written = write.apply(&storage, &cache, &id).await;
            if let Err(ConnectionStoreError::Portal(message)) = &written {
                events.emit(PortalEvent::StorageFailed {
                    project: id,
                    message: message.clone(),
                });
            }
            written
        }
        .boxed_local()
        .shared();
        self.queues
            .borrow_mut()
            .insert(project.to_owned(), queued.clone());
        spawn_local(queued.clone().map(drop));
        queued
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

    fn save<'a>(
        &'a self,
        project: &'a str,
        record: &'a ConnectionRecord,
        token: &'a str,
    ) -> ConnectionFuture<'a, ConnectionRecord> {
        keep_secret(&record.username, token);
        // Its revision is checked against the portal's storage when its turn comes.
        let stored = record.saved();
        let text = match serde_json::to_string(&stored) {
            Ok(text) => text,
            Err(error) => {
                return Box::pin(
                    async move { Err(ConnectionStoreError::Unwritable(error.to_string())) },
                )
            }
        };
        let queued = self.enqueue(
            project,
            Write::Save {
                stored: Box::new(stored.clone()),
                text,
                token: token.to_owned(),
            },
        );
        Box::pin(async move { queued.await.map(|()| stored) })
    }

    fn remove<'a>(&'a self, project: &'a str) -> ConnectionFuture<'a, ()> {
        Box::pin(self.enqueue(project, Write::Remove))
    }
}
