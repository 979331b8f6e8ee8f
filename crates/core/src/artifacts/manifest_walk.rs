//! Two manifests walked together in path order: where both are known cut into parts
//! ([`Manifest::parts`]), the parts both hold are passed over without comparing their entries. The
//! comparisons of manifests made this way: [`Manifest::diff`] and [`Manifest::changes_from`].

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::manifest::{
    ArtifactKey, Manifest, ManifestChanges, ManifestDiff, ManifestEntry, Renamed,
};
use super::manifest_cuts::{in_order, ordered_cut, split};

/// Where the entries of two manifests meet, walked together in path order ([`by_path`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ByPath<'a> {
    /// A path only the first manifest has.
    One(&'a ManifestEntry),
    /// A path only the second manifest has.
    Other(&'a ManifestEntry),
    /// A path both have: the first's entry and the second's.
    Both(&'a ManifestEntry, &'a ManifestEntry),
    /// A path both have with the same entry, known without comparing them (in a part both hold).
    Same(&'a ManifestEntry),
}

/// The entries of `one` and `other` (each in strict path order), walked together once in path order.
/// Where both manifests are known cut into parts ([`Manifest::parts`]), the entries of a part both hold
/// are met as [`ByPath::Same`] without being compared.
pub(crate) fn by_path<'a>(
    one: &'a [ManifestEntry],
    other: &'a [ManifestEntry],
) -> Box<dyn Iterator<Item = ByPath<'a>> + 'a> {
    match apart(one, other) {
        Some(met) => Box::new(met.into_iter()),
        None => Box::new(walk(one.iter(), other.iter())),
    }
}

/// Two sequences of entries (each in strict path order) walked together once in path order.
pub(crate) fn walk<'a>(
    one: impl Iterator<Item = &'a ManifestEntry>,
    other: impl Iterator<Item = &'a ManifestEntry>,
) -> impl Iterator<Item = ByPath<'a>> {
    let (mut a, mut b) = (one.peekable(), other.peekable());
    std::iter::from_fn(move || match (a.peek(), b.peek()) {
        (Some(x), Some(y)) if x.path < y.path => a.next().map(ByPath::One),
        (Some(x), Some(y)) if x.path > y.path => b.next().map(ByPath::Other),
        (Some(_), Some(_)) => a.next().zip(b.next()).map(|(x, y)| ByPath::Both(x, y)),
        (Some(_), None) => a.next().map(ByPath::One),
        (None, _) => b.next().map(ByPath::Other),
    })
}

/// For each entry of `one`, whether it lies in a part that `other` holds too (the same name: the same
/// entries at the same paths); `None` unless the cuts of both are known.
pub(crate) fn held_alike(one: &[ManifestEntry], other: &[ManifestEntry]) -> Option<Vec<bool>> {
    let ((lengths, names), (_, other_names)) = (ordered_cut(one)?, ordered_cut(other)?);
    let held: BTreeSet<&str> = other_names.iter().map(String::as_str).collect();
    let alike = lengths
        .iter()
        .zip(&names)
        .flat_map(|(&length, name)| std::iter::repeat_n(held.contains(name.as_str()), length));
    Some(alike.collect())
}

/// [`by_path`] of two manifests known cut in path order: the entries of a
/// part both hold (the same name: the same entries) are met as [`ByPath::Same`], uncompared, and only
/// the others are walked together. No entry of `other` falls inside a part both hold but its own, as
/// `other` is in path order and holds the part whole. `None` unless both cuts are known.
pub(crate) fn apart<'a>(
    one: &'a [ManifestEntry],
    other: &'a [ManifestEntry],
) -> Option<Vec<ByPath<'a>>> {
    let ((one_lengths, one_names), (other_lengths, other_names)) =
        (ordered_cut(one)?, ordered_cut(other)?);
    let (one_parts, other_parts) = (split(one, &one_lengths)?, split(other, &other_lengths)?);
    let one_held: BTreeSet<&str> = one_names.iter().map(String::as_str).collect();
    let other_held: BTreeSet<&str> = other_names.iter().map(String::as_str).collect();
    let mut theirs = other_parts
        .iter()
        .zip(&other_names)
        .filter(|(_, name)| !one_held.contains(name.as_str()))
        .flat_map(|(part, _)| part.iter())
        .peekable();
    let mut met = Vec::with_capacity(one.len().max(other.len()));
    let mut mine: Vec<&'a ManifestEntry> = Vec::new();
    for (part, name) in one_parts.into_iter().zip(&one_names) {
        let Some(first) = part.first().filter(|_| other_held.contains(name.as_str())) else {
            mine.extend(part);
            continue;
        };
        let before = std::iter::from_fn(|| theirs.next_if(|entry| entry.path < first.path));
        met.extend(walk(mine.drain(..), before));
        met.extend(part.iter().map(ByPath::Same));
    }
    met.extend(walk(mine.into_iter(), theirs));
    Some(met)
}

impl Manifest {
    /// What changed from `self` (the older state) to `newer`: compared by path, with moves detected by
    /// artifact id and kind.
    ///
    /// ```
    /// use versioning_core::artifacts::{demo, manifest, LayoutOptions};
    /// let mut project = demo::demo_projects().remove(0);
    /// let before = manifest(&project, &LayoutOptions::default());
    /// let case = project.test_cases().next().unwrap().id.clone();
    /// project.rename(&case, "A better name").unwrap();
    /// let diff = before.diff(&manifest(&project, &LayoutOptions::default()));
    /// assert_eq!(diff.renamed.len(), 1);
    /// assert!(diff.added.is_empty() && diff.removed.is_empty() && diff.modified.is_empty());
    /// ```
    pub fn diff(&self, newer: &Manifest) -> ManifestDiff {
        // Files at a path only one side has: those of the older side, and those of the newer side in
        // its order; files at a path both have are compared there.
        let mut diff = ManifestDiff::default();
        if Arc::ptr_eq(&self.files, &newer.files) {
            return diff;
        }
        let (old_only, new_only) = match in_order(&self.files) && in_order(&newer.files) {
            true => self.paths_walked(newer, &mut diff),
            false => self.paths_looked_up(newer, &mut diff),
        };
        let mut gone: BTreeMap<ArtifactKey, &ManifestEntry> = old_only
            .into_iter()
            .map(|entry| ((entry.id.clone(), entry.kind), entry))
            .collect();
        // Renamed and added files, in the newer manifest's order.
        for entry in new_only {
            match gone.remove(&(entry.id.clone(), entry.kind)) {
                Some(old) => diff.renamed.push(Renamed {
                    from: old.clone(),
                    to: entry.clone(),
                }),
                None => diff.added.push(entry.clone()),
            }
        }
        diff.removed = gone.into_values().cloned().collect();
        diff.removed.sort_by(|a, b| a.path.cmp(&b.path));
        diff
    }

    /// [`Manifest::paths_walked`] for manifests not in path order (one read from a repository may
    /// not be): by lookups.
    fn paths_looked_up<'a>(
        &'a self,
        newer: &'a Manifest,
        diff: &mut ManifestDiff,
    ) -> (Vec<&'a ManifestEntry>, Vec<&'a ManifestEntry>) {
        let old_paths: BTreeMap<&str, &ManifestEntry> =
            self.files.iter().map(|e| (e.path.as_ref(), e)).collect();
        let new_paths: BTreeSet<&str> = newer.files.iter().map(|e| e.path.as_ref()).collect();
        let old_only = self
            .files
            .iter()
            .filter(|entry| !new_paths.contains(entry.path.as_ref()))
            .collect();
        let mut new_only = Vec::new();
        for entry in newer.files.iter() {
            match old_paths.get(entry.path.as_ref()) {
                Some(old) if old.sha256 != entry.sha256 => diff.modified.push(entry.clone()),
                Some(_) => {}
                None => new_only.push(entry),
            }
        }
        (old_only, new_only)
    }

    /// [`Manifest::diff`]'s comparison by path of two manifests in path order, in one walk of both:
    /// records the modified files and answers the files at paths only the older, or only the newer,
    /// manifest has.
    fn paths_walked<'a>(
        &'a self,
        newer: &'a Manifest,
        diff: &mut ManifestDiff,
    ) -> (Vec<&'a ManifestEntry>, Vec<&'a ManifestEntry>) {
        let (mut old_only, mut new_only) = (Vec::new(), Vec::new());
        for met in by_path(&self.files, &newer.files) {
            match met {
                ByPath::One(old) => old_only.push(old),
                ByPath::Other(new) => new_only.push(new),
                ByPath::Both(old, new) if old.sha256 != new.sha256 => {
                    diff.modified.push(new.clone());
                }
                ByPath::Both(..) | ByPath::Same(_) => {}
            }
        }
        (old_only, new_only)
    }

    /// This manifest as its changes from `reference`. `None` when either manifest is not in strict path
    /// order (one read from a repository may not be): such a manifest is kept whole.
    ///
    /// ```
    /// use versioning_core::artifacts::{demo, manifest, LayoutOptions};
    /// let mut project = demo::demo_projects().remove(0);
    /// let before = manifest(&project, &LayoutOptions::default());
    /// let case = project.test_cases().next().unwrap().id.clone();
    /// project.rename(&case, "A better name").unwrap();
    /// let after = manifest(&project, &LayoutOptions::default());
    /// let changes = after.changes_from(&before).unwrap();
    /// assert_eq!((changes.set.len(), changes.removed.len()), (1, 1), "the file moved");
    /// assert_eq!(changes.apply(&before), after);
    /// ```
    pub fn changes_from(&self, reference: &Manifest) -> Option<ManifestChanges> {
        let mut changes = ManifestChanges {
            schema_version: self.schema_version,
            origin: self.origin.clone(),
            ..ManifestChanges::default()
        };
        if Arc::ptr_eq(&self.files, &reference.files) {
            return Some(changes);
        }
        if !in_order(&self.files) || !in_order(&reference.files) {
            return None;
        }
        for met in by_path(&self.files, &reference.files) {
            match met {
                ByPath::One(entry) => changes.set.push(entry.clone()),
                ByPath::Other(old) => changes.removed.push(old.path.to_string()),
                ByPath::Both(entry, old) if entry != old => changes.set.push(entry.clone()),
                ByPath::Both(..) | ByPath::Same(_) => {}
            }
        }
        Some(changes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifacts::generate::synthetic_project;
    use crate::artifacts::{manifest, LayoutOptions};

    /// Each walk's meetings as (one's entry, other's entry), a known same entry on both sides.
    fn meetings<'a>(
        met: impl Iterator<Item = ByPath<'a>>,
    ) -> Vec<(Option<&'a ManifestEntry>, Option<&'a ManifestEntry>)> {
        met.map(|met| match met {
            ByPath::One(x) => (Some(x), None),
            ByPath::Other(y) => (None, Some(y)),
            ByPath::Both(x, y) => (Some(x), Some(y)),
            ByPath::Same(x) => (Some(x), Some(x)),
        })
        .collect()
    }

    #[test]
    fn manifests_known_cut_are_walked_past_the_parts_both_hold() {
        let project = synthetic_project(5, 3_000);
        let options = LayoutOptions::default();
        let before = manifest(&project, &options);
        let mut edited = project.clone();
        edited.suites[1].scenarios[0].test_cases[1]
            .description
            .push_str(" Changed.");
        edited.suites[3].scenarios[1].test_cases.remove(0);
        let moved = edited.suites[2].scenarios[0].test_cases.remove(2);
        edited.suites[0].scenarios[1].test_cases.push(moved);
        let after = manifest(&edited, &options);
        let plain = |one: &Manifest, other: &Manifest| {
            let (one, other) = (one.files.to_vec(), other.files.to_vec());
            meetings(walk(one.iter(), other.iter()))
                .into_iter()
                .map(|(x, y)| (x.cloned(), y.cloned()))
                .collect::<Vec<_>>()
        };
        let owned = |met: Vec<(Option<&ManifestEntry>, Option<&ManifestEntry>)>| {
            met.into_iter()
                .map(|(x, y)| (x.cloned(), y.cloned()))
                .collect::<Vec<_>>()
        };
        assert!(apart(&after.files, &before.files).is_none(), "not cut yet");
        let (_, _) = (after.parts(), before.parts());
        for (one, other) in [(&after, &before), (&before, &after)] {
            let met = apart(&one.files, &other.files).expect("both cut");
            let same = met.iter().filter(|m| matches!(m, ByPath::Same(_))).count();
            assert!(same > one.files.len() / 2, "{same} of {}", one.files.len());
            assert_eq!(owned(meetings(met.into_iter())), plain(one, other));
        }
        let alike = held_alike(&after.files, &before.files).expect("both cut");
        assert_eq!(alike.len(), after.files.len());
        for (entry, alike) in after.files.iter().zip(&alike) {
            assert!(
                !alike || before.entry(&entry.path) == Some(entry),
                "{entry:?}"
            );
        }
        assert!(alike.iter().filter(|alike| **alike).count() > after.files.len() / 2);
        let changes = after.changes_from(&before).unwrap();
        let uncut = |m: &Manifest| Manifest {
            files: Arc::new(m.files.to_vec()),
            ..m.clone()
        };
        assert_eq!(
            Some(&changes),
            uncut(&after).changes_from(&uncut(&before)).as_ref()
        );
        assert_eq!(
            changes.removed.len(),
            2,
            "the removed and the moved test case"
        );
        assert_eq!(changes.apply(&before), after);
    }

    /// A manifest of test cases at `p<path>` with hash `<sha>` and id `t<id>`, from their numbers.
    fn small(files: &BTreeMap<u8, (u8, u8)>) -> Manifest {
        let entries = files.iter().map(|(path, (sha, id))| ManifestEntry {
            path: format!("p{path:02}").into(),
            sha256: sha.to_string().into(),
            id: crate::artifacts::ArtifactId::new(format!("t{id}")).unwrap(),
            kind: crate::artifacts::ArtifactKind::TestCase,
        });
        Manifest::from_entries(entries.collect())
    }

    proptest::proptest! {
        /// Manifests in path order are compared in one walk: the same as by lookups.
        #[test]
        fn a_walk_and_lookups_find_the_same_paths(
            old in proptest::collection::btree_map(0u8..40, (0u8..3, 0u8..30), 0..30),
            new in proptest::collection::btree_map(0u8..40, (0u8..3, 0u8..30), 0..30),
        ) {
            let (old, new) = (small(&old), small(&new));
            let (mut walked, mut looked_up) = (ManifestDiff::default(), ManifestDiff::default());
            let one = old.paths_walked(&new, &mut walked);
            let other = old.paths_looked_up(&new, &mut looked_up);
            proptest::prop_assert_eq!(one, other);
            proptest::prop_assert_eq!(walked, looked_up);
        }

        /// A base kept as its changes from one baseline is the same manifest as its changes from the next.
        #[test]
        fn changes_rebased_on_a_new_reference_are_the_changes_from_it(
            old in proptest::collection::btree_map(0u8..40, (0u8..3, 0u8..30), 0..30),
            base in proptest::collection::btree_map(0u8..40, (0u8..3, 0u8..30), 0..30),
            new in proptest::collection::btree_map(0u8..40, (0u8..3, 0u8..30), 0..30),
        ) {
            let (old, base, new) = (small(&old), small(&base), small(&new));
            let kept = base.changes_from(&old).unwrap();
            let new_from_old = new.changes_from(&old).unwrap();
            let rebased = kept.rebased(&old, &new_from_old);
            proptest::prop_assert_eq!(&rebased, &base.changes_from(&new).unwrap());
            proptest::prop_assert_eq!(rebased.apply(&new), base);
        }
    }
}
