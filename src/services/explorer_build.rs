//! The build of the app with the explorer. The first module a page loads has no Test artifacts explorer (it
//! is about a third of the app); when the explorer is first opened, `bitbucket-versioning.js` loads the
//! build that has it and runs it in place of the first one, at the same view.

use wasm_bindgen::JsValue;

use crate::services::portal_object::PortalObject;

/// The loader of the build with the explorer, given by `bitbucket-versioning.js` as `{ open(path) }`.
#[derive(Clone)]
pub struct ExplorerBuild(std::rc::Rc<PortalObject>);

impl PartialEq for ExplorerBuild {
    fn eq(&self, other: &Self) -> bool {
        std::rc::Rc::ptr_eq(&self.0, &other.0)
    }
}

impl ExplorerBuild {
    /// Wraps the loader; refused when it has no `open` function.
    pub fn new(loader: JsValue) -> Result<Self, String> {
        PortalObject::new(loader, "explorer loader", &["open"]).map(|object| Self(object.into()))
    }

    /// Replaces this app by the build with the explorer, at `path` (a view such as `/projects/p1/artifacts`).
    /// It answers only when that failed (the app is gone otherwise), with what went wrong.
    pub async fn open(&self, path: &str) -> Result<(), String> {
        self.0
            .call("open", &[JsValue::from_str(path)])
            .await
            .map(drop)
    }
}
