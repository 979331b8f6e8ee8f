//! The tab's [`FileMemo`]: the files of the project written last, so that the list of local changes (after
//! every edit) and the local side of a push or pull write again only the artifacts that changed.

use std::cell::RefCell;

use versioning_core::artifacts::FileMemo;

use super::random::random_bytes;

thread_local! {
    /// Keyed with the browser's cryptographic random numbers, never stored.
    static MEMO: RefCell<FileMemo> = RefCell::new(FileMemo::new(random_bytes()));
}

/// Runs `write` with the tab's memo.
pub fn with_file_memo<R>(write: impl FnOnce(&mut FileMemo) -> R) -> R {
    MEMO.with(|memo| write(&mut memo.borrow_mut()))
}
