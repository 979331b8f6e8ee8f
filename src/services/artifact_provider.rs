//! Test artifacts an embedding portal supplies: an object with async `load(projectId)` (the project's
//! artifacts, or nothing when the portal has no such project) and `save(projectId, artifacts)` (the
//! project after the module changed it: a pull applied, an edit, an import). The artifacts are the
//! project as plain JSON data (`ProjectArtifacts` in `bitbucket-versioning.d.ts`).
//!
//! The module keeps only what syncing needs (the baseline, the synced bases, the history, the SCM
//! parameters) in its project store, the portal's storage or the browser's, without the artifacts. A save
//! reserves its revision in that store before the portal's `save` is called: of two tabs saving over one
//! revision, the second is refused before it reaches the portal.

use std::rc::Rc;

use versioning_core::artifacts::Project;
use wasm_bindgen::JsValue;

use crate::services::portal_object::{MissingMethod, PortalObject};
use crate::services::project_record::{ProjectSummary, StoredProject};
use crate::services::project_store::{summaries_of, Expect, ProjectStore, StoreError, StoreFuture};

/// The portal's artifact provider.
pub struct ArtifactProvider(PortalObject);

impl ArtifactProvider {
    /// Wraps `provider`; refused when it lacks `load` or `save`.
    pub fn new(provider: JsValue) -> Result<ArtifactProvider, MissingMethod> {
        PortalObject::new(provider, "artifacts", &["load", "save"]).map(ArtifactProvider)
    }

    /// The artifacts of project `id`, `None` when the portal has none. They may be given as an object or
    /// as JSON text, and must be the project `id`.
    async fn load(&self, id: &str) -> Result<Option<Project>, StoreError> {
        let value = self
            .0
            .call("load", &[JsValue::from_str(id)])
            .await
            .map_err(|thrown| StoreError::Portal(thrown.0))?;
        if value.is_null_or_undefined() {
            return Ok(None);
        }
        let text = match value.as_string() {
            Some(text) => text,
            None => js_sys::JSON::stringify(&value)
                .map(String::from)
                .map_err(|_| StoreError::Provided(id.to_owned(), "not JSON data".to_owned()))?,
        };
        let project: Project = serde_json::from_str(&text)
            .map_err(|error| StoreError::Provided(id.to_owned(), error.to_string()))?;
        if project.id.as_str() != id {
            return Err(StoreError::Provided(
                id.to_owned(),
                format!("they are the project `{}`", project.id),
            ));
        }
        Ok(Some(project))
    }

    /// Gives the portal the artifacts of `project`, as an object.
    async fn save(&self, project: &Project) -> Result<(), StoreError> {
        let text = serde_json::to_string(project)
            .map_err(|error| StoreError::Unwritable(error.to_string()))?;
        let artifacts = js_sys::JSON::parse(&text)
            .map_err(|_| StoreError::Unwritable("not JSON data".to_owned()))?;
        self.0
            .call("save", &[JsValue::from_str(project.id.as_str()), artifacts])
            .await
            .map(drop)
            .map_err(|thrown| StoreError::Portal(thrown.0))
    }
}

/// Projects whose artifacts the portal provides, listed as the portal names them; their sync records are
/// kept in `records` without the artifacts.
pub struct ProvidedProjects {
    provider: ArtifactProvider,
    records: Rc<dyn ProjectStore>,
    ids: Vec<String>,
}

impl ProvidedProjects {
    /// The projects `ids` of `provider`, with their sync records in `records`.
    pub fn new(
        provider: ArtifactProvider,
        records: Rc<dyn ProjectStore>,
        mut ids: Vec<String>,
    ) -> Self {
        ids.sort();
        ids.dedup();
        ProvidedProjects {
            provider,
            records,
            ids,
        }
    }

    async fn read(&self, id: &str) -> Result<Option<StoredProject>, StoreError> {
        let Some(project) = self.provider.load(id).await? else {
            return Ok(None);
        };
        Ok(Some(match self.records.load(id).await? {
            Some(record) => record.with_project(project),
            // Never synced here: the artifacts as provided are the baseline, as after an import.
            None => StoredProject::at_baseline(project),
        }))
    }

    /// Reserves the next revision first: stores the record without the artifacts over the revision
    /// `expect` names, which the store refuses when it holds another (another tab saved the project
    /// since), so that a stale copy never reaches the portal. Then gives the portal the artifacts; a save
    /// the portal refuses puts the record as it was back.
    async fn write(&self, stored: &StoredProject, expect: Expect) -> Result<(), StoreError> {
        let id = stored.project.id.as_str();
        let previous = self.records.load(id).await?;
        let record = stored.without_artifacts();
        match expect {
            Expect::Absent => self.records.create(&record).await?,
            Expect::Revision(_) => self.records.save(&record).await?,
        }
        if let Err(refused) = self.provider.save(&stored.project).await {
            self.put_back(id, previous, expect.next_revision()).await;
            return Err(refused);
        }
        Ok(())
    }

    /// Puts the record `previous` (`None`: there was none) back over the revision `reserved` that a save
    /// the portal refused stored. The revision moves on: the tab that tried reloads before saving again,
    /// and sees the artifacts and record that the portal and the store hold. Best effort: the portal's
    /// refusal is what the user is told.
    async fn put_back(&self, id: &str, previous: Option<StoredProject>, reserved: u64) {
        let _ = match previous {
            Some(mut previous) => {
                previous.revision = reserved;
                self.records.save(&previous).await
            }
            None => self.records.delete(id).await,
        };
    }
}

impl ProjectStore for ProvidedProjects {
    fn list(&self) -> StoreFuture<'_, Vec<ProjectSummary>> {
        Box::pin(summaries_of(&self.ids, move |id| async move {
            Ok(self
                .provider
                .load(id)
                .await?
                .as_ref()
                .map(ProjectSummary::of))
        }))
    }

    fn load<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<StoredProject>> {
        Box::pin(self.read(id))
    }

    fn save<'a>(&'a self, stored: &'a StoredProject) -> StoreFuture<'a, ()> {
        Box::pin(self.write(stored, Expect::Revision(stored.revision)))
    }

    /// A new project (an import): refused when the portal has one with this id.
    fn create<'a>(&'a self, stored: &'a StoredProject) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let id = stored.project.id.as_str();
            if self.provider.load(id).await?.is_some() {
                return Err(StoreError::AlreadyExists(id.to_owned()));
            }
            // A sync record left from an earlier project of this id is not this project's.
            self.records.delete(id).await?;
            self.write(stored, Expect::Absent).await
        })
    }

    /// Forgets the project's sync record; its artifacts are the portal's and stay.
    fn delete<'a>(&'a self, id: &'a str) -> StoreFuture<'a, ()> {
        self.records.delete(id)
    }

    fn revision<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<u64>> {
        self.records.revision(id)
    }

    /// The portal's projects are its own: no demo project is added to them.
    fn offers_demos(&self) -> bool {
        false
    }
}
