//! The hooks through which views tell the host page what happened (see [`PortalEvent`]).

use yew::prelude::*;

use crate::services::portal_events::{Events, FailedActivity, PortalEvent};

/// Tells the host page of the error a view shows for `project` while doing `activity`, each time it shows a
/// new one (`error` turning from `None` or another message to a message).
#[hook]
pub fn use_error_event(project: &str, activity: FailedActivity, error: Option<String>) {
    let events = use_events();
    let project = project.to_owned();
    use_effect_with(error, move |error| {
        if let Some(message) = error {
            events.emit(PortalEvent::Error {
                project,
                activity,
                message: message.clone(),
            });
        }
    });
}

/// The app's events; a sink that drops them outside an [`App`](crate::app::App).
#[hook]
pub fn use_events() -> Events {
    use_context::<Events>().unwrap_or_default()
}
