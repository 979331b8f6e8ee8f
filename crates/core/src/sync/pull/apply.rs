//! Applying a pull, without any request: the merged project from the preview and the resolutions.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::preview::{AppliedPull, ArtifactChange, PullCounts, PullPreview};
use super::problem::PullProblem;
use super::request::Resolution;
use crate::artifacts::{
    by_path, from_files_knowing, to_canonical_json, ArtifactId, ArtifactKey, ArtifactKind,
    ArtifactPath, ByPath, FileSource, LayoutOptions, Manifest, ManifestEntry, Project, ReadLimits,
    ReviewState, SharedFiles, TestCase, Tracked, TreeError, TreeErrorKind, WrittenTestCases,
};
use crate::sync::error::SyncError;
use crate::sync::layout::CHILD_LISTS;
use crate::sync::local::{LocalFiles, SyncBase};
use crate::sync::three_way::{classify_differences, Status};

/// What applying does with one artifact file.
pub(super) enum Outcome<'a> {
    Keep,
    TakeTheirs,
    Merged(&'a TestCase),
}

/// Rounds of leaving out unreadable files (each round can orphan the children of what it left out).
const MAX_PRUNING_ROUNDS: usize = 8;

impl PullPreview {
    /// The artifacts the user must settle before applying.
    pub fn conflicts(&self) -> impl Iterator<Item = &ArtifactChange> {
        self.artifacts.iter().filter(|a| a.status().is_conflict())
    }

    /// What restoring this preview's commit changes in a project whose files `local` lists: the
    /// artifact files that differ (each [`Status::Remote`]: added, changed or deleted by the restore),
    /// named as the repository names them, else by `local_name`; and how many are the same. A restore
    /// plans with no local side, so [`PullPreview::artifacts`] lists every file as new.
    pub fn restore_changes(
        &self,
        local: &Manifest,
        local_name: &dyn Fn(&ArtifactId) -> Option<String>,
    ) -> (Vec<ArtifactChange>, usize) {
        let (differing, same) = classify_differences(Some(local), local, &self.remote_manifest);
        let remote_names: BTreeMap<&ArtifactKey, &str> = self
            .artifacts
            .iter()
            .map(|a| (&a.key, a.name.as_str()))
            .collect();
        let changes = differing
            .into_iter()
            .map(|(key, classified)| {
                let file = || {
                    let path = classified.base.as_ref().or(classified.remote.as_ref());
                    path.map(|e| e.path.rsplit('/').next().unwrap_or(&e.path).to_owned())
                };
                let name = remote_names
                    .get(&key)
                    .map(|name| (*name).to_owned())
                    .or_else(|| local_name(&key.0))
                    .or_else(file)
                    .unwrap_or_else(|| key.0.to_string());
                ArtifactChange {
                    key,
                    name,
                    classified,
                }
            })
            .collect();
        (changes, same)
    }

    /// The problem of a remote file, if it has one.
    pub fn problem(&self, path: &str) -> Option<&PullProblem> {
        self.problems.iter().find(|p| p.path == path)
    }

    /// The problem of an artifact's file in the repository, if it has one.
    pub(super) fn remote_problem(&self, change: &ArtifactChange) -> Option<&PullProblem> {
        let remote = change.classified.remote.as_ref()?;
        self.problem(&remote.path)
    }

    /// Builds the project the pull gives from the local project the preview was planned with, without
    /// any request: local artifacts changed only in the repository take the repository's version, local
    /// changes stay, conflicts are settled by `resolutions` (every conflict needs one, else nothing is
    /// applied). Files that cannot be read make it fail unless `include_invalid`: then they are left out
    /// (a changed artifact keeps its local version) and listed in [`AppliedPull::skipped`]. The caller
    /// stores the result only over the very record it planned with (a newer one is another tab's work).
    pub fn apply(
        &self,
        resolutions: &BTreeMap<ArtifactKey, Resolution>,
        include_invalid: bool,
    ) -> Result<AppliedPull, SyncError> {
        self.check_resolved(resolutions)?;
        self.apply_files(resolutions, include_invalid)
    }

    /// [`PullPreview::apply`] with the project the preview's local files were written from (by
    /// [`LocalFiles::of`](crate::sync::LocalFiles::of)): the same result, faster on a large
    /// project. When all the pull takes is test
    /// cases whose files stay where they are (the usual pull of a team's edits), it replaces them in a
    /// copy of the project; otherwise it reads the merged files (the local test cases kept are taken
    /// from the local files as they are, not read again).
    pub fn apply_over(
        &self,
        resolutions: &BTreeMap<ArtifactKey, Resolution>,
        include_invalid: bool,
        local_project: &Project,
    ) -> Result<AppliedPull, SyncError> {
        self.check_resolved(resolutions)?;
        if self.local.is_none() {
            return self.apply_files(resolutions, include_invalid);
        }
        if let Some(applied) = self.replace_test_cases(resolutions, local_project) {
            return applied;
        }
        self.apply_files(resolutions, include_invalid)
    }

    /// Every conflict needs a resolution.
    fn check_resolved(
        &self,
        resolutions: &BTreeMap<ArtifactKey, Resolution>,
    ) -> Result<(), SyncError> {
        let unresolved = self
            .conflicts()
            .filter(|a| !resolutions.contains_key(&a.key))
            .count();
        match unresolved {
            0 => Ok(()),
            count => Err(SyncError::UnresolvedConflicts { count }),
        }
    }

    /// The pull applied to a copy of `local_project`, when every artifact it takes is a test case whose
    /// file stays at its local path and reads cleanly; `None` otherwise (the files are then read whole).
    fn replace_test_cases(
        &self,
        resolutions: &BTreeMap<ArtifactKey, Resolution>,
        local_project: &Project,
    ) -> Option<Result<AppliedPull, SyncError>> {
        let mut counts = PullCounts::default();
        let mut taken: BTreeMap<&ArtifactId, Tracked<TestCase>> = BTreeMap::new();
        for change in &self.artifacts {
            let outcome = match self.outcome(change, resolutions, &mut counts) {
                Ok(outcome) => outcome,
                Err(error) => return Some(Err(error)),
            };
            if matches!(outcome, Outcome::Keep) {
                continue;
            }
            let classified = &change.classified;
            let (local, remote) = (classified.local.as_ref()?, classified.remote.as_ref()?);
            let in_place = change.kind() == ArtifactKind::TestCase
                && classified.renamed_remotely().is_none()
                && local.path == remote.path;
            if !in_place {
                return None;
            }
            let case = match outcome {
                Outcome::Merged(case) => case.clone().into(),
                _ => {
                    counts.changed += 1;
                    if self.problem(&remote.path).is_some() {
                        return None;
                    }
                    match self.downloaded.get(&*remote.path) {
                        // Read as it arrived; one that did not read cleanly has its problem.
                        Some(file) => file.test_case()?.clone(),
                        // The same content on both sides: nothing to take.
                        None if local.sha256 == remote.sha256 => continue,
                        None => return None,
                    }
                }
            };
            taken.insert(&change.key.0, case);
        }
        let mut project = local_project.clone();
        // Where each test case taken is written, as the project now places it.
        let mut placed = Vec::new();
        for suite in &mut project.suites {
            for scenario in &mut suite.scenarios {
                for case in &mut scenario.test_cases {
                    if let Some(pulled) = taken.remove(&case.id) {
                        *case = pulled;
                        let place = ArtifactPath::TestCase {
                            suite: suite.id.clone(),
                            scenario: scenario.id.clone(),
                            id: case.id.clone(),
                        };
                        placed.push((
                            self.options.full_path(&place.relative(&case.name)),
                            case.clone(),
                        ));
                    }
                }
            }
        }
        // A test case the project does not hold: not the project the preview was planned with.
        if !taken.is_empty() {
            return None;
        }
        let written = self
            .local
            .as_ref()
            .and_then(|local| replaced_in(local, &placed, &project, &self.remote_manifest));
        let project = match written {
            Some(written) => Tracked::with_written(project, written),
            None => Tracked::new(project),
        };
        Some(Ok(self.applied(project, counts, Vec::new())))
    }

    /// The pull applied to the local files, read back as a project (resolutions checked).
    fn apply_files(
        &self,
        resolutions: &BTreeMap<ArtifactKey, Resolution>,
        include_invalid: bool,
    ) -> Result<AppliedPull, SyncError> {
        let mut files = self
            .local
            .as_ref()
            .map(LocalFiles::to_map)
            .unwrap_or_default();
        let mut counts = PullCounts::default();
        let mut invalid = Vec::new();
        let mut skipped = Vec::new();
        // The test cases taken as the branch has them keep its files as what was written of them.
        let mut written = WrittenTestCases::new();
        for change in &self.artifacts {
            let classified = &change.classified;
            let local_path = classified.local.as_ref().map(|l| l.path.to_string());
            match self.outcome(change, resolutions, &mut counts)? {
                Outcome::Keep => {}
                Outcome::Merged(case) => {
                    // The repository's path when it renamed or moved the test case, else the local one.
                    let path = classified
                        .renamed_remotely()
                        .map(|(_, to)| to.to_owned())
                        .or(local_path.clone())
                        .unwrap_or_default();
                    local_path.map(|p| files.remove(&*p));
                    files.insert(path, to_canonical_json(case).into());
                }
                Outcome::TakeTheirs => match &classified.remote {
                    None => {
                        local_path.map(|p| files.remove(&*p));
                        counts.deleted += 1;
                    }
                    Some(remote) => {
                        let downloaded = self.downloaded.get(&*remote.path);
                        let bytes = downloaded.cloned().or_else(|| {
                            let same = classified.local.as_ref()?.sha256 == remote.sha256;
                            same.then(|| files.get(local_path.as_ref()?).cloned())?
                        });
                        let problem = self.problem(&remote.path).cloned().or_else(|| {
                            bytes.is_none().then(|| {
                                PullProblem::tree(&remote.path, TreeErrorKind::MissingFile)
                            })
                        });
                        if let Some(problem) = problem {
                            if include_invalid {
                                skipped.push(problem.to_tree_error());
                            } else {
                                invalid.push(problem.to_tree_error());
                            }
                            continue;
                        }
                        if let Some(old) = &local_path {
                            files.remove(old);
                            counts.changed += 1;
                            counts.renamed += usize::from(**old != *remote.path);
                        } else {
                            counts.added += 1;
                        }
                        let bytes = bytes.unwrap_or_else(|| Vec::new().into());
                        if change.kind() == ArtifactKind::TestCase {
                            written.insert(remote.path.as_ref(), remote.sha256.clone());
                        }
                        files.insert(remote.path.to_string(), bytes);
                    }
                },
            }
        }
        if !invalid.is_empty() {
            return Err(SyncError::InvalidFiles { errors: invalid });
        }
        let (project, pruned) = read_merged(files, &self.options, include_invalid, &written)?;
        skipped.extend(pruned);
        Ok(self.applied(Tracked::new(project), counts, skipped))
    }

    /// The pull's result: `project`, and the pulled commit as the new base.
    pub(super) fn applied(
        &self,
        project: Tracked<Project>,
        mut counts: PullCounts,
        skipped: Vec<TreeError>,
    ) -> AppliedPull {
        counts.skipped = skipped.len();
        AppliedPull {
            project,
            base: SyncBase {
                branch: self.source.base_key(&self.commit),
                commit: self.commit.clone(),
                manifest: self.remote_manifest.clone(),
            },
            counts,
            skipped,
        }
    }

    pub(super) fn outcome<'a>(
        &'a self,
        change: &ArtifactChange,
        resolutions: &BTreeMap<ArtifactKey, Resolution>,
        counts: &mut PullCounts,
    ) -> Result<Outcome<'a>, SyncError> {
        Ok(match change.status() {
            Status::Remote(_) => Outcome::TakeTheirs,
            Status::Conflict(_) => match resolutions.get(&change.key) {
                Some(Resolution::TakeTheirs) => {
                    counts.took_theirs += 1;
                    Outcome::TakeTheirs
                }
                Some(Resolution::MergeSteps) => {
                    if let Some(problem) = self.remote_problem(change) {
                        return Err(SyncError::MergeOfProblemFile {
                            name: change.name.clone(),
                            problem: problem.clone(),
                        });
                    }
                    let merged = self.merges.get(&change.key).and_then(|m| m.merged.as_ref());
                    let case = merged.ok_or_else(|| SyncError::MergeImpossible {
                        name: change.name.clone(),
                    })?;
                    counts.merged += 1;
                    Outcome::Merged(case)
                }
                _ => {
                    counts.kept_mine += 1;
                    Outcome::Keep
                }
            },
            _ => Outcome::Keep,
        })
    }
}

/// Reads the merged files. With `include_invalid`, unreadable files are left out round by round (and
/// their ids taken out of their parents' lists) until the rest reads; the project file itself cannot
/// be left out.
fn read_merged(
    mut files: SharedFiles,
    options: &LayoutOptions,
    include_invalid: bool,
    written: &WrittenTestCases,
) -> Result<(Project, Vec<TreeError>), SyncError> {
    let limits = ReadLimits {
        verify_manifest: false,
        ..ReadLimits::default()
    };
    let mut skipped = Vec::new();
    for _ in 0..MAX_PRUNING_ROUNDS {
        match from_files_knowing(&files, options, &limits, written) {
            Ok(project) => return Ok((project, skipped)),
            Err(errors) if include_invalid => {
                let Some(removed) = prune(&mut files, errors.0.clone(), options) else {
                    return Err(SyncError::InvalidFiles { errors: errors.0 });
                };
                skipped.extend(removed);
            }
            Err(errors) => return Err(SyncError::InvalidFiles { errors: errors.0 }),
        }
    }
    from_files_knowing(&files, options, &limits, written)
        .map(|project| (project, skipped))
        .map_err(|errors| SyncError::InvalidFiles { errors: errors.0 })
}

/// Leaves out the files of `errors` and takes missing or repeated children out of their parents'
/// lists; the errors of the files left out, or `None` when the project file itself is unreadable.
fn prune(
    files: &mut SharedFiles,
    errors: Vec<TreeError>,
    options: &LayoutOptions,
) -> Option<Vec<TreeError>> {
    let project_path = options.full_path(crate::artifacts::PROJECT_FILE);
    let mut removed = Vec::new();
    for error in errors {
        let child = match &error.kind {
            TreeErrorKind::MissingChild { id, .. } | TreeErrorKind::ListedTwice { id } => id,
            _ if error.path == project_path => return None,
            _ => {
                if files.remove(&error.path).is_some() {
                    removed.push(error);
                }
                continue;
            }
        };
        let bytes = files.get(&error.path)?.bytes();
        let mut value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
        for key in CHILD_LISTS {
            if let Some(list) = value.get_mut(key).and_then(serde_json::Value::as_array_mut) {
                let mut seen = false;
                list.retain(|item| {
                    let keep = item.as_str() != Some(child.as_str())
                        || (matches!(error.kind, TreeErrorKind::ListedTwice { .. }) && !seen);
                    seen |= item.as_str() == Some(child.as_str());
                    keep
                });
            }
        }
        files.insert(error.path.clone(), to_canonical_json(&value).into());
    }
    Some(removed)
}

/// The files of `project`, `local`'s project with the test cases `placed` (at the paths it writes them)
/// replaced: `local` with those files changed, without writing the project again; its manifest shares
/// `remote`'s entries when it is the same (a pull that took the branch as it is), so that comparing the
/// two walks nothing. `None` when a test case is not at that path in `local` (the project is then
/// written whole when its files are needed).
fn replaced_in(
    local: &LocalFiles,
    placed: &[(String, Tracked<TestCase>)],
    project: &Project,
    remote: &Manifest,
) -> Option<LocalFiles> {
    let mut contents = local.contents.clone();
    // The new hash of each placed test case, by path.
    let mut patches: BTreeMap<&str, &Arc<str>> = BTreeMap::new();
    for (path, case) in placed {
        let written = case.written();
        contents.set(local.manifest.position(path)?, case.clone().into())?;
        let entry = local.manifest.entry(path)?;
        if entry.id != case.id || entry.kind != ArtifactKind::TestCase {
            return None;
        }
        patches.insert(path, &written.sha256);
    }
    let patched = |entry: &ManifestEntry| match patches.get(entry.path.as_ref()) {
        Some(sha256) => ManifestEntry {
            sha256: (*sha256).clone(),
            ..entry.clone()
        },
        None => entry.clone(),
    };
    // The branch's entries, met in one walk (parts both hold are not compared), and each placed test
    // case's entry as the branch has it.
    let as_remote = by_path(&remote.files, &local.manifest.files).all(|met| match met {
        ByPath::Same(_) => true,
        ByPath::Both(theirs, mine) => patched(mine) == *theirs,
        ByPath::One(_) | ByPath::Other(_) => false,
    }) && patches.keys().all(|path| {
        let mine = local.manifest.entry(path).map(patched);
        mine.is_some() && remote.entry(path) == mine.as_ref()
    });
    let entries = match as_remote {
        true => remote.files.clone(),
        false => Arc::new(local.manifest.files.iter().map(patched).collect()),
    };
    let approved = |case: &Tracked<TestCase>| case.review_state == ReviewState::Approved;
    let same_approvals = placed
        .iter()
        .all(|(_, case)| approved(case) == local.approved.contains(&case.id));
    Some(LocalFiles {
        contents,
        manifest: Arc::new(Manifest {
            files: entries,
            ..Manifest::clone(&local.manifest)
        }),
        approved: match same_approvals {
            true => local.approved.clone(),
            false => Arc::new(project.approved_ids()),
        },
        options: local.options.clone(),
    })
}
