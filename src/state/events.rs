//! What the app tells its host page: a connection created or reset, a push done, a pull applied, a write
//! its storage refused. An
//! embedding portal hears them as DOM events on the element it mounted the app in; standalone, nobody
//! listens.

use serde::Serialize;
use yew::prelude::*;

/// Something the host page may want to know; serialised as its fields alone (the DOM event's `detail`),
/// the kind being the event's type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum PortalEvent {
    /// A connection passed its test and was saved.
    ConnectionCreated {
        /// The project's id.
        project: String,
        /// The repository URL (never with credentials).
        repository: String,
    },
    /// A project's connection was removed.
    ConnectionReset {
        /// The project's id.
        project: String,
    },
    /// A push landed in Bitbucket.
    PushDone {
        /// The project's id.
        project: String,
        /// The branch pushed to.
        branch: String,
        /// The commits made, oldest first.
        commits: Vec<String>,
    },
    /// A pull (or a restore) was applied to the project.
    PullApplied {
        /// The project's id.
        project: String,
        /// What the user was told.
        summary: String,
    },
    /// The portal's storage refused to write a connection (see `PortalConnectionStore`).
    StorageFailed {
        /// The project's id.
        project: String,
        /// What the storage said.
        message: String,
    },
}

impl PortalEvent {
    /// The DOM event's type: `bitbucket-versioning:` and the kind, e.g. `bitbucket-versioning:push-done`.
    pub fn dom_type(&self) -> &'static str {
        match self {
            PortalEvent::ConnectionCreated { .. } => "bitbucket-versioning:connection-created",
            PortalEvent::ConnectionReset { .. } => "bitbucket-versioning:connection-reset",
            PortalEvent::PushDone { .. } => "bitbucket-versioning:push-done",
            PortalEvent::PullApplied { .. } => "bitbucket-versioning:pull-applied",
            PortalEvent::StorageFailed { .. } => "bitbucket-versioning:storage-failed",
        }
    }
}

/// Where the app's events go; nowhere by default.
#[derive(Clone, PartialEq, Default)]
pub struct Events(pub Callback<PortalEvent>);

impl Events {
    /// Tells the host page.
    pub fn emit(&self, event: PortalEvent) {
        self.0.emit(event);
    }
}

/// The app's events; a sink that drops them outside an [`App`](crate::app::App).
#[hook]
pub fn use_events() -> Events {
    use_context::<Events>().unwrap_or_default()
}
