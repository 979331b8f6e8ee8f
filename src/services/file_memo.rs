//! The tab's [`FileMemo`]: the files of the project written last, so that the list of local changes (after
//! every edit) and the local side of a push or pull write again only the artifacts that changed.

use std::cell::RefCell;

use versioning_core::artifacts::FileMemo;

thread_local! {
    static MEMO: RefCell<FileMemo> = RefCell::new(FileMemo::new(random_key()));
}

/// A key for the memo's fingerprints from the browser's cryptographic random numbers (never stored).
fn random_key() -> [u8; 16] {
    let mut key = [0; 16];
    let filled = web_sys::window()
        .and_then(|window| window.crypto().ok())
        .is_some_and(|crypto| crypto.get_random_values_with_u8_array(&mut key).is_ok());
    if !filled {
        for byte in &mut key {
            *byte = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    key
}

/// Runs `write` with the tab's memo.
pub fn with_file_memo<R>(write: impl FnOnce(&mut FileMemo) -> R) -> R {
    MEMO.with(|memo| write(&mut memo.borrow_mut()))
}
