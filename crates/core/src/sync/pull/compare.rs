//! The pull planner's comparison: the remote manifest checked, each artifact classified, and the
//! changes listed since the base checked against the manifest.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::ops::Range;
use std::sync::Arc;

use super::planner::PullPlanner;
use super::preview::ChangesCheck;
use super::problem::{ProblemKind, PullProblem};
use crate::artifacts::{
    by_path, held_alike, in_order, ArtifactId, ArtifactKind, ByPath, Manifest, ManifestEntry,
    TreeErrorKind,
};
use crate::bitbucket::cloud::FileChangeKind;
use crate::sync::layout::path_kind;
use crate::sync::sides::{key_fingerprint, vouch_well_formed, KnownKeys};
use crate::sync::three_way::classify_differences;
use crate::sync::unlisted::{UnlistedFile, UnlistedReason};

impl PullPlanner {
    /// The manifest's entries that can be pulled; the others are reported and left out of the
    /// comparison (their artifacts stay as they are locally). A manifest whose every entry can be pulled,
    /// in path order, is given back as it is (its entries shared).
    pub(super) fn checked_manifest(&mut self, manifest: Manifest) -> Manifest {
        let files = &manifest.files;
        let mut found: Vec<(usize, ProblemKind)> = Vec::new();
        // The entries whose path can be pulled, by a fingerprint of their artifact key and position.
        let mut keys: Vec<(u64, usize)> = Vec::with_capacity(files.len());
        // Entries in parts the base holds were checked when the base was pulled or written: under this
        // root, they are not checked again.
        let alike = self
            .base()
            .and_then(|base| held_alike(files, &base.manifest.files));
        let alike = alike.unwrap_or_default();
        // With the keys of the entries kept from a base well formed known, only the others' are taken
        // (unless one of those may meet a kept one: then every key is, to name the two).
        let known = self
            .base()
            .and_then(|base| KnownKeys::over(files, &base.manifest))
            .filter(|_| alike.contains(&true));
        let mut kept = Vec::new();
        let ordered = in_order(files);
        // In path order, the entries under the root are one range, found by two binary searches.
        let under = ordered.then(|| under_root(files, self.options.root()));
        let under_root = |index: usize, entry: &ManifestEntry| match &under {
            Some(range) => range.contains(&index),
            None => self.options.relative(&entry.path).is_some(),
        };
        for (index, entry) in files.iter().enumerate() {
            let checked = alike.get(index) == Some(&true) && under_root(index, entry);
            let kind = match checked {
                true => Ok(entry.kind),
                false => path_kind(&entry.path, &self.options),
            };
            match kind {
                Err(kind) => found.push((index, ProblemKind::Tree(kind))),
                Ok(kind) if kind != entry.kind => found.push((
                    index,
                    ProblemKind::KindMismatch {
                        manifest: entry.kind,
                    },
                )),
                Ok(_) if checked && known.is_some() => kept.push(index),
                Ok(_) => keys.push((key_fingerprint(entry), index)),
            }
        }
        let known = known.filter(|known| !keys.iter().any(|&(key, _)| known.may_meet(key)));
        if known.is_none() {
            keys.extend(
                kept.into_iter()
                    .map(|index| (key_fingerprint(&files[index]), index)),
            );
        }
        // An artifact listed again: each listing after its first (of those whose path can be pulled).
        keys.sort_unstable();
        for run in keys.chunk_by(|a, b| a.0 == b.0).filter(|run| run.len() > 1) {
            for (at, &(_, index)) in run.iter().enumerate().skip(1) {
                let entry = &files[index];
                let earlier = run[..at].iter().map(|&(_, earlier)| &files[earlier]);
                if let Some(first) = earlier
                    .into_iter()
                    .find(|e| e.id == entry.id && e.kind == entry.kind)
                {
                    let kind = TreeErrorKind::DuplicateId {
                        id: entry.id.clone(),
                        first: first.path.to_string(),
                    };
                    found.push((index, ProblemKind::Tree(kind)));
                }
            }
        }
        found.sort_by_key(|(index, _)| *index);
        let mut left_out = BTreeSet::new();
        for (index, kind) in found {
            left_out.insert(index);
            self.problems.push(PullProblem {
                path: files[index].path.to_string(),
                kind,
            });
        }
        if left_out.is_empty() && ordered {
            // In path order, each artifact once: the comparison walks it without checking it again.
            let taken: Vec<u64> = keys.iter().map(|&(key, _)| key).collect();
            let all = match &known {
                Some(known) => known.with(&taken),
                None => taken.into(),
            };
            vouch_well_formed(&manifest, Some(all));
            return manifest;
        }
        let kept = manifest.files.iter().enumerate();
        let kept = kept.filter(|(index, _)| !left_out.contains(index));
        let mut entries: Vec<ManifestEntry> = kept.map(|(_, entry)| entry.clone()).collect();
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        Manifest {
            schema_version: manifest.schema_version,
            files: entries.into(),
            origin: manifest.origin,
        }
    }

    /// Classifies every artifact against the remote manifest. The project file is keyed by the remote
    /// project's id on all sides, so pulling another project's tree compares the two project files.
    pub(super) fn classify(&mut self, remote: &Manifest) {
        let project_id = remote
            .files
            .iter()
            .find(|e| e.kind == ArtifactKind::Project)
            .map(|e| e.id.clone());
        let rekey = |manifest| rekeyed(manifest, project_id.as_ref());
        let empty = Manifest::from_entries(Vec::new());
        self.local.written();
        let local = self
            .local
            .files()
            .map_or(Cow::Borrowed(&empty), |l| rekey(&l.manifest));
        // A per-file baseline keeps no base: like the clients it stands for, it takes the repository's
        // version of whatever differs (the local state serves as the base).
        let base = match self.baseline() {
            true => Some(local.clone()),
            false => self.base().map(|b| rekey(&b.manifest)),
        };
        (self.classified, self.unchanged) = classify_differences(base.as_deref(), &local, remote);
    }

    /// Reads the diff since the base: reports what the manifest does not account for and returns the
    /// files to download and verify because the diff says they changed while the manifest says not.
    pub(super) fn check_changes(&mut self, remote: &Manifest) -> Vec<String> {
        if self.changes_check != ChangesCheck::Checked {
            return Vec::new();
        }
        // Lent out of the request while the checks record what they find; put back below.
        let Some(base) = self.request.base.take() else {
            return Vec::new();
        };
        let mut verify = Vec::new();
        let mut removed = BTreeSet::new();
        for change in std::mem::take(&mut self.changes) {
            if self.is_manifest_path(&change.path) {
                continue;
            }
            let listed = remote.entry(&change.path);
            match (change.kind, listed) {
                (FileChangeKind::Removed, Some(_)) => self
                    .problems
                    .push(PullProblem::tree(&change.path, TreeErrorKind::MissingFile)),
                (FileChangeKind::Removed, None) => {
                    removed.insert(change.path);
                }
                (_, None) => self.unlisted.push(UnlistedFile::new(
                    change.path.clone(),
                    UnlistedReason::ChangedOutsideApp,
                )),
                (_, Some(entry)) => {
                    if base.manifest.entry(&entry.path) == Some(entry) {
                        verify.push(entry.path.to_string());
                        self.disagreements.push(entry.path.to_string());
                    }
                }
            }
            if let Some(old) = change.old_path {
                removed.insert(old);
            }
        }
        // Files the base listed that the manifest dropped while git kept them: walked beside the
        // manifest (a path met on both sides is listed), each one met alone looked up to be sure.
        let base_only = by_path(&base.manifest.files, &remote.files).filter_map(|met| match met {
            ByPath::One(entry) => Some(entry),
            ByPath::Other(_) | ByPath::Both(..) | ByPath::Same(_) => None,
        });
        self.unlisted.extend(
            base_only
                .filter(|e| remote.entry(&e.path).is_none() && !removed.contains(&*e.path))
                .map(|e| {
                    UnlistedFile::new(e.path.to_string(), UnlistedReason::DroppedFromManifest)
                }),
        );
        self.request.base = Some(base);
        verify
    }
}

/// The range of `files` (in strict path order) whose paths lie under `root` (all of them when it is empty):
/// the paths that start with a prefix are consecutive in path order.
fn under_root(files: &[ManifestEntry], root: &str) -> Range<usize> {
    if root.is_empty() {
        return 0..files.len();
    }
    let prefix = format!("{root}/");
    let start = files.partition_point(|e| e.path.as_ref() < prefix.as_str());
    let end = start + files[start..].partition_point(|e| e.path.starts_with(&prefix));
    start..end
}

/// `manifest` with its project file keyed by `project_id`, so that trees of two projects compare their
/// project files; copied only when that changes it.
fn rekeyed<'m>(manifest: &'m Manifest, project_id: Option<&ArtifactId>) -> Cow<'m, Manifest> {
    let Some(id) = project_id else {
        return Cow::Borrowed(manifest);
    };
    let other = |entry: &ManifestEntry| entry.kind == ArtifactKind::Project && entry.id != *id;
    if !manifest.files.iter().any(other) {
        return Cow::Borrowed(manifest);
    }
    let mut manifest = manifest.clone();
    for entry in Arc::make_mut(&mut manifest.files) {
        if entry.kind == ArtifactKind::Project {
            entry.id = id.clone();
        }
    }
    Cow::Owned(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifacts::ArtifactKind;

    #[test]
    fn the_entries_under_the_root_are_one_range_of_a_manifest_in_path_order() {
        let entry = |path: &str| ManifestEntry {
            path: path.to_owned().into(),
            sha256: "0".repeat(64).into(),
            id: ArtifactId::new("t1").unwrap(),
            kind: ArtifactKind::TestCase,
        };
        let paths = ["a.json", "tests-old/z", "tests/x", "tests/y/z", "zzz"];
        let files: Vec<ManifestEntry> = paths.into_iter().map(entry).collect();
        assert!(files.windows(2).all(|w| w[0].path < w[1].path));
        assert_eq!(under_root(&files, "tests"), 2..4);
        assert_eq!(under_root(&files, ""), 0..5);
        assert!(under_root(&files, "none").is_empty());
        assert!(under_root(&files[..2], "tests").is_empty());
    }
}
