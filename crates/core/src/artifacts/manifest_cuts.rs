//! The cuts of manifests met lately: how each was cut into parts and what each part is named, known by
//! the address of the manifest's shared entries, so that a manifest cut again is not cut and named again
//! and two manifests known cut can be compared part by part.

use std::cell::RefCell;
use std::sync::{Arc, Weak};

use super::manifest::{in_path_order, ManifestEntry};

/// A manifest's entries as [`Manifest::parts`] last cut them: the entries themselves, held weakly (the
/// address of entries still held is not reused, and shared entries never change: a change copies them
/// first, [`Arc::make_mut`], which moves entries only weakly held too), the length of each part and its
/// name.
pub(super) struct Cut {
    pub(super) files: Weak<Vec<ManifestEntry>>,
    pub(super) lengths: Vec<usize>,
    pub(super) names: Vec<String>,
    /// Whether the entries are in strict path order.
    pub(super) ordered: bool,
}

/// How many cuts are kept: a push cuts the branch's manifest and the one it publishes, a save the
/// baseline.
const CUTS_KEPT: usize = 4;

thread_local! {
    /// The last manifests cut, by the address of their shared entries: a manifest cut again (the base of
    /// the next push, the baseline of every save) is not cut and named again.
    static CUTS: RefCell<Vec<Cut>> = const { RefCell::new(Vec::new()) };
}

/// The cut of the manifest whose shared entries are `files`, when known: the length and name of each part.
pub(super) fn cut_of(files: &Arc<Vec<ManifestEntry>>) -> Option<(Vec<usize>, Vec<String>)> {
    CUTS.with(|cuts| {
        let cuts = cuts.borrow();
        let found = cuts
            .iter()
            .find(|cut| std::ptr::eq(cut.files.as_ptr(), Arc::as_ptr(files)));
        found.map(|cut| (cut.lengths.clone(), cut.names.clone()))
    })
}

/// Keeps `cut` as the last one made, forgetting the oldest beyond [`CUTS_KEPT`].
pub(super) fn remember_cut(cut: Cut) {
    CUTS.with(|cuts| {
        let mut cuts = cuts.borrow_mut();
        cuts.retain(|cut| cut.files.strong_count() > 0);
        if cuts.len() == CUTS_KEPT {
            cuts.remove(0);
        }
        cuts.push(cut);
    });
}

/// `read` of the cut of the manifest whose entries are `files` (by their address: the entries of a
/// manifest still held), when it is known and in strict path order.
fn with_ordered_cut<R>(files: &[ManifestEntry], read: impl FnOnce(&Cut) -> R) -> Option<R> {
    CUTS.with(|cuts| {
        let cuts = cuts.borrow();
        let found = cuts.iter().filter(|cut| cut.ordered).find(|cut| {
            cut.files
                .upgrade()
                .is_some_and(|held| held.as_ptr() == files.as_ptr() && held.len() == files.len())
        });
        found.map(read)
    })
}

/// The cut of the manifest whose entries are `files`, when it is known and in strict path order: the
/// length and name of each part.
pub(super) fn ordered_cut(files: &[ManifestEntry]) -> Option<(Vec<usize>, Vec<String>)> {
    with_ordered_cut(files, |cut| (cut.lengths.clone(), cut.names.clone()))
}

/// Whether `files` are in strict path order: known without a look when they are the entries of a
/// manifest known cut and in order, or a range of them (a part); else checked.
pub(crate) fn in_order(files: &[ManifestEntry]) -> bool {
    let within = |held: &[ManifestEntry]| {
        let (held, part) = (held.as_ptr_range(), files.as_ptr_range());
        held.start <= part.start && part.end <= held.end
    };
    let known = CUTS.with(|cuts| {
        let cuts = cuts.borrow();
        let mut ordered = cuts.iter().filter(|cut| cut.ordered);
        ordered.any(|cut| cut.files.upgrade().is_some_and(|held| within(&held)))
    });
    known || in_path_order(files)
}

/// `files` split at `lengths`.
pub(super) fn split<'a>(
    files: &'a [ManifestEntry],
    lengths: &[usize],
) -> Option<Vec<&'a [ManifestEntry]>> {
    let mut rest = files;
    let parts = lengths.iter().map(|&length| {
        let (part, after) = rest.split_at_checked(length)?;
        rest = after;
        Some(part)
    });
    parts.collect()
}
