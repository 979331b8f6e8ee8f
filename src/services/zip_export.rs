//! The `.zip` export, run in a Web Worker with a WebAssembly module of its own (`crates/zip-worker`): it is
//! downloaded only when a user exports a project, and compresses off the page's thread.

use std::cell::RefCell;
use std::rc::Rc;

use futures::channel::oneshot;
use js_sys::{Array, Object, Reflect, Uint8Array};
use versioning_core::artifacts::ProjectFiles;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MessageEvent, Url, Worker};

/// The worker's script, beside the app's other files.
const WORKER_SCRIPT: &str = "export-worker.js";

thread_local! {
    /// The URL of the folder the app's files were loaded from, when the page's base URL is not it (an
    /// embedding portal's page).
    static ASSETS: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Tells where the app's files are (a folder's URL); by default, the page's base URL.
pub fn set_assets(folder: String) {
    ASSETS.with(|assets| *assets.borrow_mut() = Some(folder));
}

/// The worker script's URL.
fn worker_url() -> Option<String> {
    let base = ASSETS
        .with(|assets| assets.borrow().clone())
        .or_else(|| web_sys::window()?.document()?.base_uri().ok().flatten())?;
    Url::new_with_base(WORKER_SCRIPT, &base)
        .ok()
        .map(|url| url.href())
}

/// Why the export failed, as the user reads it.
fn not_started() -> String {
    format!("The export could not start: its worker ({WORKER_SCRIPT}) did not load. Reload the page and try again; if it persists, check that every file of the app is served.")
}

/// The worker's answer: the zip's bytes, or why a file could not be archived, or that it could not load.
fn answer_of(data: &JsValue) -> Result<Vec<u8>, String> {
    let field = |name: &str| Reflect::get(data, &JsValue::from_str(name)).unwrap_or_default();
    let zip = field("zip");
    if zip.is_instance_of::<Uint8Array>() {
        return Ok(Uint8Array::new(&zip).to_vec());
    }
    match field("problem").as_string() {
        Some(problem) => Err(format!(
            "The project could not be exported ({problem}); nothing was downloaded."
        )),
        None => Err(not_started()),
    }
}

/// `files` as a `.zip`, written by the export worker, which is started for this export and ended after it.
pub async fn zip_in_worker(files: &ProjectFiles) -> Result<Vec<u8>, String> {
    let url = worker_url().ok_or_else(not_started)?;
    let worker = Worker::new(&url).map_err(|_| not_started())?;
    let (sender, receiver) = oneshot::channel();
    let sender = Rc::new(RefCell::new(Some(sender)));
    let answer = move |result: Result<Vec<u8>, String>| {
        if let Some(sender) = sender.borrow_mut().take() {
            let _ = sender.send(result);
        }
    };
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new({
        let answer = answer.clone();
        move |event: MessageEvent| answer(answer_of(&event.data()))
    });
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| answer(Err(not_started())));
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));

    let paths: Array = files.keys().map(|path| JsValue::from_str(path)).collect();
    let contents: Array = files
        .values()
        .map(|bytes| JsValue::from(Uint8Array::from(bytes.as_slice())))
        .collect();
    let buffers: Array = contents
        .iter()
        .map(|content| JsValue::from(Uint8Array::new(&content).buffer()))
        .collect();
    let message = Object::new();
    let _ = Reflect::set(&message, &JsValue::from_str("paths"), &paths);
    let _ = Reflect::set(&message, &JsValue::from_str("contents"), &contents);
    let result = match worker.post_message_with_transfer(&message, &buffers) {
        Ok(()) => receiver.await.unwrap_or_else(|_| Err(not_started())),
        Err(_) => Err(not_started()),
    };
    worker.terminate();
    drop((on_message, on_error));
    result
}
