//! State of the pull dialog: the source, the preview with its resolutions, and the result.

use std::collections::BTreeMap;
use std::rc::Rc;

use versioning_core::artifacts::ArtifactKey;
use versioning_core::sync::{Progress, PullCounts, PullPreview, PullSource, Resolution};
use yew::prelude::*;

use crate::services::project_record::StoredProject;
use crate::services::sync::error::SyncJobError;
use crate::services::sync::pull::RestoreChanges;

/// What kind of thing to pull.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PullWhat {
    /// A branch's tip.
    #[default]
    Branch,
    /// A version (a tag).
    Version,
    /// A commit.
    Commit,
}

impl PullWhat {
    /// Every kind, in the order the form offers them.
    pub const ALL: [PullWhat; 3] = [PullWhat::Branch, PullWhat::Version, PullWhat::Commit];

    /// The value of the form's option.
    pub fn value(self) -> &'static str {
        match self {
            PullWhat::Branch => "branch",
            PullWhat::Version => "version",
            PullWhat::Commit => "commit",
        }
    }

    /// The kind an option's value names; a branch for any other value.
    pub fn from_value(value: &str) -> PullWhat {
        PullWhat::ALL
            .into_iter()
            .find(|what| what.value() == value)
            .unwrap_or_default()
    }

    /// What the form's option says.
    pub fn option_label(self) -> &'static str {
        match self {
            PullWhat::Branch => "A branch",
            PullWhat::Version => "A version (tag)",
            PullWhat::Commit => "A commit",
        }
    }

    /// The label of the name's field.
    pub fn name_label(self) -> &'static str {
        match self {
            PullWhat::Branch => "Branch",
            PullWhat::Version => "Version name",
            PullWhat::Commit => "Commit hash",
        }
    }
}

/// What to pull, as the form holds it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PullForm {
    /// What kind of thing `name` is.
    pub what: PullWhat,
    /// The branch, version or commit.
    pub name: String,
    /// Make the project exactly this version instead of pulling into it.
    pub restore: bool,
}

impl PullForm {
    /// What the form asks to pull.
    pub fn source(&self) -> PullSource {
        let name = self.name.trim().to_owned();
        match self.what {
            PullWhat::Version => PullSource::Tag(name),
            PullWhat::Commit => PullSource::Commit(name),
            PullWhat::Branch => PullSource::Branch(name),
        }
    }
}

/// Where the dialog stands.
#[derive(Debug, Clone, Default)]
pub enum PullStage {
    /// Choosing what to pull.
    #[default]
    Form,
    /// Reading the repository.
    Planning,
    /// Showing what the pull changes; conflicts are settled here.
    Preview(Rc<PullPreview>),
    /// Applied (or restored).
    Done(PullCounts, String),
}

/// The dialog's state.
#[derive(Debug, Clone, Default)]
pub struct PullState {
    /// The stage.
    pub stage: PullStage,
    /// Progress of the reading.
    pub progress: Progress,
    /// The stored project the preview compared with: Apply changes exactly this record, and its save
    /// is refused when another tab saved the project since.
    pub loaded: Option<Rc<StoredProject>>,
    /// The user's choice per conflict.
    pub resolutions: BTreeMap<ArtifactKey, Resolution>,
    /// Apply the valid artifacts even when some files cannot be read.
    pub include_invalid: bool,
    /// Why the last step failed, if it did.
    pub error: Option<SyncJobError>,
    /// A restore into this project: the artifact files it changes here, and how many stay the same.
    pub restore_changes: Option<Rc<RestoreChanges>>,
}

/// What happens in the dialog.
#[derive(Debug, Clone)]
pub enum PullAction {
    /// Reading started.
    Planning,
    /// Progress of the reading.
    Progress(Progress),
    /// The preview is ready, made against this stored project (with what a restore changes in it).
    Previewed(
        Rc<PullPreview>,
        Rc<StoredProject>,
        Option<Rc<RestoreChanges>>,
    ),
    /// A conflict was settled.
    Resolve(ArtifactKey, Resolution),
    /// Apply invalid files or not.
    IncludeInvalid(bool),
    /// Applied, with its counts and a sentence for the user.
    Applied(PullCounts, String),
    /// A step failed (nothing local changed).
    Failed(SyncJobError),
    /// Back to the form (also after Cancel).
    Edit,
}

impl PullState {
    /// Whether the repository is being read.
    pub fn is_busy(&self) -> bool {
        matches!(self.stage, PullStage::Planning)
    }
}

impl Reducible for PullState {
    type Action = PullAction;

    fn reduce(self: Rc<Self>, action: PullAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            PullAction::Planning => {
                next = PullState {
                    stage: PullStage::Planning,
                    ..PullState::default()
                }
            }
            PullAction::Progress(progress) => next.progress = progress,
            PullAction::Previewed(preview, loaded, restore_changes) => {
                next.stage = PullStage::Preview(preview);
                next.loaded = Some(loaded);
                next.restore_changes = restore_changes;
            }
            PullAction::Resolve(key, resolution) => {
                next.resolutions.insert(key, resolution);
            }
            PullAction::IncludeInvalid(include) => next.include_invalid = include,
            PullAction::Applied(counts, message) => next.stage = PullStage::Done(counts, message),
            PullAction::Failed(error) => {
                if matches!(next.stage, PullStage::Planning) {
                    next.stage = PullStage::Form;
                }
                next.error = Some(error);
            }
            PullAction::Edit => {
                next.stage = PullStage::Form;
                next.error = None;
            }
        }
        Rc::new(next)
    }
}
