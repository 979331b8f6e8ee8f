//! The build of the app with the explorer. The first module a page loads has no Test artifacts explorer (about
//! a quarter of the app); when the explorer is first opened, `bitbucket-versioning.js` loads the build that
//! has it and runs it in place of the first one, at the same view.

use wasm_bindgen::JsValue;

use crate::services::portal_object::{MissingMethod, PortalObject, Thrown};

/// Why the build with the explorer could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    /// This page was started without the loader.
    #[error("this page was started without it")]
    NoLoader,
    /// The loader failed: its message.
    #[error(transparent)]
    Failed(#[from] Thrown),
}

/// The loader of the build with the explorer, given by `bitbucket-versioning.js` as `{ open(path), cancel() }`.
#[derive(Clone)]
pub struct ExplorerBuild(std::rc::Rc<PortalObject>);

impl PartialEq for ExplorerBuild {
    fn eq(&self, other: &Self) -> bool {
        std::rc::Rc::ptr_eq(&self.0, &other.0)
    }
}

impl ExplorerBuild {
    /// Wraps the loader; refused when it has no `open` or `cancel` function.
    pub fn new(loader: JsValue) -> Result<Self, MissingMethod> {
        PortalObject::new(loader, "explorer loader", &["open", "cancel"])
            .map(|object| Self(object.into()))
    }

    /// Replaces this app by the build with the explorer, at `path` (a view such as `/projects/p1/artifacts`).
    /// It answers once the app is replaced (it is gone then) or the move given up, or with what went wrong.
    pub async fn open(&self, path: &str) -> Result<(), OpenError> {
        self.0
            .call("open", &[JsValue::from_str(path)])
            .await
            .map(drop)
            .map_err(OpenError::from)
    }

    /// Gives up the last `open` that has not replaced the app yet (the user left the explorer's page): the app
    /// stays as it is.
    pub fn cancel(&self) {
        // The loader's `cancel` only forgets the request; it has nothing to report.
        let _ = self.0.call_now("cancel", &[]);
    }
}
