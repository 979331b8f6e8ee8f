//! Properties of what a push changes: `ChangeSet::compute` makes the remote equal to the local project
//! (Cloud deletes, Data Center drops from the manifest) when the branch is where this copy left it, and
//! publishes only this copy's changes when the branch moved on since; `split` keeps every write once within
//! the limits, with the files the branch already lists in the last part; and `approved_only` leaves the
//! other artifacts at their remote version.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use versioning_core::artifacts;
use versioning_core::artifacts::generate::synthetic_project;
use versioning_core::artifacts::{
    sha256_hex, to_files, ArtifactId, ArtifactKey, FileSource, LayoutOptions, Manifest,
    ManifestEntry, Project, ProjectFiles, ReviewState, MANIFEST_FILE,
};
use versioning_core::sync::{
    classify, same_version, ChangeSet, Comparison, LocalFiles, RemoteState, Status,
};

const CASES: u32 = 64;

/// An edit turning the remote project into the local one; indexes pick artifacts modulo their count.
#[derive(Debug, Clone)]
enum Edit {
    Describe(usize),
    Rename(usize),
    Delete(usize),
    Review(usize, ReviewState),
    AddTestCase(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let state = prop_oneof![
        Just(ReviewState::New),
        Just(ReviewState::UnderReview),
        Just(ReviewState::Approved),
        Just(ReviewState::Rejected),
    ];
    prop_oneof![
        any::<usize>().prop_map(Edit::Describe),
        any::<usize>().prop_map(Edit::Rename),
        any::<usize>().prop_map(Edit::Delete),
        (any::<usize>(), state).prop_map(|(i, s)| Edit::Review(i, s)),
        any::<usize>().prop_map(Edit::AddTestCase),
    ]
}

fn apply(project: &mut Project, edit: &Edit, n: usize) {
    let ids: Vec<ArtifactId> = project.artifact_ids().cloned().collect();
    let pick = |i: usize| ids[i % ids.len()].clone();
    let result = match edit {
        Edit::Describe(i) => project.set_description(&pick(*i), &format!("Edited {n}")),
        Edit::Rename(i) => project.rename(&pick(*i), &format!("Renamed {n}")),
        Edit::Delete(i) => project.delete(&pick(*i)),
        Edit::Review(i, state) => project.set_review_state(&pick(*i), *state),
        Edit::AddTestCase(i) => {
            let scenarios: Vec<ArtifactId> = project.scenarios().map(|s| s.id.clone()).collect();
            match scenarios.get(i % scenarios.len().max(1)) {
                Some(scenario) => project
                    .add_test_case(scenario, &format!("New case {n}"))
                    .map(|_| ()),
                None => Ok(()),
            }
        }
    };
    result.expect("edits pick existing artifacts");
}

/// A remote project and a local one: either the remote edited, or an unrelated project.
fn remote_and_local() -> impl Strategy<Value = (Project, Project)> {
    let edited = (
        any::<u64>(),
        1usize..12,
        prop::collection::vec(edit(), 0..8),
    )
        .prop_map(|(seed, size, edits)| {
            let remote = synthetic_project(seed, size);
            let mut local = remote.clone();
            for (n, edit) in edits.iter().enumerate() {
                if local.artifact_ids().next().is_some() {
                    apply(&mut local, edit, n);
                }
            }
            (remote, local)
        });
    let unrelated = (any::<u64>(), 1usize..8, any::<u64>(), 1usize..8)
        .prop_map(|(a, m, b, n)| (synthetic_project(a, m), synthetic_project(b, n)));
    prop_oneof![4 => edited, 1 => unrelated]
}

fn manifest_path() -> String {
    LayoutOptions::default().full_path(MANIFEST_FILE)
}

fn files_of(project: &Project) -> ProjectFiles {
    to_files(project, &LayoutOptions::default())
}

fn manifest_in(files: &ProjectFiles) -> Manifest {
    let options = LayoutOptions::default();
    artifacts::manifest_in(files, &options)
        .expect("a manifest")
        .expect("a readable manifest")
}

/// Whether a path is one of the manifest's files (its root or a part).
fn is_manifest(path: &str) -> bool {
    let options = LayoutOptions::default();
    options
        .relative(path)
        .is_some_and(artifacts::is_manifest_file)
}

/// What a push computes when the branch is where this copy left it: the local files replace it.
fn compute(
    local: &LocalFiles,
    remote: &RemoteState,
    include: &dyn Fn(&ArtifactKey) -> bool,
) -> ChangeSet {
    ChangeSet::compute(local, (remote, None), Comparison::Replace, include)
}

/// A base, the branch edited from it by a teammate, and this copy edited from it.
fn base_and_two_sides() -> impl Strategy<Value = (Project, Project, Project)> {
    (
        any::<u64>(),
        1usize..12,
        prop::collection::vec(edit(), 0..6),
        prop::collection::vec(edit(), 0..6),
    )
        .prop_map(|(seed, size, theirs, mine)| {
            let base = synthetic_project(seed, size);
            let edited = |edits: &[Edit], offset: usize| {
                let mut project = base.clone();
                for (n, edit) in edits.iter().enumerate() {
                    if project.artifact_ids().next().is_some() {
                        apply(&mut project, edit, n + offset);
                    }
                }
                project
            };
            let (theirs, mine) = (edited(&theirs, 0), edited(&mine, 100));
            (base, theirs, mine)
        })
}

fn everything(_: &ArtifactKey) -> bool {
    true
}

/// The remote files after the change set: its writes (local content) and the manifest, and its
/// deletions when the product can delete.
fn after(
    remote: &ProjectFiles,
    changes: &ChangeSet,
    local: &LocalFiles,
    deletes: bool,
) -> ProjectFiles {
    let mut files = remote.clone();
    if deletes {
        for path in changes.removed_paths() {
            files.remove(&path);
        }
    }
    for path in &changes.manifest_removed {
        files.remove(path);
    }
    for change in changes.writes() {
        files.insert(
            change.path.clone(),
            local.get(&change.path).unwrap().bytes().into_owned(),
        );
    }
    for (path, bytes) in changes.manifest_writes() {
        files.insert(path.to_owned(), bytes.to_vec());
    }
    files
}

/// The files a manifest lists, with the manifest itself; each must hold the content it names.
fn published(files: &ProjectFiles) -> Result<ProjectFiles, TestCaseError> {
    let manifest = manifest_in(files);
    let mut listed = BTreeMap::new();
    for entry in manifest.files.iter() {
        let content = files.get(&*entry.path);
        prop_assert!(content.is_some(), "{} is listed but missing", entry.path);
        let content = content.unwrap().clone();
        prop_assert_eq!(
            sha256_hex(&content),
            entry.sha256.to_string(),
            "{}",
            &entry.path
        );
        listed.insert(entry.path.to_string(), content);
    }
    listed.insert(manifest_path(), files[&manifest_path()].clone());
    for name in manifest.tree().names() {
        let path = artifacts::part_path(&LayoutOptions::default(), name);
        prop_assert!(files.contains_key(&path), "the part {} is there", path);
        listed.insert(path.clone(), files[&path].clone());
    }
    Ok(listed)
}

fn by_key(manifest: &Manifest) -> BTreeMap<ArtifactKey, ManifestEntry> {
    manifest
        .by_artifact()
        .into_iter()
        .map(|(key, entry)| (key, entry.clone()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    /// Cloud: writes, deletions and the manifest make the remote files exactly the local ones.
    #[test]
    fn cloud_changes_make_the_remote_equal_the_local((remote, local) in remote_and_local()) {
        let remote_files = files_of(&remote);
        let local_files = LocalFiles::of(&local);
        let state = RemoteState::Managed(manifest_in(&remote_files));
        let changes = compute(&local_files, &state, &everything);
        prop_assert_eq!(changes.held_back, 0);
        // A path is written or removed, never both: the parts of a chain may come in any order.
        let written: BTreeSet<&String> = changes.writes().map(|c| &c.path).collect();
        for path in changes.removed_paths() {
            prop_assert!(!written.contains(&path), "{} written and removed", path);
        }
        prop_assert_eq!(after(&remote_files, &changes, &local_files, true), files_of(&local));
        prop_assert_eq!(changes.is_empty(), remote_files == files_of(&local));
    }

    /// Data Center: nothing is deleted, and the files the new manifest lists are exactly the local ones.
    #[test]
    fn data_center_manifest_lists_exactly_the_local_files((remote, local) in remote_and_local()) {
        let remote_files = files_of(&remote);
        let local_files = LocalFiles::of(&local);
        let state = RemoteState::Managed(manifest_in(&remote_files));
        let changes = compute(&local_files, &state, &everything);
        let files = after(&remote_files, &changes, &local_files, false);
        prop_assert_eq!(published(&files)?, files_of(&local));
        for path in changes.removed_paths() {
            prop_assert!(files.contains_key(&path), "{} stays in git", path);
        }
    }

    /// A branch without manifest: every local file is written, files of others stay.
    #[test]
    fn unmanaged_branches_get_every_local_file((remote, local) in remote_and_local()) {
        let mut remote_files = files_of(&remote);
        remote_files.retain(|path, _| !is_manifest(path));
        let paths: BTreeSet<String> = remote_files.keys().cloned().collect();
        let local_files = LocalFiles::of(&local);
        let changes = compute(&local_files, &RemoteState::Unmanaged(paths), &everything);
        prop_assert!(changes.removed_paths().is_empty());
        prop_assert_eq!(changes.writes().count(), local_files.contents.len());
        let files = after(&remote_files, &changes, &local_files, true);
        prop_assert_eq!(published(&files)?, files_of(&local));
    }

    /// `split` keeps every write once, within the limits (a larger file alone), with the files the
    /// branch's manifest lists, the deletions and the manifest in the last part only.
    #[test]
    fn split_respects_the_limits(
        (remote, local) in remote_and_local(),
        max_files in 1usize..25,
        max_bytes in 1u64..60_000,
    ) {
        let remote_files = files_of(&remote);
        let local_files = LocalFiles::of(&local);
        let remote_manifest = manifest_in(&remote_files);
        let listed: BTreeSet<&str> = remote_manifest.files.iter().map(|e| e.path.as_ref()).collect();
        let changes = compute(&local_files, &RemoteState::Managed(remote_manifest.clone()), &everything);
        let parts = changes.split(max_files, max_bytes, &|path| listed.contains(path));
        let (last, earlier) = parts.split_last().expect("at least one part");
        let mut written: Vec<&String> = parts.iter().flat_map(|p| &p.writes).collect();
        written.sort();
        let expected: Vec<&String> = changes.writes().map(|c| &c.path).collect();
        prop_assert_eq!(written, expected);
        let mut deletions = changes.removed_paths();
        deletions.extend(changes.manifest_removed.iter().cloned());
        prop_assert_eq!(&last.deletions, &deletions);
        prop_assert_eq!(last.includes_manifest, changes.writes_manifest);
        let size = |path: &String| local_files.get(path).unwrap().size();
        for part in &parts {
            let manifest = changes.manifest_writes().filter(|_| part.includes_manifest);
            let (manifest_files, manifest_bytes) =
                manifest.fold((0, 0), |(n, b), (_, bytes)| (n + 1, b + bytes.len() as u64));
            prop_assert_eq!(part.bytes, part.writes.iter().map(size).sum::<u64>() + manifest_bytes);
            let files = part.writes.len() + manifest_files;
            // Only the last part, holding what the branch already publishes, may exceed the limits.
            if !part.writes.iter().any(|path| listed.contains(path.as_str())) && !part.includes_manifest {
                prop_assert!(files <= max_files, "{} files", files);
                prop_assert!(files == 1 || part.bytes <= max_bytes, "{} bytes in {} files", part.bytes, files);
            }
            if !changes.is_empty() {
                prop_assert!(files > 0 || !part.deletions.is_empty(), "an empty part");
            }
        }
        for part in earlier {
            prop_assert!(part.deletions.is_empty() && !part.includes_manifest);
            prop_assert!(part.writes.iter().all(|path| !listed.contains(path.as_str())), "{:?}", part.writes);
            let files = part.writes.len();
            prop_assert!(files <= max_files, "{} files", files);
            prop_assert!(files == 1 || part.bytes <= max_bytes, "{} bytes in {} files", part.bytes, files);
        }
    }

    /// From a common base, the branch and this copy each changed artifacts: the push publishes this
    /// copy's changes, keeps as the branch has them the artifacts only the branch changed (listed as
    /// such), and lists as conflicts, written with this copy's version, those both changed differently.
    #[test]
    fn a_push_keeps_what_only_the_branch_changed((base, theirs, mine) in base_and_two_sides()) {
        let base_manifest = manifest_in(&files_of(&base));
        let remote_manifest = manifest_in(&files_of(&theirs));
        let local_files = LocalFiles::of(&mine);
        let changes = ChangeSet::compute(
            &local_files,
            (&RemoteState::Managed(remote_manifest.clone()), None),
            Comparison::Base(&base_manifest),
            &everything,
        );
        let (b, r, l) = (by_key(&base_manifest), by_key(&remote_manifest), by_key(&local_files.manifest));
        let conflicts: BTreeSet<ArtifactKey> =
            changes.conflicts.iter().map(|c| (c.artifact.clone(), c.kind)).collect();
        let branch_changed: BTreeSet<ArtifactKey> =
            changes.branch_changes.iter().map(|c| (c.artifact.clone(), c.kind)).collect();
        let published = by_key(&changes.manifest);
        let written: BTreeSet<&str> = changes.writes().map(|c| c.path.as_str()).collect();
        for key in b.keys().chain(r.keys()).chain(l.keys()) {
            let (b, r, l) = (b.get(key), r.get(key), l.get(key));
            let status = classify(b, l, r);
            if status.is_conflict() {
                prop_assert!(conflicts.contains(key), "{:?} {:?} is a conflict", key, status);
                prop_assert_eq!(published.get(key), l, "a conflict is written with this copy's version");
                continue;
            }
            if conflicts.contains(key) {
                // Kept as the branch has it, but a file this copy writes takes its path.
                prop_assert!(r.is_some_and(|r| written.contains(r.path.as_ref())), "{:?}", key);
                continue;
            }
            let expected = if same_version(b, l) { r } else { l };
            prop_assert_eq!(published.get(key), expected, "{:?} {:?}", key, status);
            prop_assert_eq!(branch_changed.contains(key), matches!(status, Status::Remote(_)));
        }
        let mut paths: Vec<&str> = changes.manifest.files.iter().map(|e| e.path.as_ref()).collect();
        let count = paths.len();
        paths.dedup();
        prop_assert_eq!(paths.len(), count, "two artifacts at one path");
    }

    /// With `approved_only`, an artifact that is not Approved keeps its remote version (or stays
    /// unpublished), and the files the manifest lists hold what it says.
    #[test]
    fn approved_only_leaves_the_others_at_their_remote_version((remote, local) in remote_and_local()) {
        let remote_files = files_of(&remote);
        let local_files = LocalFiles::of(&local);
        let approved = local.approved_ids();
        let include = |key: &ArtifactKey| approved.contains(&key.0);
        let remote_manifest = manifest_in(&remote_files);
        let changes = compute(&local_files, &RemoteState::Managed(remote_manifest.clone()), &include);
        let (old, new) = (by_key(&remote_manifest), by_key(&local_files.manifest));
        // A local file published at the path of a remote one of another artifact (`project.json` of
        // another project) replaces it.
        let taken: BTreeSet<&str> = new
            .iter()
            .filter(|(key, _)| approved.contains(&key.0))
            .map(|(_, entry)| entry.path.as_ref())
            .collect();
        let mut expected = BTreeMap::new();
        let mut held_back = BTreeSet::new();
        for key in old.keys().chain(new.keys()) {
            let entry = match (approved.contains(&key.0), new.get(key), old.get(key)) {
                (true, Some(entry), _) => Some(entry),
                (_, None, Some(remote)) if taken.contains(remote.path.as_ref()) => None,
                (_, local, remote) => {
                    if local != remote {
                        held_back.insert(key.0.clone());
                    }
                    remote
                }
            };
            if let Some(entry) = entry {
                expected.insert(key.clone(), entry.clone());
            }
        }
        prop_assert_eq!(by_key(&changes.manifest), expected);
        prop_assert_eq!(changes.held_back, held_back.len());
        let files = after(&remote_files, &changes, &local_files, true);
        published(&files)?;
    }
}

/// A branch whose manifest could not be read: the part files found under the root are of unknown
/// content, so every part the new root names is written (even at a path found), and the others are
/// deleted.
#[test]
fn parts_found_without_a_readable_manifest_are_written_again_or_deleted() {
    let project = synthetic_project(3, 40);
    let local = LocalFiles::of(&project);
    let ours: Vec<String> = files_of(&project)
        .into_keys()
        .filter(|path| path.contains("/.manifest/"))
        .collect();
    let stale = artifacts::part_path(&LayoutOptions::default(), &"0".repeat(32));
    let found: BTreeSet<String> = ours.iter().cloned().chain([stale.clone()]).collect();
    let changes = compute(&local, &RemoteState::Unmanaged(found), &everything);
    let written: Vec<&String> = changes
        .manifest_parts
        .iter()
        .map(|(path, _)| path)
        .collect();
    assert_eq!(written, ours.iter().collect::<Vec<_>>());
    assert_eq!(changes.manifest_removed, vec![stale]);
}
