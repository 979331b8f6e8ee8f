//! The pure part of a pull: the three-way classification of artifacts (against a simple model, over every
//! combination) and the step-level merge of test cases.

use proptest::prelude::*;
use versioning_core::artifacts::{
    ArtifactId, ArtifactKind, Manifest, ManifestEntry, Step, StepField, TestCase,
};
use versioning_core::sync::{
    classify, classify_differences, merge_sequences, merge_test_case, ConflictKind, SideChange,
    Status,
};

/// A version of one artifact in the model: absent, or one of three (path, content) pairs.
type Version = Option<u8>;

fn entry(id: &str, version: u8) -> ManifestEntry {
    // Version 2 is a rename of version 0 (another path, other content), 1 an edit in place.
    let path = if version == 2 { "renamed" } else { "original" };
    ManifestEntry {
        path: format!("test-artifacts/{path}--{id}.json").into(),
        sha256: format!("{version:064}").into(),
        id: ArtifactId::new(id).unwrap(),
        kind: ArtifactKind::TestCase,
    }
}

/// The rules of the issue, written plainly.
fn model(base: Version, local: Version, remote: Version) -> Status {
    let change = |side: Version| match (base, side) {
        (None, _) => SideChange::Added,
        (_, None) => SideChange::Deleted,
        _ => SideChange::Changed,
    };
    if local == remote {
        if local == base {
            Status::Unchanged
        } else {
            Status::Both(change(local))
        }
    } else if local == base {
        Status::Remote(change(remote))
    } else if remote == base {
        Status::Local(change(local))
    } else if base.is_none() {
        Status::Conflict(ConflictKind::BothAdded)
    } else if local.is_none() {
        Status::Conflict(ConflictKind::DeletedLocallyChangedRemotely)
    } else if remote.is_none() {
        Status::Conflict(ConflictKind::ChangedLocallyDeletedRemotely)
    } else {
        Status::Conflict(ConflictKind::BothChanged)
    }
}

fn versions() -> Vec<Version> {
    vec![None, Some(0), Some(1), Some(2)]
}

#[test]
fn every_combination_of_three_versions_is_classified_as_the_model_says() {
    for base in versions() {
        for local in versions() {
            for remote in versions() {
                let e = |v: Version| v.map(|v| entry("t1", v));
                let status = classify(e(base).as_ref(), e(local).as_ref(), e(remote).as_ref());
                assert_eq!(
                    status,
                    model(base, local, remote),
                    "{base:?} {local:?} {remote:?}"
                );
                let conflict = status.is_conflict();
                assert_eq!(conflict, matches!(status, Status::Conflict(_)));
                if local == remote {
                    assert!(!conflict, "both sides equal is never a conflict");
                }
            }
        }
    }
}

fn version() -> impl Strategy<Value = Version> {
    prop_oneof![Just(None), (0u8..3).prop_map(Some)]
}

fn manifest(versions: &[(usize, Version)]) -> Manifest {
    Manifest::from_entries(
        versions
            .iter()
            .filter_map(|(n, v)| v.map(|v| entry(&format!("t{n}"), v)))
            .collect(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn whole_manifests_are_classified_artifact_by_artifact(
        sides in prop::collection::vec((version(), version(), version()), 1..12),
        has_base in any::<bool>(),
    ) {
        let pick = |f: fn(&(Version, Version, Version)) -> Version| -> Vec<(usize, Version)> {
            sides.iter().enumerate().map(|(n, s)| (n, f(s))).collect()
        };
        let base = manifest(&pick(|s| s.0));
        let local = manifest(&pick(|s| s.1));
        let remote = manifest(&pick(|s| s.2));
        let (classified, left_out) =
            classify_differences(has_base.then_some(&base), &local, &remote);
        let same = |status| matches!(status, Status::Unchanged | Status::Both(_));
        let mut left_out_expected = 0;
        for (n, (b, l, r)) in sides.iter().enumerate() {
            let b = if has_base { *b } else { None };
            let present = b.is_some() || l.is_some() || r.is_some();
            let key = (ArtifactId::new(format!("t{n}")).unwrap(), ArtifactKind::TestCase);
            match classified.get(&key) {
                None => {
                    prop_assert!(!present || same(model(b, *l, *r)));
                    left_out_expected += usize::from(present);
                }
                Some(c) => {
                    prop_assert!(!same(c.status));
                    prop_assert_eq!(c.status, model(b, *l, *r));
                    prop_assert_eq!(c.renamed_remotely().is_some(), b.is_some() && r.is_some() && (b == Some(2)) != (*r == Some(2)));
                }
            }
        }
        prop_assert_eq!(left_out, left_out_expected);
    }
}

fn step(keyword: &str) -> Step {
    Step::default().with(StepField::Keyword, keyword)
}

fn steps(keywords: &str) -> Vec<Step> {
    keywords.split_whitespace().map(step).collect()
}

fn merged(base: &str, mine: &str, theirs: &str) -> Option<Vec<Step>> {
    merge_sequences(&steps(base), &steps(mine), &steps(theirs)).merged
}

#[test]
fn edits_of_different_steps_merge_even_when_they_are_neighbours() {
    assert_eq!(
        merged("a b c d", "a B c d", "a b C d"),
        Some(steps("a B C d"))
    );
    assert_eq!(
        merged("a b c d", "A b c d", "a b c D"),
        Some(steps("A b c D"))
    );
}

#[test]
fn insertions_deletions_and_edits_on_different_places_merge() {
    assert_eq!(
        merged("a b c", "x a b c", "a b c y"),
        Some(steps("x a b c y"))
    );
    assert_eq!(merged("a b c", "a c", "a b C"), Some(steps("a C")));
    assert_eq!(merged("a b c d", "a c d", "a b c D"), Some(steps("a c D")));
    assert_eq!(merged("a b c", "a b x c", "a B c"), Some(steps("a B x c")));
    // Both sides made the same change: taken once.
    assert_eq!(merged("a b", "a B", "a B"), Some(steps("a B")));
    // One side only.
    assert_eq!(merged("a b", "a b", "b a"), Some(steps("b a")));
}

#[test]
fn overlapping_edits_stay_a_conflict() {
    let edit_edit = merge_sequences(&steps("a b c"), &steps("a X c"), &steps("a Y c"));
    assert_eq!(edit_edit.merged, None);
    assert_eq!(edit_edit.conflicts.len(), 1);
    assert_eq!(edit_edit.conflicts[0].at, 1);
    assert_eq!(edit_edit.conflicts[0].base, steps("b"));
    assert_eq!(edit_edit.conflicts[0].mine, steps("X"));
    assert_eq!(edit_edit.conflicts[0].theirs, steps("Y"));
    // Edited here, deleted there.
    let edit_delete = merge_sequences(&steps("a b c"), &steps("a X c"), &steps("a c"));
    assert_eq!(edit_delete.merged, None);
    assert_eq!(edit_delete.conflicts[0].theirs, Vec::<Step>::new());
    // Different insertions at the same place.
    let inserts = merge_sequences(&steps("a b"), &steps("a x b"), &steps("a y b"));
    assert_eq!(inserts.conflicts.len(), 1);
    assert_eq!(inserts.conflicts[0].base, Vec::<Step>::new());
}

fn case(name: &str, keywords: &str) -> TestCase {
    let mut case = TestCase::new(ArtifactId::new("t1").unwrap(), name);
    case.steps = steps(keywords);
    case
}

#[test]
fn a_test_case_merges_its_fields_and_steps() {
    let base = case("Login", "open type click");
    let mine = case("Login", "open TYPE click");
    let mut theirs = case("Log in", "open type click verify");
    theirs.description = "New".to_owned();
    let merge = merge_test_case(Some(&base), &mine, &theirs);
    let merged = merge.merged.expect("no overlap");
    assert_eq!(merged.name, "Log in");
    assert_eq!(merged.description, "New");
    assert_eq!(merged.steps, steps("open TYPE click verify"));
    assert!(merge.field_conflicts.is_empty());

    let renamed_both = merge_test_case(
        Some(&base),
        &case("A", "open type click"),
        &case("B", "open type click"),
    );
    assert_eq!(renamed_both.field_conflicts, vec!["name"]);
    assert_eq!(renamed_both.merged, None);

    // Without a base, two different step lists conflict as a whole.
    let no_base = merge_test_case(None, &case("Login", "a"), &case("Login", "b"));
    assert_eq!(no_base.merged, None);
    assert_eq!(no_base.steps.conflicts.len(), 1);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// A change on one side only always merges to that side; the same change on both too.
    #[test]
    fn one_sided_changes_merge_to_that_side(
        base in prop::collection::vec(0u8..5, 0..8),
        side in prop::collection::vec(0u8..5, 0..8),
    ) {
        let as_steps = |v: &[u8]| v.iter().map(|n| step(&n.to_string())).collect::<Vec<_>>();
        let (b, s) = (as_steps(&base), as_steps(&side));
        prop_assert_eq!(merge_sequences(&b, &s, &b).merged, Some(s.clone()));
        prop_assert_eq!(merge_sequences(&b, &b, &s).merged, Some(s.clone()));
        prop_assert_eq!(merge_sequences(&b, &s, &s).merged, Some(s.clone()));
    }
}
