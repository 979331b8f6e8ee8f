//! What the app tells its host page: a connection created or reset, a push done, a pull applied, a write
//! its storage refused, an error shown to the user. An
//! embedding portal hears them as DOM events on the element it mounted the app in; standalone, nobody
//! listens. Their texts are plain: the names the app shows as code come without backticks.

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
    /// The user was shown an error.
    Error {
        /// The project's id; empty for an import, whose project is not known before its archive is read.
        project: String,
        /// What failed.
        activity: FailedActivity,
        /// What the user was told.
        message: String,
    },
}

/// What the user was doing when an error was shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailedActivity {
    /// Testing a connection (Create).
    ConnectionTest,
    /// Saving a tested connection.
    ConnectionSave,
    /// Previewing or sending a push.
    Push,
    /// Previewing or applying a pull.
    Pull,
    /// Reading or saving the project's test artifacts.
    Artifacts,
    /// Exporting the project as a `.zip`.
    Export,
    /// Importing a project from a `.zip`.
    Import,
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
            PortalEvent::Error { .. } => "bitbucket-versioning:error",
        }
    }

    /// The event with its texts as plain text (see [`plain_text`]).
    fn plain(self) -> Self {
        match self {
            PortalEvent::PullApplied { project, summary } => PortalEvent::PullApplied {
                project,
                summary: plain_text(&summary),
            },
            PortalEvent::StorageFailed { project, message } => PortalEvent::StorageFailed {
                project,
                message: plain_text(&message),
            },
            PortalEvent::Error {
                project,
                activity,
                message,
            } => PortalEvent::Error {
                project,
                activity,
                message: plain_text(&message),
            },
            other => other,
        }
    }
}

/// Where the app's events go; nowhere by default.
#[derive(Clone, PartialEq, Default)]
pub struct Events(pub Callback<PortalEvent>);

impl Events {
    /// Tells the host page, in plain text.
    pub fn emit(&self, event: PortalEvent) {
        self.0.emit(event.plain());
    }
}

/// `text` without the backticks around names, where nothing can be shown as code (what the host page is
/// told: it shows the text as it comes).
pub fn plain_text(text: &str) -> String {
    text.replace('`', "")
}
