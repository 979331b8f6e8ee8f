//! The standalone project store on IndexedDB (which, unlike `localStorage`, holds projects of many
//! megabytes), one record per artifact file.
//!
//! A project is kept as a small head record ([`HeadRecord`]: bases, history, parameters, revision, the
//! outline of its trees and the names of the parts of its baseline and of the manifest of its files), one
//! record per file of its artifacts (the files a push writes, by path) and one record per part of those
//! manifests (named by their content, so the two share most of theirs). A load takes each test case's
//! hash from the manifest of the files instead of writing and hashing the project again. A save writes,
//! in one transaction, the head, the summary and only the artifact files and manifest parts that changed
//! since the revision this tab loaded or saved: a pull that changes 10 test cases writes 10 artifact
//! records, not the whole project. Records of the whole project in one (as stores wrote them before) are
//! read, and written again per artifact when the project is first opened.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;
use std::sync::Arc;

use idb::{Database, KeyRange, ObjectStore, Query, Transaction, TransactionMode};
use js_sys::Uint8Array;
use serde::Serialize;
use versioning_core::artifacts::{
    from_files, from_files_written, read_ahead, read_manifest_part, FileSource, LayoutOptions,
    Manifest, ManifestEntry, ManifestRoot, Outline, PartOf, Parts, ReadLimits,
};
use versioning_core::sync::LocalFiles;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::IdbDatabase;

use crate::services::project_record::{
    ProjectSummary, RecordReadError, RevisionOnly, StoredForm, StoredHead, StoredProject,
};
use crate::services::project_store::{
    announce_change, read_record_text, record_text, Expect, ProjectStore, StoreError, StoreFuture,
};

const DATABASE: &str = "bitbucket-versioning";
/// The database of the sync records kept beside a portal's artifacts (see [`Holds::SyncRecords`]).
const SYNC_RECORDS_DATABASE: &str = "bitbucket-versioning-sync-records";
/// 1: whole projects; 2: per-artifact records beside them.
const DATABASE_VERSION: u32 = 2;
/// Small records for lists: id → [`ProjectSummary`] and revision, as JSON.
const SUMMARIES: &str = "project-summaries";
/// Project records: id → [`HeadRecord`](crate::services::project_record::HeadRecord) as JSON (or a whole
/// [`StoredProject`], as version 1 wrote it).
const PROJECTS: &str = "projects";
/// Artifact files: `<id>\u{1}<path>` → the file's bytes.
const ARTIFACTS: &str = "artifact-files";
/// Parts of manifests (the baseline's, and the manifest of the artifact files, which share most of
/// them): `<id>\u{1}<part name>` → the part's bytes.
const BASELINE_PARTS: &str = "baseline-parts";
/// Every object store, as a write transaction takes them.
const ALL_STORES: [&str; 4] = [SUMMARIES, PROJECTS, ARTIFACTS, BASELINE_PARTS];
/// Between a project's id and a record's name in the keys of [`ARTIFACTS`] and [`BASELINE_PARTS`]: no id
/// or path holds it, so the keys of one project are the range from it to the next character.
const SEPARATOR: char = '\u{1}';

/// The `localStorage` key set once this browser's store has held projects (see
/// [`ProjectStore::held_projects`]): it tells an evicted database from a first start.
pub const HAS_PROJECTS_MARKER: &str = "bitbucket-versioning/has-projects";

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Asks the browser, once the database is opened, to keep this origin's storage: IndexedDB is otherwise
/// best-effort and may be evicted under storage pressure. Granted or not, nothing changes here (an eviction
/// is noticed by `list_or_seed`); where the API is missing (an insecure context), nothing is asked.
fn request_persistence() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let storage = window.navigator().storage();
    if storage.is_undefined() {
        return;
    }
    let Ok(persisted) = storage.persisted() else {
        return;
    };
    wasm_bindgen_futures::spawn_local(async move {
        let already = wasm_bindgen_futures::JsFuture::from(persisted).await;
        if already.is_ok_and(|granted| granted.as_bool() == Some(true)) {
            return;
        }
        if let Ok(asked) = storage.persist() {
            // The answer is only the browser's decision; a refusal leaves the storage best-effort.
            let _ = wasm_bindgen_futures::JsFuture::from(asked).await;
        }
    });
}

/// What an IndexedDB project store holds, each in a database of its own.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Holds {
    /// Whole projects: the standalone app's, and an embedded app's without a portal's storage.
    #[default]
    Projects,
    /// Only the sync records of projects whose artifacts a portal provides, apart from the whole projects
    /// that a standalone page of the same origin keeps, which they must never replace.
    SyncRecords,
}

impl Holds {
    fn database(self) -> &'static str {
        match self {
            Holds::Projects => DATABASE,
            Holds::SyncRecords => SYNC_RECORDS_DATABASE,
        }
    }
}

/// What the store holds of a project at a revision this tab read or wrote: the manifest of its artifact
/// files and the names of its baseline's parts, against which the next save finds what to write.
struct Held {
    revision: u64,
    files: Arc<Manifest>,
    parts: BTreeSet<String>,
}

/// The standalone store: an IndexedDB database of this origin, opened on first use.
#[derive(Default)]
pub struct IndexedDbProjectStore {
    database: RefCell<Option<Rc<Database>>>,
    holds: Holds,
    /// By project id, what the store holds of the projects this tab read or wrote.
    held: RefCell<BTreeMap<String, Held>>,
}

/// The key of the record `name` (a path or a part's name) of project `id`.
fn record_key(id: &str, name: &str) -> JsValue {
    JsValue::from_str(&format!("{id}{SEPARATOR}{name}"))
}

/// The keys of every record of project `id` in [`ARTIFACTS`] or [`BASELINE_PARTS`].
fn records_of(id: &str) -> Result<Query, StoreError> {
    let next = char::from_u32(SEPARATOR as u32 + 1).unwrap_or(SEPARATOR);
    let range = KeyRange::bound(
        &JsValue::from_str(&format!("{id}{SEPARATOR}")),
        &JsValue::from_str(&format!("{id}{next}")),
        Some(false),
        Some(true),
    )?;
    Ok(Query::KeyRange(range))
}

/// The records of project `id` in `store`, by name (the key without the project's id), each as `keep`
/// keeps its name and bytes.
async fn read_records<B>(
    store: &ObjectStore,
    id: &str,
    keep: impl Fn(&str, Vec<u8>) -> B,
) -> Result<BTreeMap<String, B>, StoreError> {
    let keys = store.get_all_keys(Some(records_of(id)?), None)?.await?;
    let values = store.get_all(Some(records_of(id)?), None)?.await?;
    let prefix = format!("{id}{SEPARATOR}");
    Ok(keys
        .into_iter()
        .zip(values)
        .filter_map(|(key, value)| {
            let name = key.as_string()?.strip_prefix(&prefix)?.to_owned();
            let kept = keep(&name, Uint8Array::new(&value).to_vec());
            Some((name, kept))
        })
        .collect())
}

/// What a save writes of a project's records beside its head and summary.
enum RecordWrites {
    /// Every record anew: the project's records are deleted, then these written.
    Everything {
        files: Vec<(String, Uint8Array)>,
        parts: Vec<(String, Uint8Array)>,
    },
    /// Only what changed since the revision held.
    Changes {
        files: Vec<(String, Uint8Array)>,
        removed_files: Vec<String>,
        parts: Vec<(String, Uint8Array)>,
        removed_parts: Vec<String>,
    },
}

impl RecordWrites {
    /// What to write of a project whose artifact files are `written` with their manifest `files`, and
    /// whose manifests (its baseline, the manifest of its files) have the parts `kept`, over what the
    /// store holds (`held`; `None`: unknown, so everything).
    fn of(
        (written, files): (&LocalFiles, &Manifest),
        kept: &[&Parts<'_>],
        held: Option<&Held>,
    ) -> Result<RecordWrites, StoreError> {
        // Each part once: the manifests share most of theirs.
        let kept: BTreeMap<&str, PartOf<'_>> = kept
            .iter()
            .flat_map(|parts| parts.iter())
            .map(|part| (part.name, part))
            .collect();
        let part = |part: PartOf<'_>| (part.name.to_owned(), Uint8Array::from(&part.bytes()[..]));
        let file = |entry: &ManifestEntry| -> Result<(String, Uint8Array), StoreError> {
            let bytes = written.get(&entry.path).ok_or_else(|| {
                StoreError::Unwritable(format!("the file {} was not written", entry.path))
            })?;
            Ok((entry.path.to_string(), Uint8Array::from(&*bytes.bytes())))
        };
        let changes = held.and_then(|held| Some((held, files.changes_from(&held.files)?)));
        let Some((held, changes)) = changes else {
            return Ok(RecordWrites::Everything {
                files: files.files.iter().map(file).collect::<Result<_, _>>()?,
                parts: kept.into_values().map(part).collect(),
            });
        };
        Ok(RecordWrites::Changes {
            files: changes.set.iter().map(file).collect::<Result<_, _>>()?,
            removed_files: changes.removed,
            removed_parts: held
                .parts
                .iter()
                .filter(|name| !kept.contains_key(name.as_str()))
                .cloned()
                .collect(),
            parts: kept
                .into_values()
                .filter(|p| !held.parts.contains(p.name))
                .map(part)
                .collect(),
        })
    }

    /// Makes the writes in `transaction`, for project `id`.
    fn write(self, transaction: &Transaction, id: &str) -> Result<(), StoreError> {
        let artifacts = transaction.object_store(ARTIFACTS)?;
        let parts_store = transaction.object_store(BASELINE_PARTS)?;
        let (files, parts) = match self {
            RecordWrites::Everything { files, parts } => {
                artifacts.delete(records_of(id)?)?;
                parts_store.delete(records_of(id)?)?;
                (files, parts)
            }
            RecordWrites::Changes {
                files,
                removed_files,
                parts,
                removed_parts,
            } => {
                for path in removed_files {
                    artifacts.delete(record_key(id, &path))?;
                }
                for name in removed_parts {
                    parts_store.delete(record_key(id, &name))?;
                }
                (files, parts)
            }
        };
        for (path, bytes) in files {
            artifacts.put(&bytes, Some(&record_key(id, &path)))?;
        }
        for (name, bytes) in parts {
            parts_store.put(&bytes, Some(&record_key(id, &name)))?;
        }
        Ok(())
    }
}

/// A summary record: the summary, and the revision of the project it summarises.
#[derive(Serialize)]
struct SummaryRecord {
    #[serde(flatten)]
    summary: ProjectSummary,
    revision: u64,
}

fn to_json<T: Serialize>(value: &T) -> Result<JsValue, StoreError> {
    record_text(value).map(|json| JsValue::from_str(&json))
}

fn from_json<T: serde::de::DeserializeOwned>(value: &JsValue) -> Result<T, StoreError> {
    read_record_text(&value.as_string().unwrap_or_default())
}

impl From<RecordReadError> for StoreError {
    fn from(error: RecordReadError) -> Self {
        StoreError::Unreadable(error.to_string())
    }
}

impl IndexedDbProjectStore {
    /// A store of what `holds` says, in its own database.
    pub fn holding(holds: Holds) -> Self {
        IndexedDbProjectStore {
            holds,
            ..IndexedDbProjectStore::default()
        }
    }

    async fn database(&self) -> Result<Rc<Database>, StoreError> {
        if let Some(database) = self.database.borrow().as_ref() {
            return Ok(database.clone());
        }
        let mut builder = Database::builder(self.holds.database()).version(DATABASE_VERSION);
        for store in ALL_STORES {
            builder = builder.add_object_store(ObjectStore::builder(store));
        }
        let mut database = builder.build().await?;
        // A newer release opening the database (in another tab) to upgrade it waits until every
        // connection is closed: this one closes then, and this tab's next use of the store fails with a
        // message that says to reload.
        database.on_version_change(|event| {
            let target = event
                .target()
                .and_then(|t| t.dyn_into::<IdbDatabase>().ok());
            if let Some(database) = target {
                database.close();
            }
        });
        let database = Rc::new(database);
        *self.database.borrow_mut() = Some(database.clone());
        request_persistence();
        Ok(database)
    }

    /// The value stored under `id` in the object store `store`, read in its own read-only transaction.
    async fn read(&self, store: &str, id: &str) -> Result<Option<JsValue>, StoreError> {
        let database = self.database().await?;
        let transaction = database.transaction(&[store], TransactionMode::ReadOnly)?;
        Ok(transaction
            .object_store(store)?
            .get(JsValue::from_str(id))?
            .await?)
    }

    /// Writes `stored` at the next revision when the store holds what `expect` says, deciding it inside the
    /// write transaction, so that no other tab's write can come in between; otherwise writes nothing.
    async fn put_checked(&self, stored: &StoredProject, expect: Expect) -> Result<u64, StoreError> {
        let id = stored.project.id.to_string();
        let key = JsValue::from_str(&id);
        let revision = expect.next_revision();
        let written = stored.project.written();
        let files = written.manifest.clone();
        let held = self.held.borrow_mut().remove(&id);
        let held = held.filter(|held| matches!(expect, Expect::Revision(r) if r == held.revision));
        let baseline = stored.baseline().parts();
        // The manifest of the files, kept beside them: a load takes their hashes from it.
        let files_parts = files.parts();
        let writes =
            RecordWrites::of((written, &files), &[&baseline, &files_parts], held.as_ref())?;
        let parts: Vec<String> = baseline.names().map(str::to_owned).collect();
        let files_root = ManifestRoot {
            schema_version: files.schema_version,
            origin: files.origin.clone(),
            parts: files_parts.names().map(str::to_owned).collect(),
        };
        let summary = to_json(&SummaryRecord {
            summary: stored.summary(),
            revision,
        })?;
        let held_parts = parts.iter().chain(&files_root.parts).cloned().collect();
        let head = to_json(&stored.head_at(revision, parts).with_files(files_root))?;
        let database = self.database().await?;
        let transaction = database.transaction(&ALL_STORES, TransactionMode::ReadWrite)?;
        let summaries = transaction.object_store(SUMMARIES)?;
        let current = summaries.get(key.clone())?.await?;
        let current = current
            .as_ref()
            .map(from_json::<RevisionOnly>)
            .transpose()?
            .map(|r| r.revision);
        if let Some(refusal) = expect.refusal(&id, current) {
            transaction.abort()?;
            return Err(refusal);
        }
        summaries.put(&summary, Some(&key))?;
        transaction.object_store(PROJECTS)?.put(&head, Some(&key))?;
        writes.write(&transaction, &id)?;
        if !transaction.commit()?.await?.is_committed() {
            return Err(StoreError::Cancelled);
        }
        self.held.borrow_mut().insert(
            id.clone(),
            Held {
                revision,
                files,
                parts: held_parts,
            },
        );
        if self.holds == Holds::Projects {
            if let Some(storage) = local_storage() {
                // Best-effort: without the marker an eviction is taken for a first start and the demos come
                // back.
                let _ = storage.set_item(HAS_PROJECTS_MARKER, "true");
            }
            // Sync records are not announced: the tabs listening show whole projects of the other database.
            announce_change(&id, revision);
        }
        Ok(revision)
    }

    /// The project of `head`, from its artifact files and baseline parts read in `transaction`.
    async fn assemble(
        &self,
        transaction: &Transaction,
        id: &str,
        head: Box<StoredHead>,
    ) -> Result<StoredProject, StoreError> {
        let parts = read_records(&transaction.object_store(BASELINE_PARTS)?, id, |_, b| b).await?;
        let damaged = |what: String| StoreError::Unreadable(format!("project `{id}`: {what}"));
        let options = LayoutOptions::default();
        let files_root = head.files.as_ref();
        let named: BTreeSet<&String> = (head.baseline.parts.iter())
            .chain(files_root.iter().flat_map(|root| &root.parts))
            .collect();
        // Each part read once: the baseline and the manifest of the files share most of theirs. A
        // damaged part of the files' manifest only leaves that manifest out.
        let mut entries: BTreeMap<String, Vec<ManifestEntry>> = BTreeMap::new();
        for (name, bytes) in parts.iter().filter(|(name, _)| named.contains(name)) {
            match read_manifest_part(name, bytes) {
                Ok(read) => drop(entries.insert(name.clone(), read)),
                Err(kind) if head.baseline.parts.contains(name) => {
                    return Err(damaged(format!("its baseline: {kind}")));
                }
                Err(_) => {}
            }
        }
        let baseline = head
            .baseline
            .assemble(&entries, &options)
            .map_err(|error| damaged(format!("its baseline: {error}")))?;
        // The files' hashes as saved with them; without that manifest (or with it damaged), the files
        // are hashed as they are read.
        let limits = ReadLimits::of_stored_files();
        let written = files_root.and_then(|root| root.assemble(&entries, &options).ok());
        // Each test case read as its record is taken, with the hash saved with it: the project's
        // files are not all held as bytes at once.
        let hash = |path: &str| Some(written.as_ref()?.entry(path)?.sha256.clone());
        let read = |path: &str, bytes| read_ahead(path, bytes, hash(path), &options, &limits);
        let files = read_records(&transaction.object_store(ARTIFACTS)?, id, read).await?;
        let project = match &written {
            Some(manifest) => from_files_written(&files, manifest, &options, &limits),
            None => from_files(&files, &options, &limits),
        };
        let project = project.map_err(|errors| damaged(errors.to_string()))?;
        // The parts read whole (one damaged or missing is written again at the next save).
        let held_parts = entries.keys().cloned().collect();
        let revision = head.revision;
        let stored = (*head).with(project, baseline);
        let held_files = stored.project.written().manifest.clone();
        self.held.borrow_mut().insert(
            id.to_owned(),
            Held {
                revision,
                files: held_files,
                parts: held_parts,
            },
        );
        Ok(stored)
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

    /// Reads the head, then the artifact files and baseline parts in the same transaction. A project kept
    /// whole (as version 1 of the database kept it) is written again per artifact, at the next revision;
    /// when that write fails (another tab wrote first), the project is still given as read.
    fn load<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<StoredProject>> {
        Box::pin(async move {
            let database = self.database().await?;
            let transaction = database.transaction(
                &[PROJECTS, ARTIFACTS, BASELINE_PARTS],
                TransactionMode::ReadOnly,
            )?;
            let Some(value) = transaction
                .object_store(PROJECTS)?
                .get(JsValue::from_str(id))?
                .await?
            else {
                return Ok(None);
            };
            match StoredForm::read(&value.as_string().unwrap_or_default())? {
                StoredForm::Head(head) => Ok(Some(self.assemble(&transaction, id, head).await?)),
                StoredForm::Whole(mut whole) => {
                    drop(transaction);
                    if let Ok(revision) = self
                        .put_checked(&whole, Expect::Revision(whole.revision))
                        .await
                    {
                        whole.revision = revision;
                    }
                    Ok(Some(*whole))
                }
            }
        })
    }

    /// Reads the head only.
    fn outline<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<Outline>> {
        Box::pin(async move {
            let value = self.read(PROJECTS, id).await?;
            let text = value.and_then(|value| value.as_string());
            Ok(text
                .as_deref()
                .map(StoredForm::outline)
                .transpose()?
                .flatten())
        })
    }

    fn save<'a>(&'a self, stored: &'a StoredProject) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            self.put_checked(stored, Expect::Revision(stored.revision))
                .await
                .map(drop)
        })
    }

    fn create<'a>(&'a self, stored: &'a StoredProject) -> StoreFuture<'a, ()> {
        Box::pin(async move { self.put_checked(stored, Expect::Absent).await.map(drop) })
    }

    fn delete<'a>(&'a self, id: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let key = JsValue::from_str(id);
            self.held.borrow_mut().remove(id);
            let database = self.database().await?;
            let transaction = database.transaction(&ALL_STORES, TransactionMode::ReadWrite)?;
            transaction.object_store(SUMMARIES)?.delete(key.clone())?;
            transaction.object_store(PROJECTS)?.delete(key)?;
            transaction
                .object_store(ARTIFACTS)?
                .delete(records_of(id)?)?;
            transaction
                .object_store(BASELINE_PARTS)?
                .delete(records_of(id)?)?;
            if transaction.commit()?.await?.is_committed() {
                Ok(())
            } else {
                Err(StoreError::Cancelled)
            }
        })
    }

    /// Reads the project's summary record only, which carries the revision.
    fn revision<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<u64>> {
        Box::pin(async move {
            let value = self.read(SUMMARIES, id).await?;
            let revision = value.as_ref().map(from_json::<RevisionOnly>).transpose()?;
            Ok(revision.map(|r| r.revision))
        })
    }

    fn held_projects(&self) -> bool {
        self.holds == Holds::Projects
            && local_storage()
                .and_then(|storage| storage.get_item(HAS_PROJECTS_MARKER).ok().flatten())
                .is_some()
    }
}
