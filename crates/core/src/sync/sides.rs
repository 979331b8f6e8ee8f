//! The artifacts a three-way comparison must look at: those whose file differs on some side.
//!
//! A push compares the local manifest, the branch's and the base's artifact by artifact; in a large
//! project nearly every artifact is the same on all three sides. [`Sides::of`] walks the three
//! manifests once, in path order, and keeps only the artifacts some side holds differently, with their
//! three versions; every other entry is the same file everywhere and is [`Sides::untouched`].
//! [`Sides::every`] compares every artifact, for manifests that cannot be walked so.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::hash::Hasher;
use std::sync::{Arc, Weak};

use siphasher::sip::SipHasher13;

use crate::artifacts::{
    by_path, held_alike, in_order, ArtifactKey, ByPath, Manifest, ManifestEntry,
};
use crate::sync::local::{LocalFiles, SyncBase};

/// An artifact's file at the base, locally and on the branch.
pub(crate) type Versions<'a> = [Option<&'a ManifestEntry>; 3];

/// The artifacts to compare, and the entries every side holds alike.
#[derive(Debug, Default)]
pub(crate) struct Sides<'a> {
    /// The artifacts to compare (at least those some side holds differently): their base, local and
    /// remote versions, by key.
    pub(crate) compared: BTreeMap<ArtifactKey, Versions<'a>>,
    /// The entries held alike by every side (the same path, hash, id and kind), in path order.
    pub(crate) untouched: Vec<&'a ManifestEntry>,
    /// Whether every entry of the three manifests is either untouched or of an artifact compared,
    /// each artifact listed once.
    pub(crate) walked: bool,
}

/// Whether the entries are in strict path order and no two of them have the same fingerprint of their
/// artifact key (so no key is listed twice; two keys whose fingerprints meet, by chance or by a crafted
/// manifest, only mean that every key is compared), with the fingerprints in order when they were taken.
fn well_formed(files: &[ManifestEntry]) -> (bool, Option<Arc<[u64]>>) {
    if !in_order(files) {
        return (false, None);
    }
    let mut keys: Vec<u64> = files.iter().map(key_fingerprint).collect();
    keys.sort_unstable();
    (
        keys.windows(2).all(|pair| pair[0] != pair[1]),
        Some(keys.into()),
    )
}

/// A fingerprint of an entry's artifact key (its id and kind): equal keys have equal fingerprints.
pub(crate) fn key_fingerprint(entry: &ManifestEntry) -> u64 {
    let mut hasher = SipHasher13::new();
    hasher.write(entry.id.as_str().as_bytes());
    hasher.write_u8(entry.kind as u8);
    hasher.finish()
}

/// The fingerprints of the artifact keys of a manifest that shares parts with a base remembered well
/// formed: the base's, less those of its entries in parts the manifest does not hold. A pull then takes
/// the fingerprints of the manifest's other entries only.
pub(crate) struct KnownKeys {
    base: Arc<[u64]>,
    gone: Vec<u64>,
}

impl KnownKeys {
    /// The keys `files` holds of `base`, when the base is remembered well formed with its keys and the
    /// cuts of both are known.
    pub(crate) fn over(files: &[ManifestEntry], base: &Manifest) -> Option<KnownKeys> {
        let keys = checked_keys(base)?;
        let kept = held_alike(&base.files, files)?;
        let gone = base.files.iter().zip(kept).filter(|(_, kept)| !kept);
        let mut gone: Vec<u64> = gone.map(|(entry, _)| key_fingerprint(entry)).collect();
        gone.sort_unstable();
        Some(KnownKeys { base: keys, gone })
    }

    /// Whether an entry of fingerprint `key` may list an artifact an entry kept from the base lists.
    pub(crate) fn may_meet(&self, key: u64) -> bool {
        let count =
            |keys: &[u64]| keys.partition_point(|k| *k <= key) - keys.partition_point(|k| *k < key);
        count(&self.base) > count(&self.gone)
    }

    /// The fingerprints of the manifest's keys, in order: those kept from the base, and `added` (in
    /// order).
    pub(crate) fn with(&self, added: &[u64]) -> Arc<[u64]> {
        let mut gone = self.gone.iter().peekable();
        let kept = self
            .base
            .iter()
            .filter(|key| gone.next_if_eq(key).is_none());
        let mut all: Vec<u64> = kept.copied().chain(added.iter().copied()).collect();
        // Two runs in order: merged.
        all.sort();
        all.into()
    }
}

/// How many manifests [`WELL_FORMED`] remembers: a push or pull compares three.
const WELL_FORMED_KEPT: usize = 8;

/// What is remembered of a manifest checked: whether it is well formed, and the fingerprints of its
/// keys in order when they were taken (a pull checks the branch's manifest against its base's with them).
struct Checked {
    entries: Weak<Vec<ManifestEntry>>,
    well_formed: bool,
    keys: Option<Arc<[u64]>>,
}

thread_local! {
    /// Manifests found well formed (or not), by the address of their shared entries, held weakly: the
    /// address of entries still held cannot be reused, and shared entries never change (a change copies
    /// them first, [`Arc::make_mut`], which also moves entries only weakly held), so the answer stays
    /// true without keeping the entries alive. The base and local manifests of one sync are those of the
    /// next, and the branch's is vouched for by the pull that checked it.
    static WELL_FORMED: RefCell<Vec<Checked>> = const { RefCell::new(Vec::new()) };
}

/// What is remembered of `manifest`'s entries.
fn remembered<T>(manifest: &Manifest, read: impl FnOnce(&Checked) -> T) -> Option<T> {
    WELL_FORMED.with(|memo| {
        let memo = memo.borrow();
        let held = Arc::as_ptr(&manifest.files);
        memo.iter()
            .find(|checked| std::ptr::eq(checked.entries.as_ptr(), held))
            .map(read)
    })
}

/// Whether `manifest` is well formed (see [`well_formed`]), remembered for its entries.
fn well_formed_manifest(manifest: &Manifest) -> bool {
    remembered(manifest, |checked| checked.well_formed).unwrap_or_else(|| {
        let (answer, keys) = well_formed(&manifest.files);
        remember_well_formed(manifest, answer, keys);
        answer
    })
}

/// The fingerprints of the artifact keys of `manifest`, in order, when it is remembered well formed
/// with them.
pub(crate) fn checked_keys(manifest: &Manifest) -> Option<Arc<[u64]>> {
    let keys = remembered(manifest, |c| c.keys.clone().filter(|_| c.well_formed));
    keys.flatten()
}

/// Checks whether `manifest` is well formed, unless that is remembered.
fn check_well_formed(manifest: &Manifest) {
    well_formed_manifest(manifest);
}

/// Checks the local files' manifest and the base's for a comparison, unless that is remembered: a job
/// does it while its requests are in flight ([`crate::sync::Job::while_waiting`]), so that its
/// comparison finds the answers.
pub(crate) fn check_sides(local: Option<&LocalFiles>, base: Option<&SyncBase>) {
    let local = local.map(|local| &*local.manifest);
    local
        .into_iter()
        .chain(base.map(|base| &base.manifest))
        .for_each(check_well_formed);
}

fn remember_well_formed(manifest: &Manifest, well_formed: bool, keys: Option<Arc<[u64]>>) {
    WELL_FORMED.with(|memo| {
        let mut memo = memo.borrow_mut();
        memo.retain(|checked| checked.entries.strong_count() > 0);
        if memo.len() == WELL_FORMED_KEPT {
            memo.remove(0);
        }
        memo.push(Checked {
            entries: Arc::downgrade(&manifest.files),
            well_formed,
            keys,
        });
    });
}

/// Records that `manifest`'s entries are in strict path order and list each artifact once, as a check
/// of every entry found (so that comparing it does not check it again); `keys`, the fingerprints of its
/// artifact keys in order, when the check took them.
pub(crate) fn vouch_well_formed(manifest: &Manifest, keys: Option<Arc<[u64]>>) {
    remember_well_formed(manifest, true, keys);
}

/// The entries of `one` and of `other` (both in path order) that the other does not hold alike at the
/// same path, and the entries both hold alike.
fn merge<'a>(
    one: &'a [ManifestEntry],
    other: &'a [ManifestEntry],
) -> (
    Vec<&'a ManifestEntry>,
    Vec<&'a ManifestEntry>,
    Vec<&'a ManifestEntry>,
) {
    let (mut only_one, mut only_other, mut alike) = (Vec::new(), Vec::new(), Vec::new());
    for met in by_path(one, other) {
        match met {
            ByPath::One(x) => only_one.push(x),
            ByPath::Other(y) => only_other.push(y),
            ByPath::Both(x, y) if x == y => alike.push(x),
            ByPath::Same(x) => alike.push(x),
            ByPath::Both(x, y) => {
                only_one.push(x);
                only_other.push(y);
            }
        }
    }
    (only_one, only_other, alike)
}

/// The entries the branch holds alike with the base (`alike`, in path order) that the local side holds
/// alike too: all but those at the paths of the base's entries it does not (`base_for_local`, in path
/// order). With each artifact listed once on every side, an artifact some side changed has no entry
/// alike on all three, and each one found here is listed nowhere else; a few binary searches instead
/// of a look-up per entry.
fn untouched<'a>(
    alike: Vec<&'a ManifestEntry>,
    base_for_local: &[&'a ManifestEntry],
) -> Vec<&'a ManifestEntry> {
    let paths = base_for_local.iter().map(|entry| entry.path.as_ref());
    split_at_paths(alike, paths).1
}

/// `entries` (in strict path order) split into those at `paths` and the others, each in order: a
/// binary search per path, not a look-up per entry.
pub(crate) fn split_at_paths<'a, 'p>(
    entries: Vec<&'a ManifestEntry>,
    paths: impl IntoIterator<Item = &'p str>,
) -> (Vec<&'a ManifestEntry>, Vec<&'a ManifestEntry>) {
    let at: BTreeSet<usize> = paths
        .into_iter()
        .filter_map(|path| entries.binary_search_by(|e| e.path.as_ref().cmp(path)).ok())
        .collect();
    if at.is_empty() {
        return (Vec::new(), entries);
    }
    let (mut found, mut others) = (
        Vec::with_capacity(at.len()),
        Vec::with_capacity(entries.len()),
    );
    for (index, entry) in entries.into_iter().enumerate() {
        match at.contains(&index) {
            true => found.push(entry),
            false => others.push(entry),
        }
    }
    (found, others)
}

/// An artifact's key, borrowed.
type KeyRef<'a> = (&'a str, u8);

fn key_ref(entry: &ManifestEntry) -> KeyRef<'_> {
    (entry.id.as_str(), entry.kind as u8)
}

impl<'a> Sides<'a> {
    /// The sides of `base`, `local` and `remote`; `None` when a manifest is not in strict path order or
    /// lists an artifact twice (one read from a repository may), for which every key must be compared.
    /// What [`Sides::of_manifests`] gives, without remembering the checks.
    #[cfg(test)]
    pub(crate) fn of(
        base: &'a [ManifestEntry],
        local: &'a [ManifestEntry],
        remote: &'a [ManifestEntry],
    ) -> Option<Sides<'a>> {
        let checked = [base, local, remote];
        let again = |index: usize| {
            checked[..index]
                .iter()
                .any(|s| std::ptr::eq(*s, checked[index]))
        };
        if (0..3).any(|index| !again(index) && !well_formed(checked[index]).0) {
            return None;
        }
        Some(Self::walk(base, local, remote))
    }

    /// The sides of three manifests ([`Sides::of`]), each checked once for as long as its entries
    /// live; with every artifact compared ([`Sides::every`]) when one cannot be walked. No base is an
    /// empty one.
    pub(crate) fn of_manifests(
        base: Option<&'a Manifest>,
        local: &'a Manifest,
        remote: &'a Manifest,
    ) -> Sides<'a> {
        let base_files = base.map_or(&[][..], |base| &base.files[..]);
        let walkable = [base, Some(local), Some(remote)]
            .into_iter()
            .flatten()
            .all(well_formed_manifest);
        match walkable {
            true => Self::walk(base_files, &local.files, &remote.files),
            false => Self::every(base_files, &local.files, &remote.files),
        }
    }

    /// The walk of [`Sides::of`], over manifests known to be well formed.
    fn walk(
        base: &'a [ManifestEntry],
        local: &'a [ManifestEntry],
        remote: &'a [ManifestEntry],
    ) -> Sides<'a> {
        // A local manifest that is the base's (a push published it): no entry changed here.
        let (local_only, base_for_local) = match std::ptr::eq(local, base) {
            true => (Vec::new(), Vec::new()),
            false => {
                let (local_only, base_for_local, _) = merge(local, base);
                (local_only, base_for_local)
            }
        };
        // The branch where the base left it (the same manifest): every entry alike, none compared.
        let (remote_only, base_for_remote, alike) = match std::ptr::eq(remote, base) {
            true => (Vec::new(), Vec::new(), base.iter().collect()),
            false => merge(remote, base),
        };
        let by_key =
            |lists: &[&Vec<&'a ManifestEntry>]| -> BTreeMap<KeyRef<'a>, &'a ManifestEntry> {
                lists
                    .iter()
                    .copied()
                    .flatten()
                    .map(|e| (key_ref(e), *e))
                    .collect()
            };
        // The keys each side changed, with the side's entries (none when it deleted the artifact).
        let changed = |lists: [&Vec<&'a ManifestEntry>; 2]| -> BTreeSet<KeyRef<'a>> {
            lists.into_iter().flatten().map(|e| key_ref(e)).collect()
        };
        let local_changed = changed([&base_for_local, &local_only]);
        let remote_changed = changed([&base_for_remote, &remote_only]);
        let (at_base, locally, remotely) = (
            by_key(&[&base_for_local, &base_for_remote]),
            by_key(&[&local_only]),
            by_key(&[&remote_only]),
        );
        let mut compared = BTreeMap::new();
        for key in local_changed.union(&remote_changed) {
            let base = at_base.get(key).copied();
            let side =
                |changed: &BTreeSet<KeyRef<'a>>, entries: &BTreeMap<KeyRef<'a>, _>| match changed
                    .contains(key)
                {
                    true => entries.get(key).copied(),
                    false => base,
                };
            let versions = [
                base,
                side(&local_changed, &locally),
                side(&remote_changed, &remotely),
            ];
            if let Some(entry) = versions.iter().flatten().next() {
                compared.insert((entry.id.clone(), entry.kind), versions);
            }
        }
        Sides {
            compared,
            untouched: untouched(alike, &base_for_local),
            walked: true,
        }
    }

    /// Every artifact of the three manifests, to compare one by one; an artifact listed twice is
    /// taken at its last path (as [`Manifest::by_artifact`](crate::artifacts::Manifest::by_artifact)
    /// takes it).
    pub(crate) fn every(
        base: &'a [ManifestEntry],
        local: &'a [ManifestEntry],
        remote: &'a [ManifestEntry],
    ) -> Sides<'a> {
        let by_key = |files: &'a [ManifestEntry]| -> BTreeMap<ArtifactKey, &'a ManifestEntry> {
            files.iter().map(|e| ((e.id.clone(), e.kind), e)).collect()
        };
        let (b, l, r) = (by_key(base), by_key(local), by_key(remote));
        let keys: BTreeSet<&ArtifactKey> = b.keys().chain(l.keys()).chain(r.keys()).collect();
        let compared = keys
            .into_iter()
            .map(|k| {
                (
                    k.clone(),
                    [b.get(k), l.get(k), r.get(k)].map(|e| e.copied()),
                )
            })
            .collect();
        Sides {
            compared,
            untouched: Vec::new(),
            walked: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::artifacts::{ArtifactId, ArtifactKind, Manifest};

    fn entry(id: u8, path: u8, content: u8) -> ManifestEntry {
        ManifestEntry {
            path: format!("test-artifacts/f{path:03}.json").into(),
            sha256: format!("{content:064x}").into(),
            id: ArtifactId::new(format!("t{id}")).unwrap(),
            kind: ArtifactKind::TestCase,
        }
    }

    /// A side: the base's artifacts, some changed (content, path), deleted or added.
    fn side(base: Vec<(u8, u8, u8)>) -> impl Strategy<Value = Manifest> {
        let edits = prop::collection::vec((0u8..5, any::<u8>()), base.len());
        (edits, prop::collection::vec(any::<(u8, u8)>(), 0..3)).prop_map(move |(edits, added)| {
            let mut files: Vec<ManifestEntry> = Vec::new();
            for (&(id, path, content), (edit, value)) in base.iter().zip(edits) {
                match edit {
                    0 => {}
                    1 => files.push(entry(id, path, value)),
                    2 => files.push(entry(id, value, content)),
                    _ => files.push(entry(id, path, content)),
                }
            }
            files.extend(added.into_iter().map(|(id, path)| entry(id, path, 1)));
            Manifest::from_entries(files)
        })
    }

    fn three() -> impl Strategy<Value = (Manifest, Manifest, Manifest)> {
        prop::collection::btree_map(any::<u8>(), (any::<u8>(), any::<u8>()), 0..40)
            .prop_map(|ids| {
                ids.into_iter()
                    .map(|(id, (p, c))| (id, p, c))
                    .collect::<Vec<_>>()
            })
            .prop_flat_map(|base| {
                let manifest =
                    Manifest::from_entries(base.iter().map(|&(i, p, c)| entry(i, p, c)).collect());
                (Just(manifest), side(base.clone()), side(base))
            })
    }

    proptest! {
        /// The keys known of a manifest are its base's less those gone, with those added: taking a
        /// few keys beside the base's gives what taking them all gives.
        #[test]
        fn known_keys_are_the_base_less_those_gone_with_those_added(
            base in prop::collection::btree_set(any::<u64>(), 0..200),
            gone_every in 1usize..6,
            added in prop::collection::btree_set(any::<u64>(), 0..20),
        ) {
            let gone: Vec<u64> = base.iter().copied().step_by(gone_every).collect();
            let known = KnownKeys {
                base: base.iter().copied().collect(),
                gone: gone.clone(),
            };
            let added: Vec<u64> = added.into_iter().collect();
            let mut expected: Vec<u64> = base.iter().copied().filter(|k| !gone.contains(k)).collect();
            expected.extend(&added);
            expected.sort_unstable();
            prop_assert_eq!(&*known.with(&added), &expected[..]);
            for key in &added {
                prop_assert_eq!(known.may_meet(*key), base.contains(key) && !gone.contains(key));
            }
        }

        #[test]
        fn the_walk_compares_what_every_key_comparison_finds_different((base, local, remote) in three()) {
            let (b, l, r) = (&base.files[..], &local.files[..], &remote.files[..]);
            let every = Sides::every(b, l, r);
            let Some(walked) = Sides::of(b, l, r) else {
                // Paths or keys given twice: only the full comparison applies.
                return Ok(());
            };
            let mut untouched = Vec::new();
            for (key, versions) in &every.compared {
                match walked.compared.get(key) {
                    Some(found) => prop_assert_eq!(found, versions),
                    None => {
                        let [Some(b), Some(l), Some(r)] = versions else {
                            return Err(TestCaseError::fail(format!("{key:?} left out")));
                        };
                        prop_assert!(b == l && l == r, "{:?} differs", key);
                        untouched.push(*b);
                    }
                }
            }
            prop_assert_eq!(walked.compared.len() + untouched.len(), every.compared.len());
            untouched.sort_by(|x, y| x.path.cmp(&y.path));
            prop_assert_eq!(walked.untouched, untouched);
        }
    }

    proptest! {
        #[test]
        fn the_branch_where_the_base_left_it_is_walked_as_a_copy_of_it((base, local, _) in three()) {
            let copy = base.files.to_vec();
            let (b, l) = (&base.files[..], &local.files[..]);
            let same = Sides::of(b, l, b).map(|s| (s.compared, s.untouched));
            let copied = Sides::of(b, l, &copy).map(|s| (s.compared, s.untouched));
            prop_assert_eq!(same, copied);
        }

        #[test]
        fn a_local_manifest_that_is_the_base_is_walked_as_a_copy_of_it((base, _, remote) in three()) {
            let copy = base.files.to_vec();
            let (b, r) = (&base.files[..], &remote.files[..]);
            let same = Sides::of(b, b, r).map(|s| (s.compared, s.untouched));
            let copied = Sides::of(b, &copy, r).map(|s| (s.compared, s.untouched));
            prop_assert_eq!(same, copied);
        }
    }

    proptest! {
        #[test]
        fn manifests_are_compared_as_their_entries_are_each_time((base, local, remote) in three()) {
            let (b, l, r) = (&base.files[..], &local.files[..], &remote.files[..]);
            let expected = Sides::of(b, l, r).unwrap_or_else(|| Sides::every(b, l, r));
            let expected = (expected.compared, expected.untouched, expected.walked);
            // The local side checked beforehand (as while requests are in flight), then asked twice: the
            // second time from what the first remembered.
            check_well_formed(&local);
            for _ in 0..2 {
                let sides = Sides::of_manifests(Some(&base), &local, &remote);
                prop_assert_eq!(&(sides.compared, sides.untouched, sides.walked), &expected);
            }
        }
    }

    #[test]
    fn a_manifest_listing_an_artifact_twice_is_not_walked() {
        let twice = Manifest::from_entries(vec![entry(1, 1, 1), entry(1, 2, 1)]);
        let once = Manifest::from_entries(vec![entry(1, 1, 1)]);
        assert!(Sides::of(&once.files, &once.files, &twice.files).is_none());
        assert!(Sides::of(&once.files, &once.files, &once.files).is_some());
    }

    #[test]
    fn entries_are_split_at_the_paths_asked_for_in_their_order() {
        let manifest = Manifest::from_entries((0..50).map(|n| entry(n, n, 0)).collect());
        let entries: Vec<&ManifestEntry> = manifest.files.iter().collect();
        let paths = [&manifest.files[40], &manifest.files[3]].map(|e| e.path.as_ref());
        let (at, others) = split_at_paths(entries.clone(), paths.into_iter().chain(["elsewhere"]));
        assert_eq!(at, vec![&manifest.files[3], &manifest.files[40]]);
        assert_eq!(others.len(), 48);
        assert!(!others.iter().any(|e| at.contains(e)));
        assert_eq!(split_at_paths(entries.clone(), []).1, entries);
    }
}
