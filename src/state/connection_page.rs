//! State of a project's Bitbucket page: the saved connection, and whether it is being edited or reset.

use std::rc::Rc;

use yew::prelude::*;

use crate::services::connection_store::{ConnectionRecord, ConnectionStoreError};

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
    /// Why the last save or removal was not done, if it was not.
    pub save_error: Option<String>,
    /// Another tab saved or removed this connection since this page loaded it.
    pub changed_elsewhere: bool,
}

/// What can happen on the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageAction {
    /// A connection was saved (created or edited): the record as the store holds it.
    Saved(Box<ConnectionRecord>),
    /// The store did not save the connection.
    SaveFailed(ConnectionStoreError),
    /// Open the saved connection in the form.
    Edit,
    /// Leave the form without saving.
    CancelEdit,
    /// Reset was pressed: ask first.
    AskReset,
    /// The user kept the configuration.
    CancelReset,
    /// The user confirmed Reset: the store is removing the connection.
    Removing,
    /// The configuration was removed.
    Cleared,
    /// The store did not remove the connection; what it holds now.
    RemoveFailed {
        /// Why.
        error: ConnectionStoreError,
        /// The connection the store still holds.
        saved: Option<Box<ConnectionRecord>>,
        /// Whether it still holds the token.
        has_token: bool,
    },
    /// Another tab saved or removed this connection.
    ChangedElsewhere,
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
            PageAction::SaveFailed(error) => {
                next.save_error = Some(format!("The connection was not saved. {error}"));
            }
            PageAction::Edit => next.editing = true,
            PageAction::CancelEdit => next.editing = false,
            PageAction::AskReset => next.confirming_reset = true,
            PageAction::CancelReset | PageAction::Removing => next.confirming_reset = false,
            PageAction::Cleared => next = PageState::default(),
            PageAction::RemoveFailed {
                error,
                saved,
                has_token,
            } => {
                next.saved = saved.map(|saved| *saved);
                next.has_token = has_token;
                next.save_error = Some(format!("The connection was not removed. {error}"));
            }
            PageAction::ChangedElsewhere => next.changed_elsewhere = true,
        }
        Rc::new(next)
    }
}
