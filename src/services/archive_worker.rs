//! `.zip` reading and writing, in a Web Worker with a WebAssembly module of its own (`crates/zip-worker`):
//! it is downloaded only when a user exports or imports a project, or a Data Center pull reads an archive,
//! and it works off the page's thread.

use std::cell::RefCell;
use std::rc::Rc;

use futures::channel::oneshot;
use js_sys::{Array, Object, Reflect, Uint8Array};
use versioning_core::artifacts::archive::FileProblem;
use versioning_core::artifacts::ProjectFiles;
use versioning_core::counts::counted;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MessageEvent, Url, Worker};

/// The worker's script, beside the app's other files.
const WORKER_SCRIPT: &str = "archive-worker.js";

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

/// Why the worker did not do its work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArchiveError {
    /// The worker or its WebAssembly did not load.
    Unavailable,
    /// A file cannot be archived (its path and why).
    Unwritable(String),
    /// The archive cannot be read: every problem, file by file.
    Unreadable(Vec<FileProblem>),
}

/// What the user asked of the worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Archiving {
    /// Exporting a project as a `.zip`.
    Export,
    /// Importing a project from a `.zip`.
    Import,
}

impl ArchiveError {
    /// What the user reads when `archiving` failed this way.
    pub fn message(&self, archiving: Archiving) -> String {
        let activity = match archiving {
            Archiving::Export => "export",
            Archiving::Import => "import",
        };
        match self {
            ArchiveError::Unavailable => format!(
                "The {activity} could not start: its worker ({WORKER_SCRIPT}) did not load. Reload the page and \
                 try again; if it persists, check that every file of the app is served."
            ),
            ArchiveError::Unwritable(problem) => {
                format!("The project could not be exported ({problem}); nothing was downloaded.")
            }
            ArchiveError::Unreadable(problems) => format!(
                "The archive could not be read ({}); nothing was imported.",
                counted(problems.len(), "problem", "problems")
            ),
        }
    }
}

/// Where the worker's answer goes: the question waiting for it, or that the worker failed (its script or
/// WebAssembly did not load, or it broke), which may happen before any question is asked.
#[derive(Default)]
enum Answer {
    /// No question waits.
    #[default]
    Idle,
    /// A question waits for this answer.
    Waiting(oneshot::Sender<Option<JsValue>>),
    /// The worker will not answer.
    Failed,
}

impl Answer {
    /// Gives the waiting question `data`, or tells it (and every later one) that the worker failed.
    fn reply(shared: &RefCell<Answer>, data: Option<JsValue>) {
        let next = if data.is_some() {
            Answer::Idle
        } else {
            Answer::Failed
        };
        if let Answer::Waiting(sender) = shared.replace(next) {
            let _ = sender.send(data);
        }
    }
}

/// A started archive worker, which answers one message at a time; ended when dropped: its handlers are
/// removed and it is terminated before their closures are freed, so that no event it still sends (such as
/// the error of a script that did not load) reaches a freed closure.
pub struct ArchiveWorker {
    worker: Worker,
    answer: Rc<RefCell<Answer>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl ArchiveWorker {
    /// Starts the worker (its WebAssembly loads in the background).
    pub fn start() -> Result<Self, ArchiveError> {
        let url = worker_url().ok_or(ArchiveError::Unavailable)?;
        let worker = Worker::new(&url).map_err(|_| ArchiveError::Unavailable)?;
        let answer: Rc<RefCell<Answer>> = Rc::default();
        let reply = {
            let answer = answer.clone();
            move |data: Option<JsValue>| Answer::reply(&answer, data)
        };
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new({
            let reply = reply.clone();
            move |event: MessageEvent| {
                let data = event.data();
                reply((!field(&data, "unavailable").is_truthy()).then_some(data))
            }
        });
        // Handled here (the user is told the worker did not load): not reported as the page's uncaught error.
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            event.prevent_default();
            reply(None)
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(ArchiveWorker {
            worker,
            answer,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// Sends `message` (transferring `transfer`) and waits for the answer.
    async fn ask(&self, message: &Object, transfer: &Array) -> Result<JsValue, ArchiveError> {
        if matches!(*self.answer.borrow(), Answer::Failed) {
            return Err(ArchiveError::Unavailable);
        }
        let (sender, receiver) = oneshot::channel();
        *self.answer.borrow_mut() = Answer::Waiting(sender);
        self.worker
            .post_message_with_transfer(message, transfer)
            .map_err(|_| ArchiveError::Unavailable)?;
        receiver
            .await
            .ok()
            .flatten()
            .ok_or(ArchiveError::Unavailable)
    }

    /// `files` as a `.zip` (see core's `write_zip`).
    pub async fn zip(&self, files: &ProjectFiles) -> Result<Vec<u8>, ArchiveError> {
        let (paths, contents) = to_js(files);
        let transfer = buffers(&contents);
        let request = Object::new();
        set(&request, "paths", &paths);
        set(&request, "contents", &contents);
        let message = Object::new();
        set(&message, "zip", &request);
        let answer = self.ask(&message, &transfer).await?;
        let zip = field(&answer, "zip");
        if zip.is_instance_of::<Uint8Array>() {
            return Ok(Uint8Array::new(&zip).to_vec());
        }
        let problem = field(&answer, "problem").as_string().unwrap_or_default();
        Err(ArchiveError::Unwritable(problem))
    }

    /// The files of a `.zip`. `whole`: every file or every problem (core's `read_zip`); otherwise the
    /// files that could be read (core's `zip_files`).
    pub async fn unzip(&self, zip: &[u8], whole: bool) -> Result<ProjectFiles, ArchiveError> {
        let zip = Uint8Array::from(zip);
        let message = Object::new();
        set(&message, "unzip", &zip);
        set(&message, "whole", &JsValue::from_bool(whole));
        let answer = self.ask(&message, &Array::of1(&zip.buffer())).await?;
        let problems = field(&answer, "problems");
        if problems.is_truthy() {
            let problems = Array::from(&problems)
                .iter()
                .map(|problem| FileProblem {
                    path: field(&problem, "path").as_string().unwrap_or_default(),
                    message: field(&problem, "message").as_string().unwrap_or_default(),
                })
                .collect();
            return Err(ArchiveError::Unreadable(problems));
        }
        let paths = Array::from(&field(&answer, "paths"));
        let contents = Array::from(&field(&answer, "contents"));
        Ok(paths
            .iter()
            .zip(contents.iter())
            .filter_map(|(path, content)| {
                Some((path.as_string()?, Uint8Array::new(&content).to_vec()))
            })
            .collect())
    }
}

impl Drop for ArchiveWorker {
    fn drop(&mut self) {
        // Runs before the closures (fields) are dropped.
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
    }
}

/// The files of each archive that could be read by `worker`, in order; none of an archive without a
/// worker (the pull then reads those files one by one).
pub async fn unpack(worker: Option<&ArchiveWorker>, zips: &[Vec<u8>]) -> Vec<ProjectFiles> {
    let mut unpacked = Vec::with_capacity(zips.len());
    for zip in zips {
        let files = match worker {
            Some(worker) => worker.unzip(zip, false).await.unwrap_or_default(),
            None => ProjectFiles::new(),
        };
        unpacked.push(files);
    }
    unpacked
}

/// The paths and contents of `files`, as JavaScript arrays.
fn to_js(files: &ProjectFiles) -> (Array, Array) {
    let paths = files.keys().map(|path| JsValue::from_str(path)).collect();
    let contents = files
        .values()
        .map(|bytes| JsValue::from(Uint8Array::from(bytes.as_slice())))
        .collect();
    (paths, contents)
}

/// The buffers of `contents`, to transfer them.
fn buffers(contents: &Array) -> Array {
    contents
        .iter()
        .map(|content| JsValue::from(Uint8Array::new(&content).buffer()))
        .collect()
}

fn field(object: &JsValue, name: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(name)).unwrap_or_default()
}

fn set(object: &Object, name: &str, value: &JsValue) {
    let _ = Reflect::set(object, &JsValue::from_str(name), value);
}
