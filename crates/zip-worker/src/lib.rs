//! The `.zip` reading and writing of Bitbucket Versioning, as a WebAssembly module of its own: the app
//! starts it in a Web Worker (`archive-worker.js`) only when a user exports or imports a project, or a
//! Data Center pull reads an archive, so the zip code and its compressor are neither downloaded nor
//! compiled for the first form, and large archives are handled off the page's thread.

use js_sys::{Array, Object, Reflect, Uint8Array};
use versioning_core::artifacts::archive::{read_zip, write_zip, zip_files, ArchiveLimits};
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

/// The files of a `.zip`, within the default limits, as `{ paths, contents }`. `whole`: every file or
/// every problem (`{ problems: [{ path, message }] }`, see `read_zip`), as an import needs; otherwise
/// the files that could be read (see `zip_files`), as a pull that reads the others one by one needs.
#[wasm_bindgen]
pub fn unzip(bytes: &[u8], whole: bool) -> Object {
    let limits = ArchiveLimits::default();
    let read = match whole {
        true => read_zip(bytes, &limits),
        false => Ok(zip_files(bytes, &limits)),
    };
    let answer = Object::new();
    match read {
        Ok(files) => {
            let paths: Array = files.keys().map(|path| JsValue::from_str(path)).collect();
            let contents: Array = files
                .values()
                .map(|bytes| JsValue::from(Uint8Array::from(bytes.as_slice())))
                .collect();
            set(&answer, "paths", &paths);
            set(&answer, "contents", &contents);
        }
        Err(problems) => {
            let problems: Array = problems
                .into_iter()
                .map(|problem| {
                    let entry = Object::new();
                    set(&entry, "path", &JsValue::from_str(&problem.path));
                    set(&entry, "message", &JsValue::from_str(&problem.message));
                    JsValue::from(entry)
                })
                .collect();
            set(&answer, "problems", &problems);
        }
    }
    answer
}

fn set(object: &Object, name: &str, value: &JsValue) {
    let _ = Reflect::set(object, &JsValue::from_str(name), value);
}
