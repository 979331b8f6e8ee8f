//! State of the pull dialog: the source, the preview with its resolutions, and the result.

use std::collections::BTreeMap;
use std::rc::Rc;

use versioning_core::artifacts::ArtifactKey;

use crate::services::projects::StoredProject;
use versioning_core::sync::{ArtifactChange, Progress, PullCounts, PullPreview, Resolution};
use yew::prelude::*;

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
    pub error: Option<String>,
    /// A restore into this project: the artifact files it changes here, and how many stay the same.
    pub restore_changes: Option<Rc<RestoreChanges>>,
}

/// What a restore changes in the project it is made in (see `PullPreview::restore_changes`).
pub type RestoreChanges = (Vec<ArtifactChange>, usize);

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
    Failed(String),
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
            PullAction::Failed(message) => {
                if matches!(next.stage, PullStage::Planning) {
                    next.stage = PullStage::Form;
                }
                next.error = Some(message);
            }
            PullAction::Edit => {
                next.stage = PullStage::Form;
                next.error = None;
            }
        }
        Rc::new(next)
    }
}
