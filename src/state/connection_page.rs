//! State of a project's Bitbucket page: the saved connection, and whether it is being edited or reset.

use std::rc::Rc;

use yew::prelude::*;

use crate::services::connection_store::ConnectionRecord;

/// What the Bitbucket page shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageState {
    /// The saved connection, if any.
    pub saved: Option<ConnectionRecord>,
    /// Whether this browser session holds the token.
    pub has_token: bool,
    /// The saved connection is open in the form.
    pub editing: bool,
    /// The Reset confirmation is open.
    pub confirming_reset: bool,
    /// Why the last save failed, if it did.
    pub save_error: Option<String>,
}

/// What can happen on the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageAction {
    /// A connection was saved (created or edited).
    Saved(Box<ConnectionRecord>),
    /// The browser refused to store the connection.
    SaveFailed(String),
    /// Open the saved connection in the form.
    Edit,
    /// Leave the form without saving.
    CancelEdit,
    /// Reset was pressed: ask first.
    AskReset,
    /// The user kept the configuration.
    CancelReset,
    /// The configuration was removed.
    Cleared,
}

impl PageState {
    /// The page as loaded from storage.
    pub fn loaded(saved: Option<ConnectionRecord>, has_token: bool) -> Self {
        PageState {
            saved,
            has_token,
            ..PageState::default()
        }
    }

    /// Whether the form is shown (no connection yet, or editing).
    pub fn shows_form(&self) -> bool {
        self.saved.is_none() || self.editing
    }
}

impl Reducible for PageState {
    type Action = PageAction;

    fn reduce(self: Rc<Self>, action: PageAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            PageAction::Saved(record) => {
                next.saved = Some(*record);
                next.has_token = true;
                next.editing = false;
                next.save_error = None;
            }
            PageAction::SaveFailed(message) => next.save_error = Some(message),
            PageAction::Edit => next.editing = true,
            PageAction::CancelEdit => next.editing = false,
            PageAction::AskReset => next.confirming_reset = true,
            PageAction::CancelReset => next.confirming_reset = false,
            PageAction::Cleared => next = PageState::default(),
        }
        Rc::new(next)
    }
}
