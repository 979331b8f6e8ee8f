//! The pure part of a pull: comparing three states of every artifact (the base of the last sync, the local
//! project and the remote commit) and merging the steps of a test case changed on both sides.
//!
//! An artifact file's version is its path and SHA-256 (a rename or a move changes the path, an edit the
//! hash). Artifacts are keyed by id and kind ([`Manifest::by_artifact`]), so a rename on one side is a
//! change of that artifact, not a deletion and an addition.
//!
//! Steps are merged as `diff3` merges lines, by content with the base as the alignment: each side is
//! aligned with the base by a longest common subsequence of whole steps. Between two aligned steps, base
//! steps a side replaced are paired by position with the steps that side put there (an edited step), the
//! surplus being deletions or insertions after the edited steps. Each base step then has one operation per
//! side (keep, edit, delete) and each gap between base steps one list of inserted steps per side. An
//! operation or insertion made on one side only, or the same on both, merges by itself; different
//! operations on the same base step, or different insertions at the same gap, are a conflict that the user
//! settles for the whole test case (keep mine or take theirs). So edits of different steps merge even when
//! the steps are neighbours, and an edit never lands on a step that moved.

use std::collections::BTreeMap;

use super::sides::Sides;

use crate::artifacts::{ArtifactKey, Manifest, ManifestEntry, Step, TestCase};

/// What one side did to an artifact since the base.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SideChange {
    /// The artifact is new (the base does not have it).
    Added,
    /// Its content or path changed (an edit, a rename or a move).
    Changed,
    /// The artifact is gone.
    Deleted,
}

/// Why an artifact is in conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConflictKind {
    /// Both sides changed it, differently.
    BothChanged,
    /// Both sides added it (or there is no base), with different content.
    BothAdded,
    /// Changed here, deleted in the repository.
    ChangedLocallyDeletedRemotely,
    /// Deleted here, changed in the repository.
    DeletedLocallyChangedRemotely,
}

/// The three-way classification of one artifact file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// The same on all three sides.
    Unchanged,
    /// Changed in the repository only: the pull takes it.
    Remote(SideChange),
    /// Changed locally only: the pull keeps it.
    Local(SideChange),
    /// The same change on both sides: nothing to do, not a conflict.
    Both(SideChange),
    /// Changed differently on both sides: the user chooses (see `Resolution`).
    Conflict(ConflictKind),
}

impl Status {
    /// Whether the user must choose.
    pub fn is_conflict(self) -> bool {
        matches!(self, Status::Conflict(_))
    }

    /// A short label for the preview list.
    pub fn label(self) -> &'static str {
        match self {
            Status::Unchanged => "unchanged",
            Status::Remote(SideChange::Added) => "added in the repository",
            Status::Remote(SideChange::Changed) => "changed in the repository",
            Status::Remote(SideChange::Deleted) => "deleted in the repository",
            Status::Local(SideChange::Added) => "added here",
            Status::Local(SideChange::Changed) => "changed here",
            Status::Local(SideChange::Deleted) => "deleted here",
            Status::Both(_) => "same change on both sides",
            Status::Conflict(ConflictKind::BothChanged) => "conflict: changed on both sides",
            Status::Conflict(ConflictKind::BothAdded) => "conflict: added on both sides",
            Status::Conflict(ConflictKind::ChangedLocallyDeletedRemotely) => {
                "conflict: changed here, deleted in the repository"
            }
            Status::Conflict(ConflictKind::DeletedLocallyChangedRemotely) => {
                "conflict: deleted here, changed in the repository"
            }
        }
    }
}

/// Whether two versions of a file are the same (both absent, or same path and hash).
pub fn same_version(a: Option<&ManifestEntry>, b: Option<&ManifestEntry>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => a.path == b.path && a.sha256 == b.sha256,
        _ => false,
    }
}

/// What a side did since the base, or `None` when it did nothing.
fn side_change(base: Option<&ManifestEntry>, side: Option<&ManifestEntry>) -> Option<SideChange> {
    match (base, side) {
        _ if same_version(base, side) => None,
        (None, _) => Some(SideChange::Added),
        (_, None) => Some(SideChange::Deleted),
        _ => Some(SideChange::Changed),
    }
}

/// Classifies one artifact file from its three versions.
pub fn classify(
    base: Option<&ManifestEntry>,
    local: Option<&ManifestEntry>,
    remote: Option<&ManifestEntry>,
) -> Status {
    match (side_change(base, local), side_change(base, remote)) {
        (None, None) => Status::Unchanged,
        (None, Some(change)) => Status::Remote(change),
        (Some(change), None) => Status::Local(change),
        (Some(change), Some(_)) if same_version(local, remote) => Status::Both(change),
        (Some(SideChange::Added), _) => Status::Conflict(ConflictKind::BothAdded),
        (Some(SideChange::Deleted), _) => {
            Status::Conflict(ConflictKind::DeletedLocallyChangedRemotely)
        }
        (_, Some(SideChange::Deleted)) => {
            Status::Conflict(ConflictKind::ChangedLocallyDeletedRemotely)
        }
        _ => Status::Conflict(ConflictKind::BothChanged),
    }
}

/// One artifact file on the three sides, and its classification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classified {
    /// At the base.
    pub base: Option<ManifestEntry>,
    /// Locally.
    pub local: Option<ManifestEntry>,
    /// In the repository.
    pub remote: Option<ManifestEntry>,
    /// What happened.
    pub status: Status,
}

impl Classified {
    /// The old and new path when the repository renamed or moved the file.
    pub fn renamed_remotely(&self) -> Option<(&str, &str)> {
        renamed(self.base.as_ref(), self.remote.as_ref())
    }

    /// The old and new path when the file was renamed or moved locally.
    pub fn renamed_locally(&self) -> Option<(&str, &str)> {
        renamed(self.base.as_ref(), self.local.as_ref())
    }
}

fn renamed<'a>(
    base: Option<&'a ManifestEntry>,
    side: Option<&'a ManifestEntry>,
) -> Option<(&'a str, &'a str)> {
    match (base, side) {
        (Some(base), Some(side)) if base.path != side.path => Some((&base.path, &side.path)),
        _ => None,
    }
}

/// Classifies the artifact files of three manifests (no base: every difference is a conflict of two
/// additions), keeping only what a pull acts on or shows: the artifacts that are neither unchanged nor
/// changed the same way on both sides (only those are copied out of the manifests); answers how many it
/// left out too.
pub fn classify_differences(
    base: Option<&Manifest>,
    local: &Manifest,
    remote: &Manifest,
) -> (BTreeMap<ArtifactKey, Classified>, usize) {
    let sides = Sides::of_manifests(base, local, remote);
    // Every artifact not compared is the same file on all three sides.
    let mut left_out = sides.untouched.len();
    let mut classified = BTreeMap::new();
    for (key, [b, l, r]) in sides.compared {
        let status = classify(b, l, r);
        if matches!(status, Status::Unchanged | Status::Both(_)) {
            left_out += 1;
            continue;
        }
        let entry = Classified {
            status,
            base: b.cloned(),
            local: l.cloned(),
            remote: r.cloned(),
        };
        classified.insert(key, entry);
    }
    (classified, left_out)
}

/// Where two sides disagree in a sequence merge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SequenceConflict<T> {
    /// The base position: the base element both sides changed, or the gap before it (the length of the
    /// base for the end) where both inserted.
    pub at: usize,
    /// The base element (empty for an insertion).
    pub base: Vec<T>,
    /// What the local side has there (empty: deleted or nothing inserted).
    pub mine: Vec<T>,
    /// What the repository has there.
    pub theirs: Vec<T>,
}

/// The result of a three-way merge of sequences.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SequenceMerge<T> {
    /// The merged sequence, when nothing overlaps.
    pub merged: Option<Vec<T>>,
    /// The overlapping edits, in base order.
    pub conflicts: Vec<SequenceConflict<T>>,
}

/// What a side did to one base element.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Op<T> {
    Keep,
    Edit(T),
    Delete,
}

impl<T: Clone> Op<T> {
    fn result(&self, base: &T) -> Vec<T> {
        match self {
            Op::Keep => vec![base.clone()],
            Op::Edit(value) => vec![value.clone()],
            Op::Delete => Vec::new(),
        }
    }
}

/// A side as operations on the base: one per base element, and insertions per gap (`n + 1` gaps).
struct SideOps<T> {
    ops: Vec<Op<T>>,
    inserts: Vec<Vec<T>>,
}

/// The longest-common-subsequence table is skipped above this many cells (steps are then paired by
/// position only).
const MAX_LCS_CELLS: usize = 4_000_000;

/// Index pairs (base, side) of a longest common subsequence, in increasing order.
fn lcs_pairs<T: Eq>(base: &[T], side: &[T]) -> Vec<(usize, usize)> {
    let prefix = base.iter().zip(side).take_while(|(a, b)| a == b).count();
    let suffix = base[prefix..]
        .iter()
        .rev()
        .zip(side[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let (b, s) = (
        &base[prefix..base.len() - suffix],
        &side[prefix..side.len() - suffix],
    );
    let mut pairs: Vec<(usize, usize)> = (0..prefix).map(|i| (i, i)).collect();
    if !b.is_empty() && !s.is_empty() && b.len().saturating_mul(s.len()) <= MAX_LCS_CELLS {
        // lengths[i][j]: the LCS length of b[i..] and s[j..].
        let width = s.len() + 1;
        let mut lengths = vec![0u32; (b.len() + 1) * width];
        for i in (0..b.len()).rev() {
            for j in (0..s.len()).rev() {
                lengths[i * width + j] = if b[i] == s[j] {
                    lengths[(i + 1) * width + j + 1] + 1
                } else {
                    lengths[(i + 1) * width + j].max(lengths[i * width + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < b.len() && j < s.len() {
            if b[i] == s[j] {
                pairs.push((prefix + i, prefix + j));
                i += 1;
                j += 1;
            } else if lengths[(i + 1) * width + j] >= lengths[i * width + j + 1] {
                i += 1;
            } else {
                j += 1;
            }
        }
    }
    let (base_tail, side_tail) = (base.len() - suffix, side.len() - suffix);
    pairs.extend((0..suffix).map(|k| (base_tail + k, side_tail + k)));
    pairs
}

fn side_ops<T: Clone + Eq>(base: &[T], side: &[T]) -> SideOps<T> {
    let mut ops = vec![Op::Keep; base.len()];
    let mut inserts = vec![Vec::new(); base.len() + 1];
    let (mut i0, mut j0) = (0, 0);
    let sentinel = (base.len(), side.len());
    for (i, j) in lcs_pairs(base, side).into_iter().chain([sentinel]) {
        let paired = (i - i0).min(j - j0);
        for t in 0..paired {
            let value = &side[j0 + t];
            ops[i0 + t] = if *value == base[i0 + t] {
                Op::Keep
            } else {
                Op::Edit(value.clone())
            };
        }
        for op in &mut ops[i0 + paired..i] {
            *op = Op::Delete;
        }
        inserts[i].extend_from_slice(&side[j0 + paired..j]);
        (i0, j0) = (i + 1, j + 1);
    }
    SideOps { ops, inserts }
}

/// Merges two edits of a sequence made from `base` (see the module's description).
pub fn merge_sequences<T: Clone + Eq>(base: &[T], mine: &[T], theirs: &[T]) -> SequenceMerge<T> {
    let (m, t) = (side_ops(base, mine), side_ops(base, theirs));
    let mut merged = Vec::new();
    let mut conflicts = Vec::new();
    for gap in 0..=base.len() {
        let (mine_in, theirs_in) = (&m.inserts[gap], &t.inserts[gap]);
        if mine_in.is_empty() || mine_in == theirs_in {
            merged.extend_from_slice(theirs_in);
        } else if theirs_in.is_empty() {
            merged.extend_from_slice(mine_in);
        } else {
            conflicts.push(SequenceConflict {
                at: gap,
                base: Vec::new(),
                mine: mine_in.clone(),
                theirs: theirs_in.clone(),
            });
        }
        let Some(original) = base.get(gap) else {
            break;
        };
        match (&m.ops[gap], &t.ops[gap]) {
            (Op::Keep, op) | (op, Op::Keep) => merged.extend(op.result(original)),
            (a, b) if a == b => merged.extend(a.result(original)),
            (a, b) => conflicts.push(SequenceConflict {
                at: gap,
                base: vec![original.clone()],
                mine: a.result(original),
                theirs: b.result(original),
            }),
        }
    }
    SequenceMerge {
        merged: conflicts.is_empty().then_some(merged),
        conflicts,
    }
}

/// A value merged three ways: the side that changed it wins; `None` when both changed it differently.
fn merge_value<T: Clone + Eq>(base: Option<&T>, mine: &T, theirs: &T) -> Option<T> {
    if mine == theirs || base == Some(theirs) {
        Some(mine.clone())
    } else if base == Some(mine) {
        Some(theirs.clone())
    } else {
        None
    }
}

/// The step-level view of a test case changed on both sides, for the conflict dialog and for
/// `Resolution::MergeSteps`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestCaseMerge {
    /// The base version (`None` when the base is unknown or both sides added the test case).
    pub base: Option<TestCase>,
    /// The local version.
    pub mine: TestCase,
    /// The repository's version.
    pub theirs: TestCase,
    /// The steps merged, with their overlapping edits.
    pub steps: SequenceMerge<Step>,
    /// Fields (`name`, `description`, `review_state`) changed differently on both sides.
    pub field_conflicts: Vec<&'static str>,
    /// The merged test case, when nothing overlaps.
    pub merged: Option<TestCase>,
}

/// Merges a test case changed on both sides: its steps (see the module's description) and its name,
/// description and review state (each taken from the side that changed it).
pub fn merge_test_case(
    base: Option<&TestCase>,
    mine: &TestCase,
    theirs: &TestCase,
) -> TestCaseMerge {
    let no_steps: &[Step] = &[];
    let steps = merge_sequences(
        base.map_or(no_steps, |b| b.steps.as_slice()),
        &mine.steps,
        &theirs.steps,
    );
    let name = merge_value(base.map(|b| &b.name), &mine.name, &theirs.name);
    let description = merge_value(
        base.map(|b| &b.description),
        &mine.description,
        &theirs.description,
    );
    let review_state = merge_value(
        base.map(|b| &b.review_state),
        &mine.review_state,
        &theirs.review_state,
    );
    let field_conflicts: Vec<&'static str> = [
        ("name", name.is_none()),
        ("description", description.is_none()),
        ("review_state", review_state.is_none()),
    ]
    .into_iter()
    .filter_map(|(field, conflict)| conflict.then_some(field))
    .collect();
    let merged = match (name, description, review_state, &steps.merged) {
        (Some(name), Some(description), Some(review_state), Some(steps)) => Some(TestCase {
            id: mine.id.clone(),
            name,
            description,
            review_state,
            steps: steps.clone(),
        }),
        _ => None,
    };
    TestCaseMerge {
        base: base.cloned(),
        mine: mine.clone(),
        theirs: theirs.clone(),
        steps,
        field_conflicts,
        merged,
    }
}
