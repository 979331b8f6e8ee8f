//! The Test artifacts page of the first module, which has no explorer: it has the build with the explorer
//! loaded and run in its place, at the same view (see `services::explorer_build`).

use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::status::{error_banner, loading_status};
use crate::services::explorer_build::{ExplorerBuild, OpenError};
use crate::services::portal_events::FailedActivity;
use crate::state::events::use_error_event;

/// The project whose Test artifacts page this is.
#[derive(Properties, PartialEq)]
pub struct ExplorerLoadingProps {
    /// Project id.
    pub id: AttrValue,
}

/// "Loading the test artifacts explorer…" until the build with the explorer replaces the app, or what
/// went wrong (also told to the host page as an error event). Leaving the page gives the move up.
#[component]
pub fn ExplorerLoadingPage(props: &ExplorerLoadingProps) -> Html {
    let build = use_context::<Option<ExplorerBuild>>().flatten();
    let path = use_location().map(|location| location.path().to_owned());
    let failed = use_state(|| None::<OpenError>);
    use_error_event(
        &props.id,
        FailedActivity::Artifacts,
        failed.as_ref().map(ToString::to_string),
    );
    {
        let failed = failed.clone();
        use_effect_with(path, move |path| {
            let path = path.clone().unwrap_or_default();
            let loader = build.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let outcome = match loader {
                    Some(loader) => loader.open(&path).await,
                    None => Err(OpenError::NoLoader),
                };
                if let Err(error) = outcome {
                    failed.set(Some(error));
                }
            });
            move || {
                if let Some(build) = build {
                    build.cancel();
                }
            }
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
