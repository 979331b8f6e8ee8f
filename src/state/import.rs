//! State of a project import from a `.zip`.

use std::rc::Rc;

use versioning_core::artifacts::Project;
use yew::prelude::*;

use versioning_core::artifacts::archive::FileProblem;
use versioning_core::counts::counted;

use crate::services::project_import::ImportError;

/// Where an import stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ImportState {
    /// Nothing chosen yet, or the last import was cancelled.
    #[default]
    Idle,
    /// Reading and checking the chosen file.
    Reading(String),
    /// The file is not a valid project: every problem, file by file.
    Invalid {
        /// The chosen file's name.
        file: String,
        /// What is wrong.
        problems: Vec<FileProblem>,
    },
    /// A project with the same id exists: the user decides.
    ConfirmReplace(Rc<Project>),
    /// Saved in the store.
    Imported {
        /// Its id.
        id: String,
        /// Its name.
        name: String,
    },
    /// The file or the store failed; its `Display` says what to do.
    Failed(ImportError),
}

impl ImportState {
    /// The error the import shows, in one line, when it shows one.
    pub fn error(&self) -> Option<String> {
        match self {
            ImportState::Invalid { file, problems } => Some(format!(
                "{file} is not a valid project: {}. Nothing was imported.",
                counted(problems.len(), "problem", "problems")
            )),
            ImportState::Failed(error) => Some(error.to_string()),
            _ => None,
        }
    }
}

/// What can happen during an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportAction {
    /// A file was chosen.
    Reading(String),
    /// The file is not a valid project.
    Invalid(String, Vec<FileProblem>),
    /// The project's id is taken: ask before replacing.
    AskReplace(Rc<Project>),
    /// The project is saved.
    Imported(Rc<Project>),
    /// Reading the file or saving failed.
    Failed(ImportError),
    /// The user kept the existing project.
    Cancel,
}

impl Reducible for ImportState {
    type Action = ImportAction;

    fn reduce(self: Rc<Self>, action: ImportAction) -> Rc<Self> {
        Rc::new(match action {
            ImportAction::Reading(file) => ImportState::Reading(file),
            ImportAction::Invalid(file, problems) => ImportState::Invalid { file, problems },
            ImportAction::AskReplace(project) => ImportState::ConfirmReplace(project),
            ImportAction::Imported(project) => ImportState::Imported {
                id: project.id.to_string(),
                name: project.name.clone(),
            },
            ImportAction::Failed(error) => ImportState::Failed(error),
            ImportAction::Cancel => ImportState::Idle,
        })
    }
}
