//! Projects in an embedding portal's storage (see [`crate::services::portal_storage`]), in the form the
//! storage declares with `projectRecordsVersion`:
//!
//! - **1** (the default): each project whole, as JSON, under `project/<id>`.
//! - **2**: per artifact. `project/<id>` holds the head (a [`HeadRecord`]: bases, history, parameters,
//!   summary and revision, and the names of the manifest parts of the artifact files and of the
//!   baseline); `project/<id>/manifest/<part>` each part, `project/<id>/file/<sha256>` each file by its
//!   SHA-256. A save writes the files and parts the storage does not hold yet, then the head, then deletes
//!   what the new head no longer names: the head is written last, so a save cut short leaves the project as
//!   it was (with some unnamed keys, which readers ignore).
//!
//! Either form is read whatever the storage declares, and a project is written in the declared form at its
//! next save.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use futures::stream::{self, StreamExt, TryStreamExt};
use js_sys::Reflect;
use versioning_core::artifacts::{
    from_files, read_manifest_part, sha256_hex, FileSource, LayoutOptions, Manifest, ManifestEntry,
    ManifestRoot, Outline, ProjectFiles, ReadLimits, TreeErrorKind,
};
use wasm_bindgen::JsValue;

use crate::services::portal_storage::PortalStorage;
use crate::services::project_record::{
    ProjectSummary, RevisionOnly, StoredForm, StoredHead, StoredProject,
};
use crate::services::project_store::{
    read_record_text, record_text, summaries_of, Expect, ProjectStore, StoreError, StoreFuture,
};

/// How many of the portal's `get` and `put` calls of one project are under way at once.
const CONCURRENT_CALLS: usize = 8;

/// How the portal's storage keeps projects: its `projectRecordsVersion`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ProjectRecords {
    /// 1 (or not given): each project whole under `project/<id>`.
    #[default]
    Whole,
    /// 2: per artifact (see the module's documentation).
    PerArtifact,
}

impl ProjectRecords {
    /// The form `storage` declares; a value other than 1, 2 or none is refused with a message naming it.
    pub fn declared_by(storage: &JsValue) -> Result<ProjectRecords, String> {
        let value =
            Reflect::get(storage, &JsValue::from_str("projectRecordsVersion")).unwrap_or_default();
        match value.as_f64() {
            _ if value.is_undefined() => Ok(ProjectRecords::Whole),
            Some(1.0) => Ok(ProjectRecords::Whole),
            Some(2.0) => Ok(ProjectRecords::PerArtifact),
            _ => Err(format!(
                "storage.projectRecordsVersion must be 1 or 2, not {}",
                value.as_f64().map_or_else(
                    || value.js_typeof().as_string().unwrap_or_default(),
                    |n| n.to_string()
                )
            )),
        }
    }
}

fn project_key(id: &str) -> String {
    format!("project/{id}")
}

fn part_key(id: &str, name: &str) -> String {
    format!("project/{id}/manifest/{name}")
}

fn file_key(id: &str, sha256: &str) -> String {
    format!("project/{id}/file/{sha256}")
}

/// What the storage holds of a per-artifact project at a revision: the names of its parts and the
/// SHA-256 of its files, against which a save finds what to write and what to delete.
#[derive(Default)]
struct Held {
    revision: u64,
    parts: BTreeSet<String>,
    files: BTreeSet<String>,
}

/// A head read with the parts it names.
struct ReadHead {
    head: Box<StoredHead>,
    files: Manifest,
    baseline: Manifest,
    parts: BTreeSet<String>,
}

/// Projects in the portal's storage; the list holds the projects the portal names.
pub struct PortalProjectStore {
    storage: Rc<PortalStorage>,
    ids: Vec<String>,
    form: ProjectRecords,
    /// By project id, what the storage holds of the per-artifact projects this tab read or wrote.
    held: RefCell<BTreeMap<String, Held>>,
}

impl PortalProjectStore {
    /// The projects `ids` of `storage`, written in the form `form`.
    pub fn new(storage: Rc<PortalStorage>, mut ids: Vec<String>, form: ProjectRecords) -> Self {
        ids.sort();
        ids.dedup();
        PortalProjectStore {
            storage,
            ids,
            form,
            held: RefCell::default(),
        }
    }

    /// Runs `call` on each item, a few at a time, stopping at the first failure.
    async fn each<T, R, F>(
        items: impl IntoIterator<Item = T>,
        call: impl FnMut(T) -> F,
    ) -> Result<Vec<R>, StoreError>
    where
        F: std::future::Future<Output = Result<R, StoreError>>,
    {
        stream::iter(items)
            .map(call)
            .buffer_unordered(CONCURRENT_CALLS)
            .try_collect()
            .await
    }

    /// The text under `key`, which must be there: `what` names it in the error.
    async fn required(&self, key: String, id: &str, what: &str) -> Result<String, StoreError> {
        self.storage.get(&key).await?.ok_or_else(|| {
            StoreError::Unreadable(format!("project `{id}`: its {what} is missing ({key})"))
        })
    }

    /// The parts `head` names, and the manifests of the artifact files and of the baseline they make.
    async fn read_head(&self, id: &str, head: Box<StoredHead>) -> Result<ReadHead, StoreError> {
        let damaged = |what: String| StoreError::Unreadable(format!("project `{id}`: {what}"));
        let files_root = head
            .files
            .clone()
            .ok_or_else(|| damaged("its record names no files".into()))?;
        let names: BTreeSet<String> = files_root
            .parts
            .iter()
            .chain(&head.baseline.parts)
            .cloned()
            .collect();
        let parts: BTreeMap<String, Vec<ManifestEntry>> =
            Self::each(names.iter().cloned(), |name| async move {
                let text = self
                    .required(part_key(id, &name), id, "manifest part")
                    .await?;
                let entries = read_manifest_part(&name, text.as_bytes())
                    .map_err(|kind: TreeErrorKind| damaged(format!("part {name}: {kind}")))?;
                Ok((name, entries))
            })
            .await?
            .into_iter()
            .collect();
        let options = LayoutOptions::default();
        let assemble = |root: &ManifestRoot| {
            root.assemble(&parts, &options)
                .map_err(|error| damaged(error.to_string()))
        };
        Ok(ReadHead {
            files: assemble(&files_root)?,
            baseline: assemble(&head.baseline)?,
            head,
            parts: names,
        })
    }

    /// The project under `id`, of either form.
    async fn read(&self, id: &str) -> Result<Option<StoredProject>, StoreError> {
        let Some(text) = self.storage.get(&project_key(id)).await? else {
            return Ok(None);
        };
        let head = match StoredForm::read(&text)? {
            StoredForm::Whole(whole) => return Ok(Some(*whole)),
            StoredForm::Head(head) => head,
        };
        let read = self.read_head(id, head).await?;
        let shas: BTreeSet<&str> = read.files.files.iter().map(|e| &*e.sha256).collect();
        let texts: BTreeMap<&str, String> = Self::each(shas.iter().copied(), |sha| async move {
            let text = self.required(file_key(id, sha), id, "file").await?;
            if sha256_hex(text.as_bytes()) != sha {
                return Err(StoreError::Unreadable(format!(
                    "project `{id}`: the file {sha} does not hold what its name says"
                )));
            }
            Ok((sha, text))
        })
        .await?
        .into_iter()
        .collect();
        let files: ProjectFiles = read
            .files
            .files
            .iter()
            .map(|entry| {
                (
                    entry.path.to_string(),
                    texts[&*entry.sha256].clone().into_bytes(),
                )
            })
            .collect();
        let project = from_files(
            &files,
            &LayoutOptions::default(),
            &ReadLimits::of_stored_files(),
        )
        .map_err(|errors| StoreError::Unreadable(format!("project `{id}`: {errors}")))?;
        let held = Held {
            revision: read.head.revision,
            parts: read.parts,
            files: shas.iter().map(|sha| sha.to_string()).collect(),
        };
        self.held.borrow_mut().insert(id.to_owned(), held);
        Ok(Some((*read.head).with(project, read.baseline)))
    }

    /// The revision stored under `id` (`None`: no project), with what it holds when it is a per-artifact
    /// head: `known` when it is of that revision, else read (its parts, not its files).
    async fn current(
        &self,
        id: &str,
        known: Option<Held>,
    ) -> Result<Option<(u64, Option<Held>)>, StoreError> {
        let Some(text) = self.storage.get(&project_key(id)).await? else {
            return Ok(None);
        };
        let revision = read_record_text::<RevisionOnly>(&text)?.revision;
        if let Some(known) = known.filter(|known| known.revision == revision) {
            return Ok(Some((revision, Some(known))));
        }
        let StoredForm::Head(head) = StoredForm::read(&text)? else {
            return Ok(Some((revision, None)));
        };
        let read = self.read_head(id, head).await?;
        let files = read
            .files
            .files
            .iter()
            .map(|e| e.sha256.to_string())
            .collect();
        Ok(Some((
            revision,
            Some(Held {
                revision,
                parts: read.parts,
                files,
            }),
        )))
    }

    /// Writes `stored` at its next revision when the storage holds what `expect` says (not atomic: the
    /// portal's storage has no transaction, so a write between the read and the puts goes unnoticed). The
    /// head is read each time; what it names is read only when this tab did not write or read that
    /// revision.
    async fn write(&self, stored: &StoredProject, expect: Expect) -> Result<(), StoreError> {
        let id = stored.project.id.to_string();
        let known = self.held.borrow_mut().remove(&id);
        let (current, held) = match self.current(&id, known).await? {
            Some((revision, held)) => (Some(revision), held),
            None => (None, None),
        };
        if let Some(refusal) = expect.refusal(&id, current) {
            return Err(refusal);
        }
        let revision = expect.next_revision();
        match self.form {
            ProjectRecords::Whole => {
                let record = record_text(&stored.record_at(revision))?;
                self.storage.put(&project_key(&id), &record).await?;
                self.delete_unnamed(&id, held.unwrap_or_default(), &Held::default())
                    .await;
            }
            ProjectRecords::PerArtifact => {
                let written = self
                    .write_per_artifact(&id, stored, revision, held.as_ref())
                    .await?;
                self.delete_unnamed(&id, held.unwrap_or_default(), &written)
                    .await;
                self.held.borrow_mut().insert(id, written);
            }
        }
        Ok(())
    }

    /// Writes the files and parts of `stored` that `held` lacks, then its head at `revision`; answers what
    /// the storage then holds.
    async fn write_per_artifact(
        &self,
        id: &str,
        stored: &StoredProject,
        revision: u64,
        held: Option<&Held>,
    ) -> Result<Held, StoreError> {
        let lacks = |set: fn(&Held) -> &BTreeSet<String>, name: &str| {
            held.is_none_or(|held| !set(held).contains(name))
        };
        let written = stored.project.written();
        let files = &written.manifest;
        let mut texts = BTreeMap::new();
        for entry in files.files.iter() {
            if lacks(|h| &h.files, &entry.sha256) && !texts.contains_key(&entry.sha256) {
                let bytes = written
                    .get(&entry.path)
                    .map(|file| file.bytes().into_owned())
                    .unwrap_or_default();
                let text = String::from_utf8(bytes).map_err(|_| {
                    StoreError::Unwritable(format!("the file {} is not text", entry.path))
                })?;
                texts.insert(entry.sha256.clone(), text);
            }
        }
        let (file_parts, baseline_parts) = (files.parts(), stored.baseline().parts());
        let parts: BTreeMap<&str, _> = file_parts
            .iter()
            .chain(baseline_parts.iter())
            .map(|p| (p.name, p))
            .collect();
        let new_parts: Vec<(String, String)> = parts
            .iter()
            .filter(|(name, _)| lacks(|h| &h.parts, name))
            .map(|(name, part)| {
                (
                    part_key(id, name),
                    String::from_utf8_lossy(&part.bytes()).into_owned(),
                )
            })
            .collect();
        let files_root = ManifestRoot {
            schema_version: files.schema_version,
            origin: None,
            parts: file_parts.names().map(str::to_owned).collect(),
        };
        let baseline_names = baseline_parts.names().map(str::to_owned).collect();
        let head = stored
            .head_at(revision, baseline_names)
            .naming_files(files_root, stored.summary());
        let head = record_text(&head)?;
        let puts = texts
            .iter()
            .map(|(sha, text)| (file_key(id, sha), text.clone()))
            .chain(new_parts);
        Self::each(puts, |(key, text)| async move {
            Ok(self.storage.put(&key, &text).await?)
        })
        .await?;
        self.storage.put(&project_key(id), &head).await?;
        Ok(Held {
            revision,
            parts: parts.keys().map(|name| name.to_string()).collect(),
            files: files.files.iter().map(|e| e.sha256.to_string()).collect(),
        })
    }

    /// Deletes the keys of `before` that `now` no longer names. Best-effort: the head already names what
    /// the project is, and a key left behind is only unnamed.
    async fn delete_unnamed(&self, id: &str, before: Held, now: &Held) {
        let parts = before
            .parts
            .difference(&now.parts)
            .map(|name| part_key(id, name));
        let files = before
            .files
            .difference(&now.files)
            .map(|sha| file_key(id, sha));
        let _ = Self::each(parts.chain(files), |key| async move {
            Ok(self.storage.delete(&key).await?)
        })
        .await;
    }
}

impl ProjectStore for PortalProjectStore {
    /// A per-artifact head carries its summary: the list reads the heads only.
    fn list(&self) -> StoreFuture<'_, Vec<ProjectSummary>> {
        Box::pin(summaries_of(&self.ids, move |id| async move {
            let Some(text) = self.storage.get(&project_key(id)).await? else {
                return Ok(None);
            };
            match StoredForm::read(&text)? {
                StoredForm::Whole(whole) => Ok(Some(whole.summary())),
                StoredForm::Head(head) => match head.summary {
                    Some(summary) => Ok(Some(summary)),
                    None => Ok(self.read(id).await?.map(|p| p.summary())),
                },
            }
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

    /// Deletes the head first (the project is then gone for every reader), then what it named.
    fn delete<'a>(&'a self, id: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let held = match self.current(id, None).await {
                Ok(current) => current.and_then(|(_, held)| held),
                Err(_) => None,
            };
            self.held.borrow_mut().remove(id);
            self.storage.delete(&project_key(id)).await?;
            self.delete_unnamed(id, held.unwrap_or_default(), &Held::default())
                .await;
            Ok(())
        })
    }

    /// Reads the head only.
    fn outline<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<Outline>> {
        Box::pin(async move {
            let text = self.storage.get(&project_key(id)).await?;
            Ok(text
                .as_deref()
                .map(StoredForm::outline)
                .transpose()?
                .flatten())
        })
    }

    /// Reads the head only.
    fn revision<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<u64>> {
        Box::pin(async move {
            let text = self.storage.get(&project_key(id)).await?;
            let revision = text.as_deref().map(read_record_text::<RevisionOnly>);
            Ok(revision.transpose()?.map(|r| r.revision))
        })
    }
}
