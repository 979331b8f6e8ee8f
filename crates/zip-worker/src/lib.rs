//! The `.zip` export of Bitbucket Versioning, as a WebAssembly module of its own: the app starts it in a
//! Web Worker (`export-worker.js`) only when a user exports a project, so the zip writer and its compressor are
//! neither downloaded nor compiled for the first form, and a large project is compressed off the page's
//! thread.

use js_sys::{Array, Uint8Array};
use versioning_core::artifacts::archive::write_zip;
use versioning_core::artifacts::ProjectFiles;
use wasm_bindgen::prelude::*;

/// The files `paths[i]` → `contents[i]` as a `.zip` (see `write_zip`); a file that cannot be archived is
/// an error naming it.
#[wasm_bindgen]
pub fn zip(paths: Vec<String>, contents: Array) -> Result<Uint8Array, JsError> {
    let contents = contents
        .iter()
        .map(|content| Uint8Array::new(&content).to_vec());
    let files: ProjectFiles = paths.into_iter().zip(contents).collect();
    write_zip(&files)
        .map(|bytes| Uint8Array::from(bytes.as_slice()))
        .map_err(|problem| JsError::new(&format!("{}: {}", problem.path, problem.message)))
}
