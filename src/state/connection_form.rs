//! The connection form's state: what was typed, which fields were visited, and what they are told.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use versioning_core::{ConnectionForm, Field, ValidConnection};
use yew::prelude::*;

/// State of the connection form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormState {
    /// What the user typed.
    pub form: ConnectionForm,
    /// Fields the user has left at least once (or all of them after Create): their errors are shown.
    pub visited: BTreeSet<Field>,
    /// Errors of the visited fields.
    pub errors: BTreeMap<Field, String>,
    /// Non-blocking warnings of the visited fields.
    pub warnings: BTreeMap<Field, String>,
    /// Preview of the parsed repository URL.
    pub preview: Option<String>,
    /// Whether the token is shown in clear.
    pub show_token: bool,
    /// Names of the project's other connections.
    pub taken_names: Vec<String>,
}

/// What can happen to the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// A text field changed.
    Edit(Field, String),
    /// The PAT checkbox changed.
    SetPat(bool),
    /// The user left a field.
    Leave(Field),
    /// Create was pressed: every field is checked.
    Submit,
    /// Show or hide the token.
    ToggleTokenVisibility,
    /// Start again from these values (an empty form, or a saved connection being edited).
    Load(ConnectionForm),
}

impl FormState {
    /// A form with these initial values.
    pub fn new(form: ConnectionForm, taken_names: Vec<String>) -> Self {
        FormState {
            form,
            taken_names,
            ..FormState::default()
        }
        .refreshed()
    }

    /// The connection, when every field is valid.
    pub fn connection(&self) -> Option<ValidConnection> {
        self.form.to_connection(&self.taken_names).ok()
    }

    fn refreshed(mut self) -> Self {
        let report = self.form.validate(&self.taken_names);
        let visited = |field: &Field| self.visited.contains(field);
        self.errors = report
            .errors
            .into_iter()
            .filter(|(f, _)| visited(f))
            .collect();
        self.warnings = report
            .warnings
            .into_iter()
            .filter(|(f, _)| visited(f))
            .collect();
        self.preview = report.location.map(|location| location.summary());
        self
    }
}

fn set_text(form: &mut ConnectionForm, field: Field, value: String) {
    match field {
        Field::Name => form.name = value,
        Field::Token => form.token = value,
        Field::RepositoryUrl => form.repository_url = value,
        Field::Username => form.username = value,
        Field::ApiBaseUrl => form.api_base_url = value,
    }
}

impl Reducible for FormState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Edit(field, value) => set_text(&mut next.form, field, value),
            Action::SetPat(pat) => next.form.pat = pat,
            Action::Leave(field) => {
                next.visited.insert(field);
            }
            Action::Submit => next.visited.extend(Field::ALL),
            Action::ToggleTokenVisibility => next.show_token = !next.show_token,
            Action::Load(form) => return Rc::new(FormState::new(form, next.taken_names)),
        }
        Rc::new(next.refreshed())
    }
}
