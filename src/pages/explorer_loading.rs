//! The Test artifacts page of the first module, which has no explorer: it has the build with the explorer
//! loaded and run in its place, at the same view (see `services::explorer_build`).

use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::status::{error_banner, loading_status};
use crate::services::explorer_build::ExplorerBuild;

/// "Loading the test artifacts explorer…" until the build with the explorer replaces the app, or what
/// went wrong.
#[component]
pub fn ExplorerLoadingPage() -> Html {
    let build = use_context::<Option<ExplorerBuild>>().flatten();
    let path = use_location().map(|location| location.path().to_owned());
    let failed = use_state(|| None::<String>);
    {
        let failed = failed.clone();
        use_effect_with(path, move |path| {
            let path = path.clone().unwrap_or_default();
            wasm_bindgen_futures::spawn_local(async move {
                let outcome = match build {
                    Some(build) => build.open(&path).await,
                    None => Err("this page was started without it".to_owned()),
                };
                if let Err(error) = outcome {
                    failed.set(Some(error));
                }
            });
        });
    }
    match &*failed {
        None => loading_status("the test artifacts explorer"),
        Some(error) => error_banner(&format!(
            "The test artifacts explorer could not be loaded ({error}). Check the network connection, then open \
             the page again."
        )),
    }
}
