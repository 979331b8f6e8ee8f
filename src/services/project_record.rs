//! What a store keeps of each project: its summary, its record (the project, its bases and its history)
//! and what changed since the last push or pull.

use std::collections::BTreeSet;
use std::rc::Rc;

use serde::{Deserialize, Serialize};
use versioning_core::artifacts::{
    ArtifactId, Manifest, ManifestChanges, ManifestRoot, Outline, Project, Tracked,
};
use versioning_core::bitbucket::pull_requests::PullRequest;
use versioning_core::sync::{AppliedPull, LocalFiles, PushOutcome, ScmParameters, SyncBase};

/// What the navigation needs to know of a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectSummary {
    /// Id used in URLs.
    pub id: String,
    /// Display name.
    pub name: String,
    /// One-line description.
    pub description: String,
    /// How many test suites it has.
    pub suites: usize,
    /// How many test cases it has.
    pub test_cases: usize,
}

/// A project as the workspace keeps it: its artifacts, the manifest of the last state shared with the
/// repository (the last import, push or pull), against which local changes are found, and what push and
/// pull need to know of the remote. Records written before push existed read with empty history and bases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredProject {
    /// The artifacts as edited here, with their files as last written (kept until they change); shared
    /// by the record's copies (a push or pull records its outcome without copying them), copied on
    /// the first edit of a shared one ([`Rc::make_mut`]).
    pub project: Rc<Tracked<Project>>,
    /// The manifest of the last import, push or pull. The bases are kept as changes from it, so it
    /// changes only with a base ([`StoredProject::record_push`], [`StoredProject::pulled`]).
    baseline: Manifest,
    /// Per repository and branch, the commit and manifest last synced with; [`StoredProject::base`]
    /// reads one.
    #[serde(default)]
    pub bases: Vec<RepositoryBase>,
    /// Pushes and pulls, oldest first.
    #[serde(default)]
    pub history: Vec<HistoryEntry>,
    /// The project's SCM parameters.
    #[serde(default)]
    pub scm: ScmParameters,
    /// How many times the record was saved (0: never, or written before revisions existed). A save
    /// succeeds only when the store still holds this revision, and then stores `revision + 1`; a save
    /// over a newer record (another tab's) fails with [`StoreError::Conflict`](crate::services::project_store::StoreError::Conflict) and writes nothing.
    #[serde(default)]
    pub revision: u64,
}

/// A [`StoredProject`] as a store writes it, at the revision the write stores, without copying the project.
#[derive(Debug, Serialize)]
pub struct StoredRecord<'a> {
    project: &'a Project,
    baseline: &'a Manifest,
    bases: &'a [RepositoryBase],
    history: &'a [HistoryEntry],
    scm: &'a ScmParameters,
    revision: u64,
}

/// The form of [`HeadRecord`]: a project record kept beside one record per artifact file.
pub const PER_ARTIFACT_FORMAT: u32 = 2;

/// A [`StoredProject`] as a store of per-artifact records writes it, at the revision the write stores:
/// all but the artifacts (each file a record of its own) and the baseline's entries (each part of it a
/// record of its own, named by `baseline`).
#[derive(Debug, Serialize)]
pub struct HeadRecord<'a> {
    format: u32,
    baseline: ManifestRoot,
    #[serde(skip_serializing_if = "Option::is_none")]
    files: Option<ManifestRoot>,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<ProjectSummary>,
    outline: Outline,
    bases: &'a [RepositoryBase],
    history: &'a [HistoryEntry],
    scm: &'a ScmParameters,
    revision: u64,
}

impl HeadRecord<'_> {
    /// This head with the names of the parts of `files`, the manifest of the artifact files (for a store
    /// that keeps each file under its SHA-256), and the project's summary (for a store without a list of
    /// its own).
    pub fn naming_files(self, files: ManifestRoot, summary: ProjectSummary) -> Self {
        HeadRecord {
            summary: Some(summary),
            ..self.with_files(files)
        }
    }

    /// This head with the names of the parts of `files`, the manifest of the artifact files (for a store
    /// that keeps it beside them, so that a load takes the files' hashes from it).
    pub fn with_files(self, files: ManifestRoot) -> Self {
        HeadRecord {
            files: Some(files),
            ..self
        }
    }
}

/// A [`HeadRecord`] as read back (its form read before), still without the artifacts and the baseline.
#[derive(Debug, Deserialize)]
pub struct StoredHead {
    /// The baseline's layout version, origin and the names of its parts.
    pub baseline: ManifestRoot,
    /// The parts of the manifest of the artifact files, where a store names the files by it (see
    /// [`HeadRecord::naming_files`]).
    #[serde(default)]
    pub files: Option<ManifestRoot>,
    /// The project's summary, where a store keeps it in the head (see [`HeadRecord::naming_files`]).
    #[serde(default)]
    pub summary: Option<ProjectSummary>,
    /// The first level of the project's trees (heads written before it was kept have none).
    #[serde(default)]
    pub outline: Option<Outline>,
    bases: Vec<RepositoryBase>,
    history: Vec<HistoryEntry>,
    scm: ScmParameters,
    /// The revision stored.
    pub revision: u64,
}

/// The revision a project or summary record holds, its other fields left unread (0 for records written
/// before revisions existed).
#[derive(Debug, Deserialize)]
pub struct RevisionOnly {
    /// The revision.
    #[serde(default)]
    pub revision: u64,
}

/// A project record as a store read it.
#[derive(Debug)]
pub enum StoredForm {
    /// The whole project in one record, as stores wrote it before per-artifact records (and as a portal's
    /// whole-project storage keeps it).
    Whole(Box<StoredProject>),
    /// A [`HeadRecord`]: the artifacts and the baseline's parts are in records of their own.
    Head(Box<StoredHead>),
}

/// Why a project record could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordReadError {
    /// Not a record of either form.
    #[error("{0}")]
    Damaged(String),
    /// Written by a newer release in a form this one does not know.
    #[error("it was saved by a newer release of this app (record form {0}); update the app")]
    Newer(u32),
}

impl StoredForm {
    /// The first level of the trees of the project whose record is the JSON text `json`, read without the
    /// rest: a head's (`None` for heads written before it was kept, and for whole records, which are read
    /// whole anyway).
    pub fn outline(json: &str) -> Result<Option<Outline>, RecordReadError> {
        /// A head's outline, the rest left unread.
        #[derive(Deserialize)]
        struct OutlineOnly {
            format: Option<u32>,
            #[serde(default)]
            outline: Option<Outline>,
        }
        let probe: OutlineOnly = serde_json::from_str(json)
            .map_err(|error| RecordReadError::Damaged(error.to_string()))?;
        Ok(probe
            .outline
            .filter(|_| probe.format == Some(PER_ARTIFACT_FORMAT)))
    }

    /// Reads the JSON text of a project record of either form.
    pub fn read(json: &str) -> Result<StoredForm, RecordReadError> {
        /// The form, read before the rest (records without one are whole).
        #[derive(Deserialize)]
        struct Probe {
            format: Option<u32>,
        }
        let damaged = |error: serde_json::Error| RecordReadError::Damaged(error.to_string());
        match serde_json::from_str::<Probe>(json).map_err(damaged)?.format {
            None => Ok(StoredForm::Whole(Box::new(
                serde_json::from_str(json).map_err(damaged)?,
            ))),
            Some(PER_ARTIFACT_FORMAT) => Ok(StoredForm::Head(Box::new(
                serde_json::from_str(json).map_err(damaged)?,
            ))),
            Some(other) => Err(RecordReadError::Newer(other)),
        }
    }
}

impl StoredHead {
    /// The project this head is of, with its artifacts and the baseline its parts make.
    pub fn with(self, project: Project, baseline: Manifest) -> StoredProject {
        StoredProject {
            project: Rc::new(project.into()),
            baseline,
            bases: self.bases,
            history: self.history,
            scm: self.scm,
            revision: self.revision,
        }
    }
}

/// The sync base of one branch of one repository, its manifest kept as its changes from the record's
/// baseline (a record holds one whole manifest however many branches it synced with).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "StoredBase")]
pub struct RepositoryBase {
    /// The repository, as [`repository_key`] names it.
    pub repository: String,
    /// The branch.
    pub branch: String,
    /// The commit.
    pub commit: String,
    /// The manifest at that commit.
    manifest: BaseManifest,
}

/// The manifest of a [`RepositoryBase`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum BaseManifest {
    /// Its changes from the record's baseline.
    Changes(ManifestChanges),
    /// Whole: one out of path order, or one of a record written before bases were kept as changes.
    Whole(Manifest),
}

/// A base as records hold it: its branch, commit and manifest as [`RepositoryBase`] writes them, or a whole
/// `base`, as records written before bases were kept as changes hold it.
#[derive(Deserialize)]
struct StoredBase {
    repository: String,
    branch: Option<String>,
    commit: Option<String>,
    manifest: Option<BaseManifest>,
    base: Option<SyncBase>,
}

impl TryFrom<StoredBase> for RepositoryBase {
    type Error = &'static str;

    fn try_from(stored: StoredBase) -> Result<Self, Self::Error> {
        let StoredBase {
            repository,
            branch,
            commit,
            manifest,
            base,
        } = stored;
        match (branch, commit, manifest, base) {
            (Some(branch), Some(commit), Some(manifest), None) => Ok(RepositoryBase {
                repository,
                branch,
                commit,
                manifest,
            }),
            (None, None, None, Some(base)) => Ok(RepositoryBase {
                repository,
                branch: base.branch,
                commit: base.commit,
                manifest: BaseManifest::Whole(base.manifest),
            }),
            _ => Err("a synced base needs its branch, commit and manifest"),
        }
    }
}

impl BaseManifest {
    /// `manifest` as the base of a record whose baseline is `baseline`.
    fn against(manifest: &Manifest, baseline: &Manifest) -> Self {
        match manifest.changes_from(baseline) {
            Some(changes) => BaseManifest::Changes(changes),
            None => BaseManifest::Whole(manifest.clone()),
        }
    }

    /// The manifest, in a record whose baseline is `baseline`.
    fn manifest(&self, baseline: &Manifest) -> Manifest {
        match self {
            BaseManifest::Changes(changes) => changes.apply(baseline),
            BaseManifest::Whole(manifest) => manifest.clone(),
        }
    }
}

/// What a row of the project's History says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// "push" or "pull".
    pub action: String,
    /// Who.
    pub user: String,
    /// When (ISO 8601, UTC).
    pub at: String,
    /// The repository, as [`repository_key`] names it.
    pub repository: String,
    /// The branch.
    pub branch: String,
    /// The commits made (push) or read (pull), oldest first.
    pub commits: Vec<String>,
    /// The version tag, if one was made.
    pub version: Option<String>,
    /// Files written.
    pub written: usize,
    /// Files deleted or dropped.
    pub removed: usize,
    /// The pull request opened from this push, as it was when opened (rows written before pull requests
    /// read without one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_request: Option<PullRequest>,
}

/// How a repository is named in bases and history: its API address and full name.
pub fn repository_key(api_base_url: &str, full_name: &str) -> String {
    format!("{}/{full_name}", api_base_url.trim_end_matches('/'))
}

impl StoredProject {
    /// A project whose current state is its baseline (just imported, or a demo as shipped).
    pub fn at_baseline(project: Project) -> Self {
        let project = Rc::new(Tracked::new(project));
        let baseline = Manifest::clone(&project.written().manifest);
        StoredProject {
            project,
            baseline,
            bases: Vec::new(),
            history: Vec::new(),
            scm: ScmParameters::default(),
            revision: 0,
        }
    }

    /// The manifest of the last import, push or pull, against which local changes are found.
    pub fn baseline(&self) -> &Manifest {
        &self.baseline
    }

    /// The base of `branch` of `repository`, if the project was synced with it.
    pub fn base(&self, repository: &str, branch: &str) -> Option<SyncBase> {
        self.bases
            .iter()
            .find(|b| b.repository == repository && b.branch == branch)
            .map(|b| SyncBase {
                branch: b.branch.clone(),
                commit: b.commit.clone(),
                manifest: b.manifest.manifest(&self.baseline),
            })
    }

    /// Records a finished push: the new base of its branch, the baseline the change marks compare with,
    /// and a History row.
    pub fn record_push(&mut self, repository: &str, outcome: &PushOutcome, entry: HistoryEntry) {
        self.set_base(repository, &outcome.base);
        if !outcome.nothing_to_push || outcome.tag.is_some() || outcome.branch_created {
            self.history.push(entry);
        }
    }

    /// Records `pull_request` on the History's last push row of its source branch (none: nothing changes).
    pub fn record_pull_request(&mut self, pull_request: PullRequest) {
        let row = self
            .history
            .iter_mut()
            .rev()
            .find(|row| row.action == "push" && row.branch == pull_request.source);
        if let Some(row) = row {
            row.pull_request = Some(pull_request);
        }
    }

    /// The record after an applied pull: the pulled project, the new base of its source, the baseline
    /// (the repository's state, so local changes kept stay marked) and a History row; bases, history,
    /// parameters and revision are those of `previous` (`None`: a project restored as a new one). The
    /// previous project is not copied, only replaced.
    pub fn pulled(
        previous: Option<&StoredProject>,
        repository: &str,
        applied: AppliedPull,
        entry: HistoryEntry,
    ) -> StoredProject {
        let mut record = StoredProject {
            project: Rc::new(applied.project),
            baseline: previous.map_or_else(
                || Manifest::from_entries(Vec::new()),
                |p| p.baseline.clone(),
            ),
            bases: previous.map(|p| p.bases.clone()).unwrap_or_default(),
            history: previous.map(|p| p.history.clone()).unwrap_or_default(),
            scm: previous.map(|p| p.scm).unwrap_or_default(),
            revision: previous.map_or(0, |p| p.revision),
        };
        record.set_base(repository, &applied.base);
        record.history.push(entry);
        record
    }

    /// Sets the base of one branch of a repository, and the baseline of the change marks: the other
    /// bases are kept as their changes from the new baseline.
    fn set_base(&mut self, repository: &str, base: &SyncBase) {
        let baseline = base.manifest.clone();
        // The new baseline as its changes from the old one: a base kept as changes is moved onto it
        // from the paths either changed, not built whole and compared again.
        let moved = baseline.changes_from(&self.baseline);
        let earlier = std::mem::take(&mut self.bases);
        self.bases = earlier
            .into_iter()
            .filter(|b| !(b.repository == repository && b.branch == base.branch))
            .map(|b| RepositoryBase {
                manifest: match (&b.manifest, &moved) {
                    (BaseManifest::Changes(changes), Some(moved)) => {
                        BaseManifest::Changes(changes.rebased(&self.baseline, moved))
                    }
                    _ => BaseManifest::against(&b.manifest.manifest(&self.baseline), &baseline),
                },
                ..b
            })
            .collect();
        self.bases.push(RepositoryBase {
            repository: repository.to_owned(),
            branch: base.branch.clone(),
            commit: base.commit.clone(),
            manifest: BaseManifest::against(&baseline, &baseline),
        });
        self.baseline = baseline;
    }

    /// The project's files, as a push or a pull compares them: written again only after the project
    /// changed, and then only its artifacts that changed.
    pub fn local_files(&self) -> LocalFiles {
        self.project.written().clone()
    }

    /// The record a store writes of this project at `revision`: the same JSON as the project's own with
    /// that revision.
    pub fn record_at(&self, revision: u64) -> StoredRecord<'_> {
        // Every field named, so that a new field cannot be left out of the record.
        let StoredProject {
            project,
            baseline,
            bases,
            history,
            scm,
            revision: _,
        } = self;
        StoredRecord {
            project,
            baseline,
            bases,
            history,
            scm,
            revision,
        }
    }

    /// The record a store of per-artifact records writes of this project at `revision`, the baseline
    /// named by the parts `baseline_parts` (the names [`Manifest::parts`] gives it).
    pub fn head_at(&self, revision: u64, baseline_parts: Vec<String>) -> HeadRecord<'_> {
        // Every field named, so that a new field cannot be left out of the record.
        let StoredProject {
            project,
            baseline,
            bases,
            history,
            scm,
            revision: _,
        } = self;
        HeadRecord {
            format: PER_ARTIFACT_FORMAT,
            baseline: ManifestRoot {
                schema_version: baseline.schema_version,
                origin: baseline.origin.clone(),
                parts: baseline_parts,
            },
            files: None,
            summary: None,
            outline: project.outline(),
            bases,
            history,
            scm,
            revision,
        }
    }

    /// The artifacts changed since the baseline.
    pub fn local_changes(&self) -> LocalChanges {
        let current = &self.project.written().manifest;
        let diff = self.baseline.diff(current);
        let changed = diff
            .added
            .iter()
            .chain(&diff.modified)
            .chain(diff.renamed.iter().map(|renamed| &renamed.to))
            .map(|entry| entry.id.clone())
            .collect();
        let deleted: BTreeSet<&ArtifactId> = diff.removed.iter().map(|entry| &entry.id).collect();
        LocalChanges {
            changed,
            deleted: deleted.len(),
        }
    }

    /// The summary shown in lists.
    pub fn summary(&self) -> ProjectSummary {
        ProjectSummary::of(&self.project)
    }

    /// This record with `project` as its artifacts.
    pub fn with_project(self, project: Project) -> StoredProject {
        StoredProject {
            project: Rc::new(project.into()),
            ..self
        }
    }

    /// This record without the artifacts (the project's id, name and description stay), as kept beside
    /// artifacts that a portal provides.
    pub fn without_artifacts(&self) -> StoredProject {
        let project = &self.project;
        StoredProject {
            project: Rc::new(
                Project {
                    id: project.id.clone(),
                    name: project.name.clone(),
                    description: project.description.clone(),
                    suites: Vec::new(),
                    element_repositories: Vec::new(),
                    data_tables: Vec::new(),
                    execution_lists: Vec::new(),
                }
                .into(),
            ),
            baseline: self.baseline.clone(),
            bases: self.bases.clone(),
            history: self.history.clone(),
            scm: self.scm,
            revision: self.revision,
        }
    }
}

impl ProjectSummary {
    /// The summary of `project`.
    pub fn of(project: &Project) -> ProjectSummary {
        ProjectSummary {
            id: project.id.to_string(),
            name: project.name.clone(),
            description: project.description.clone(),
            suites: project.suites.len(),
            test_cases: project.test_cases().count(),
        }
    }
}

/// What differs between a project and its baseline, found by comparing the SHA-256 of every file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocalChanges {
    /// Artifacts whose file is new, modified or moved (a rename moves it).
    pub changed: BTreeSet<ArtifactId>,
    /// How many artifacts of the baseline are gone.
    pub deleted: usize,
}
