//! Reading a commit's manifest, for push and pull: its root, then, for a manifest of layout 2, the parts
//! this copy does not hold already (those of its base), all in one round.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use super::attempt::{Attempt, Retrying};
use super::error::{refused_manifest, SyncError};
use super::remote::Remote;
use crate::artifacts::{
    part_path, read_manifest_file, read_manifest_part, LayoutOptions, Manifest, ManifestEntry,
    ManifestFile, ManifestRoot, TreeErrorKind, MANIFEST_FILE, MAX_FILE_BYTES, MAX_MANIFEST_BYTES,
};
use crate::bitbucket::{ApiError, ApiRequest, ApiResponse, Call};

/// A read of a commit's manifest under way (see the module's documentation).
#[derive(Debug)]
pub(crate) struct ManifestRead {
    at: Source,
    stage: ReadStage,
}

/// Where the manifest is read, and the parts held already.
#[derive(Debug)]
struct Source {
    commit: String,
    options: LayoutOptions,
    /// The parts held already, by name.
    known: BTreeMap<String, PartEntries>,
}

/// A part's entries: read, or those of a manifest this copy holds (shared, not copied).
#[derive(Debug)]
enum PartEntries {
    Read(Vec<ManifestEntry>),
    Held(Arc<Vec<ManifestEntry>>, Range<usize>),
}

impl AsRef<[ManifestEntry]> for PartEntries {
    fn as_ref(&self) -> &[ManifestEntry] {
        match self {
            PartEntries::Read(entries) => entries,
            PartEntries::Held(files, range) => files.get(range.clone()).unwrap_or_default(),
        }
    }
}

/// The parts of `held` by name, each as a range of its manifest's entries.
fn held_parts(held: &[&Manifest]) -> BTreeMap<String, PartEntries> {
    let mut known = BTreeMap::new();
    for manifest in held {
        let Some(parts) = manifest.held_parts() else {
            continue;
        };
        let mut start = 0;
        for part in parts.iter() {
            let range = start..start + part.files.len();
            start = range.end;
            let entries = || PartEntries::Held(manifest.files.clone(), range);
            known.entry(part.name.to_owned()).or_insert_with(entries);
        }
    }
    known
}

#[derive(Debug)]
enum ReadStage {
    Root(Attempt<Vec<u8>>),
    Parts {
        root: ManifestRoot,
        /// The parts still to read, with their calls.
        pending: Vec<(String, Call<Vec<u8>>)>,
        /// The parts read or known, by name.
        parts: BTreeMap<String, PartEntries>,
        tries: u32,
    },
}

/// What a read of a manifest came to after an answer.
#[derive(Debug)]
pub(crate) enum ManifestOutcome {
    /// More to read.
    Reading(ManifestRead),
    /// The manifest.
    Read(Manifest),
    /// The commit holds no manifest.
    Absent,
    /// A file of the manifest cannot be used: its path, and what is wrong.
    Damaged(String, TreeErrorKind),
    /// Refused (too large), or a request failed for good.
    Failed(SyncError),
}

impl ManifestRead {
    /// A read of the manifest at `commit`, knowing the parts of `held`, manifests this copy holds (such
    /// as the base's): a part is named by its content, so one of theirs with the same name is not read.
    pub(crate) fn new(
        remote: &Remote,
        commit: &str,
        options: &LayoutOptions,
        held: &[&Manifest],
    ) -> Self {
        let root = remote
            .read_file(commit, &options.full_path(MANIFEST_FILE))
            .limited(MAX_MANIFEST_BYTES as u64);
        let at = Source {
            commit: commit.to_owned(),
            options: options.clone(),
            known: held_parts(held),
        };
        ManifestRead {
            at,
            stage: ReadStage::Root(Attempt::new(root)),
        }
    }

    /// Whether the root is asked for the first time (other first reads may go beside it).
    pub(crate) fn first_request(&self) -> bool {
        matches!(&self.stage, ReadStage::Root(attempt) if attempt.tries == 0)
    }

    /// Whether the parts are read (the root was).
    pub(crate) fn reads_parts(&self) -> bool {
        matches!(self.stage, ReadStage::Parts { .. })
    }

    /// The requests of this round.
    pub(crate) fn requests(&self) -> Vec<ApiRequest> {
        match &self.stage {
            ReadStage::Root(attempt) => vec![attempt.call.request.clone()],
            ReadStage::Parts { pending, .. } => {
                pending.iter().map(|(_, c)| c.request.clone()).collect()
            }
        }
    }

    /// Reads the answers to [`ManifestRead::requests`], scheduling retries with `retrying`.
    pub(crate) fn handle(
        self,
        remote: &Remote,
        retrying: &mut Retrying,
        answers: Vec<Result<ApiResponse, ApiError>>,
    ) -> ManifestOutcome {
        let ManifestRead { at, stage } = self;
        match stage {
            ReadStage::Root(mut attempt) => {
                let answer = answers
                    .into_iter()
                    .next()
                    .unwrap_or(Err(ApiError::Cancelled));
                let read = attempt.read(answer);
                if let Some(refused) = refused_manifest(at.root_path(), &read) {
                    return ManifestOutcome::Failed(refused);
                }
                match read {
                    Ok(bytes) => match read_manifest_file(&bytes) {
                        Ok(ManifestFile::Whole(manifest)) => ManifestOutcome::Read(manifest),
                        Ok(ManifestFile::Root(root)) => at.read_parts(remote, root),
                        Err(kind) => ManifestOutcome::Damaged(at.root_path(), kind),
                    },
                    Err(ApiError::NotFound { .. }) => ManifestOutcome::Absent,
                    Err(error) if retrying.schedule(&mut attempt, &error) => {
                        ManifestOutcome::Reading(ManifestRead {
                            at,
                            stage: ReadStage::Root(attempt),
                        })
                    }
                    Err(error) => ManifestOutcome::Failed(SyncError::Api(error)),
                }
            }
            ReadStage::Parts {
                root,
                pending,
                mut parts,
                mut tries,
            } => {
                let mut still = Vec::new();
                let mut retry_error = None;
                for ((name, call), answer) in pending.into_iter().zip(answers) {
                    match answer.and_then(|response| call.parse(&response)) {
                        Ok(bytes) => match read_manifest_part(&name, &bytes) {
                            Ok(entries) => {
                                parts.insert(name, PartEntries::Read(entries));
                            }
                            Err(kind) => {
                                let path = part_path(&at.options, &name);
                                return ManifestOutcome::Damaged(path, kind);
                            }
                        },
                        Err(ApiError::NotFound { .. }) => {
                            let kind = TreeErrorKind::MissingManifestPart { part: name };
                            return ManifestOutcome::Damaged(at.root_path(), kind);
                        }
                        Err(error) => {
                            retry_error = Some(error);
                            still.push((name, call));
                        }
                    }
                }
                if let Err(error) = retrying.retry_batch(&mut tries, retry_error) {
                    return ManifestOutcome::Failed(SyncError::Api(error));
                }
                if !still.is_empty() {
                    let stage = ReadStage::Parts {
                        root,
                        pending: still,
                        parts,
                        tries,
                    };
                    return ManifestOutcome::Reading(ManifestRead { at, stage });
                }
                at.assemble(&root, &parts)
            }
        }
    }
}

impl Source {
    fn root_path(&self) -> String {
        self.options.full_path(MANIFEST_FILE)
    }

    /// After the root: its parts not held already are read, or the manifest is assembled.
    fn read_parts(mut self, remote: &Remote, root: ManifestRoot) -> ManifestOutcome {
        let mut parts = BTreeMap::new();
        let mut pending = Vec::new();
        for name in &root.parts {
            match self.known.remove(name) {
                Some(entries) => {
                    parts.insert(name.clone(), entries);
                }
                None if parts.contains_key(name) => {}
                None => {
                    let path = part_path(&self.options, name);
                    let call = remote
                        .read_file(&self.commit, &path)
                        .limited(MAX_FILE_BYTES as u64);
                    pending.push((name.clone(), call));
                }
            }
        }
        if pending.is_empty() {
            return self.assemble(&root, &parts);
        }
        let stage = ReadStage::Parts {
            root,
            pending,
            parts,
            tries: 0,
        };
        ManifestOutcome::Reading(ManifestRead { at: self, stage })
    }

    fn assemble(
        &self,
        root: &ManifestRoot,
        parts: &BTreeMap<String, PartEntries>,
    ) -> ManifestOutcome {
        match root.assemble(parts, &self.options) {
            Ok(manifest) => ManifestOutcome::Read(manifest),
            Err(problem) => ManifestOutcome::Damaged(problem.path, problem.kind),
        }
    }
}
