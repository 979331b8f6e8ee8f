//! The pull planner's verification: downloads checked against the manifest, the files it does not list,
//! and the preview it ends with.

use std::collections::BTreeMap;

use super::planner::{Fetch, PullPlanner, Stage};
use super::preview::{ArtifactChange, PullPreview};
use super::problem::{ProblemKind, PullProblem};
use crate::artifacts::{
    file_errors, ArtifactId, ArtifactKey, ArtifactKind, FileSource, Manifest, ManifestEntry,
    ReadLimits, TestCase, TreeErrorKind,
};
use crate::bitbucket::{ApiError, ApiResponse};
use crate::sync::error::SyncError;
use crate::sync::job::Phase;
use crate::sync::layout::{entry_of, name_of, path_kind};
use crate::sync::retry::Failure;
use crate::sync::three_way::{merge_test_case, Classified};
use crate::sync::unlisted::{UnlistedFile, UnlistedReason};

impl PullPlanner {
    /// Data Center without a base: the listed files the manifest does not list.
    pub(super) fn list_unlisted(&mut self, manifest: &Manifest) {
        let unlisted: Vec<UnlistedFile> = self
            .listed
            .iter()
            .filter(|path| !self.is_manifest_path(path) && manifest.entry(path).is_none())
            .map(|path| UnlistedFile::new(path.clone(), UnlistedReason::NotInManifest))
            .collect();
        self.unlisted.extend(unlisted);
    }

    /// The base versions of test cases changed on both sides, for the step-level merge.
    pub(super) fn base_fetches(&self) -> Vec<Fetch> {
        if self.base().is_none() {
            return Vec::new();
        }
        self.classified
            .iter()
            .filter(|(key, c)| key.1 == ArtifactKind::TestCase && wants_merge(c))
            .filter_map(|(_, c)| c.base.as_ref())
            .map(|entry| Fetch {
                path: entry.path.to_string(),
                base: true,
            })
            .collect()
    }

    /// A commit without manifest: the listed files that can be artifacts (the others are reported). A
    /// per-file baseline leaves the manifest out, unread.
    pub(super) fn readable_listed(&mut self) -> Vec<String> {
        let mut readable = Vec::new();
        for path in std::mem::take(&mut self.listed) {
            if self.is_manifest_path(&path) {
                continue;
            }
            match path_kind(&path, &self.options) {
                Ok(_) => readable.push(path),
                Err(kind) => self.problems.push(PullProblem::tree(&path, kind)),
            }
        }
        readable
    }

    pub(super) fn handle_download(
        &mut self,
        pending: Vec<Fetch>,
        mut tries: u32,
        answers: Vec<Result<ApiResponse, ApiError>>,
    ) -> Stage {
        let mut still = Vec::new();
        let mut retry_error = None;
        if let Some(bulk) = &mut self.bulk {
            bulk.per_file_requests += answers.len();
        }
        let base_commit = self.base().map(|b| b.commit.clone()).unwrap_or_default();
        for (fetch, answer) in pending.into_iter().zip(answers) {
            let commit = if fetch.base {
                &base_commit
            } else {
                &self.tip.id
            };
            let call = self.remote.read_file(commit, &fetch.path);
            match answer.and_then(|response| call.parse(&response)) {
                Ok(bytes) => self.received(fetch, bytes),
                Err(ApiError::NotFound { .. } | ApiError::TooLarge { .. }) if fetch.base => {}
                Err(ApiError::NotFound { .. }) => self
                    .problems
                    .push(PullProblem::tree(&fetch.path, TreeErrorKind::MissingFile)),
                Err(ApiError::TooLarge { size, limit, .. }) => self.problems.push(
                    PullProblem::tree(&fetch.path, TreeErrorKind::too_large(size, limit)),
                ),
                Err(error) if Failure::of(&error) != Failure::Final => {
                    retry_error = Some(error);
                    still.push(fetch);
                }
                Err(error) => return self.fail(SyncError::Api(error)),
            }
        }
        if let Err(error) = self.retrying.retry_batch(&mut tries, retry_error) {
            return self.fail(SyncError::Api(error));
        }
        if still.is_empty() {
            self.after_downloads()
        } else {
            Stage::Download {
                pending: still,
                tries,
            }
        }
    }

    pub(super) fn after_downloads(&mut self) -> Stage {
        if self.manifest.is_none() {
            // A tree without manifest: its manifest is made from the files read, then compared.
            let mut entries: BTreeMap<ArtifactKey, ManifestEntry> = BTreeMap::new();
            for (path, bytes) in &self.downloaded {
                if let Some(entry) = entry_of(path, &bytes.bytes(), &self.options) {
                    entries
                        .entry((entry.id.clone(), entry.kind))
                        .or_insert(entry);
                }
            }
            let manifest = Manifest::from_entries(entries.into_values().collect());
            self.classify(&manifest);
            self.compared = manifest.clone();
            self.manifest = Some(manifest);
            let fetches = self.base_fetches();
            if !fetches.is_empty() {
                return self.download(fetches);
            }
        }
        self.finish();
        Stage::Done
    }

    /// The SHA-256 the manifest gives a file of a managed tree, when `file` does not match it.
    pub(super) fn mismatch(&self, path: &str, file: &impl FileSource) -> Option<String> {
        let entry = self.compared.entry(path).filter(|_| self.managed)?;
        (file.sha256() != entry.sha256).then(|| entry.sha256.to_string())
    }

    /// Checks the downloaded files and builds the preview.
    pub(super) fn finish(&mut self) {
        let mut problems = std::mem::take(&mut self.problems);
        for (path, bytes) in &self.downloaded {
            if let Some(expected) = self.mismatch(path, bytes) {
                let kind = match self.disagreements.contains(path) {
                    true => ProblemKind::ChangedInGit { expected },
                    false => ProblemKind::Tree(TreeErrorKind::ManifestMismatch { expected }),
                };
                problems.push(PullProblem {
                    path: path.clone(),
                    kind,
                });
            }
        }
        let limits = ReadLimits {
            verify_manifest: false,
            ..ReadLimits::default()
        };
        problems.extend(
            file_errors(&self.downloaded, &self.options, &limits)
                .into_iter()
                .map(|e| PullProblem::tree(&e.path, e.kind)),
        );
        // One problem a file: the first found (a file that does not match the manifest is mostly also
        // content the reader refuses; the mismatch says why).
        problems.sort_by(|a, b| a.path.cmp(&b.path));
        problems.dedup_by(|later, first| later.path == first.path);
        self.local.written();
        let local_files = self.local.files();
        let unchanged = self.unchanged;
        let mut artifacts = Vec::new();
        let mut merges = BTreeMap::new();
        let mut names: BTreeMap<ArtifactId, String> = BTreeMap::new();
        for (key, classified) in std::mem::take(&mut self.classified) {
            let theirs = content(&classified.remote, Some(&self.downloaded));
            let mine = (classified.local.as_ref()).and_then(|entry| local_files?.get(&entry.path));
            let name = (theirs.and_then(name_in))
                .or_else(|| mine.and_then(name_in))
                .unwrap_or_default();
            if !name.is_empty() {
                names.insert(key.0.clone(), name.clone());
            }
            let remote_problem = classified
                .remote
                .as_ref()
                .is_some_and(|remote| problems.iter().any(|p| *p.path == *remote.path));
            if key.1 == ArtifactKind::TestCase && wants_merge(&classified) && !remote_problem {
                let base = content(&classified.base, Some(&self.base_files)).and_then(test_case_in);
                if let (Some(mine), Some(theirs)) =
                    (mine.and_then(test_case_in), theirs.and_then(test_case_in))
                {
                    merges.insert(key.clone(), merge_test_case(base.as_ref(), &mine, &theirs));
                }
            }
            artifacts.push(ArtifactChange {
                key,
                name,
                classified,
            });
        }
        for change in &mut artifacts {
            if change.name.is_empty() {
                change.name = names
                    .get(&change.key.0)
                    .cloned()
                    .unwrap_or_else(|| change.key.0.to_string());
            }
        }
        let mut unlisted = std::mem::take(&mut self.unlisted);
        unlisted.sort();
        unlisted.dedup_by(|a, b| a.path == b.path);
        self.retrying.progress.phase = Phase::Done;
        // Handed over to the preview, not copied: the planner is done with them.
        let base = match self.base() {
            Some(_) => self.request.base.take(),
            None => None,
        };
        let compared = std::mem::replace(&mut self.compared, Manifest::from_entries(Vec::new()));
        self.result = Some(Ok(PullPreview {
            source: self.request.source.clone(),
            commit: self.tip.id.clone(),
            remote_manifest: self.manifest.take().unwrap_or(compared),
            managed: self.managed,
            base,
            artifacts,
            unchanged,
            downloaded: std::mem::take(&mut self.downloaded),
            problems,
            diff_disagreements: std::mem::take(&mut self.disagreements),
            changes_check: self.changes_check,
            bulk_read: self.bulk.take(),
            unlisted,
            merges,
            requests: self.retrying.progress.requests,
            local: self.local.take(),
            options: self.options.clone(),
        }));
    }
}

/// Whether an artifact changed on both sides could be merged (both sides have it).
fn wants_merge(classified: &Classified) -> bool {
    classified.status.is_conflict() && classified.local.is_some() && classified.remote.is_some()
}

/// The file `files` hold at `entry`'s path.
fn content<'a, B: FileSource>(
    entry: &Option<ManifestEntry>,
    files: Option<&'a BTreeMap<String, B>>,
) -> Option<&'a B> {
    files?.get(&*entry.as_ref()?.path)
}

/// The name a file gives its artifact: a test case's own, else the one its bytes hold.
fn name_in(file: &impl FileSource) -> Option<String> {
    match file.test_case() {
        Some(case) => Some(case.name.clone()),
        None => name_of(&file.bytes()),
    }
}

/// The test case a file holds, when it reads as one.
fn test_case_in(file: &impl FileSource) -> Option<TestCase> {
    match file.test_case() {
        Some(case) => Some(TestCase::clone(case)),
        None => serde_json::from_slice(&file.bytes()).ok(),
    }
}
