//! The connection form's state: what was typed, which fields were visited, and what they are told.
//!
//! The token is never shown by `Debug` (of the state, the form or an action). A repository URL pasted
//! with a user name or password loses them when the user leaves the field or submits, and the field then
//! says so.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::rc::Rc;

use versioning_core::connection::{FieldError, Secret, CREDENTIALS_REMOVED};
use versioning_core::repo_url::without_credentials;
use versioning_core::{parse_repository_url, ConnectionForm, Field, ValidConnection};
use yew::prelude::*;

/// State of the connection form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormState {
    /// What the user typed.
    pub form: ConnectionForm,
    /// Fields the user has left at least once (or all of them after Create): their errors are shown.
    pub visited: BTreeSet<Field>,
    /// Errors of the visited fields, as typed reasons (their `Display` is the message).
    pub errors: BTreeMap<Field, FieldError>,
    /// Non-blocking warnings of the visited fields.
    pub warnings: BTreeMap<Field, String>,
    /// Preview of the parsed repository URL.
    pub preview: Option<String>,
    /// Whether the token is shown in clear.
    pub show_token: bool,
    /// Names of the project's other connections.
    pub taken_names: Vec<String>,
    /// A user name or password was removed from the repository URL as typed (reset when it is edited).
    pub credentials_removed: bool,
}

/// What can happen to the form. `Debug` never shows a token being typed.
#[derive(Clone, PartialEq, Eq)]
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

impl fmt::Debug for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Edit(Field::Token, value) => f
                .debug_tuple("Edit")
                .field(&Field::Token)
                .field(&Secret::from(value.as_str()))
                .finish(),
            Action::Edit(field, value) => f.debug_tuple("Edit").field(field).field(value).finish(),
            Action::SetPat(pat) => f.debug_tuple("SetPat").field(pat).finish(),
            Action::Leave(field) => f.debug_tuple("Leave").field(field).finish(),
            Action::Submit => f.write_str("Submit"),
            Action::ToggleTokenVisibility => f.write_str("ToggleTokenVisibility"),
            Action::Load(form) => f.debug_tuple("Load").field(form).finish(),
        }
    }
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
        let url_shown =
            visited(&Field::RepositoryUrl) && !self.errors.contains_key(&Field::RepositoryUrl);
        if self.credentials_removed && url_shown {
            self.warnings
                .insert(Field::RepositoryUrl, CREDENTIALS_REMOVED.to_owned());
        }
        self.preview = report.location.map(|location| location.summary());
        self
    }

    /// Removes a user name or password from the repository URL, remembering that it did.
    fn remove_url_credentials(&mut self) {
        let clean = without_credentials(&self.form.repository_url);
        if clean != self.form.repository_url.trim() {
            // A pasted `git clone` prefix goes too, without a warning.
            self.credentials_removed = parse_repository_url(&self.form.repository_url)
                .map_or(true, |location| location.had_credentials);
            self.form.repository_url = clean;
        }
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
            Action::Edit(field, value) => {
                if field == Field::RepositoryUrl {
                    next.credentials_removed = false;
                }
                set_text(&mut next.form, field, value);
            }
            Action::SetPat(pat) => next.form.pat = pat,
            Action::Leave(field) => {
                next.visited.insert(field);
                if field == Field::RepositoryUrl {
                    next.remove_url_credentials();
                }
            }
            Action::Submit => {
                next.visited.extend(Field::ALL);
                next.remove_url_credentials();
            }
            Action::ToggleTokenVisibility => next.show_token = !next.show_token,
            Action::Load(form) => return Rc::new(FormState::new(form, next.taken_names)),
        }
        Rc::new(next.refreshed())
    }
}
