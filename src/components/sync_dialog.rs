//! What the push and pull dialogs share: their props, the connection they work with, and small helpers.

use std::rc::Rc;

use versioning_core::bitbucket::TestOutcome;
use versioning_core::ValidConnection;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::services::connection_store::ConnectionRecord;
use crate::services::project_store::{ProjectStore, StoreError};
use crate::services::projects::{load_existing, repository_key, StoredProject};
use crate::state::connections::use_connections;

/// Props of a sync dialog (push or pull).
#[derive(Properties, PartialEq)]
pub struct SyncDialogProps {
    /// The project.
    pub project_id: AttrValue,
    /// The project as the page holds it, when that is what the store keeps: the dialog then does not read
    /// it again (`None`: it reads the store).
    #[prop_or_default]
    pub loaded: Option<Rc<StoredProject>>,
    /// The dialog was closed.
    pub on_close: Callback<()>,
    /// The dialog changed the project's record (content, base, History): here it is as now stored, or
    /// `None` to read it again.
    pub on_changed: Callback<Option<Rc<StoredProject>>>,
}

/// The project a dialog works on: the page's copy when given (see [`SyncDialogProps::loaded`]), else the
/// store's.
pub async fn current_project(
    loaded: Option<Rc<StoredProject>>,
    store: &dyn ProjectStore,
    id: &str,
) -> Result<Rc<StoredProject>, StoreError> {
    match loaded {
        Some(stored) => Ok(stored),
        None => load_existing(store, id).await.map(Rc::new),
    }
}

/// The project's connection as a sync dialog needs it.
#[derive(Clone)]
pub struct SyncConnection {
    /// The saved connection, if any.
    pub record: Rc<Option<ConnectionRecord>>,
    /// The connection with its token, or why a sync cannot start.
    pub connection: Result<ValidConnection, String>,
    /// What the last connection test found (branches, main branch, restrictions).
    pub outcome: Option<TestOutcome>,
}

impl SyncConnection {
    /// The repository's main branch, when the last test found it.
    pub fn main_branch(&self) -> Option<String> {
        self.outcome.as_ref().and_then(|o| o.main_branch.clone())
    }

    /// The branches the last test found.
    pub fn branches(&self) -> Vec<String> {
        self.outcome
            .as_ref()
            .map(|o| o.branches.clone())
            .unwrap_or_default()
    }
}

/// How bases and History name the repository of a connection.
pub fn repository_of(connection: &ValidConnection) -> String {
    repository_key(&connection.api_base_url, &connection.location.full_name())
}

/// The connection of a project, read from the connection store once.
#[hook]
pub fn use_sync_connection(project_id: &str) -> SyncConnection {
    let connections = use_connections();
    let record = use_memo(
        (connections.clone(), project_id.to_owned()),
        |(store, id)| store.load(id),
    );
    let connection = usable_connection(&record, connections.session_token(project_id));
    let outcome = record
        .as_ref()
        .as_ref()
        .and_then(|r| r.last_test.as_ref())
        .map(|t| t.outcome.clone());
    SyncConnection {
        record,
        connection,
        outcome,
    }
}

/// The connection with its token, or why a push or pull cannot start.
fn usable_connection(
    record: &Option<ConnectionRecord>,
    token: Option<String>,
) -> Result<ValidConnection, String> {
    let record = record.as_ref().ok_or(
        "This project has no Bitbucket connection. Create one under Settings → Manage Integration → Versioning → Bitbucket.",
    )?;
    let token = token.ok_or(
        "This browser session has no token for the connection. Open the Bitbucket page, choose Edit and paste the token.",
    )?;
    record.to_form(token).to_connection(&[]).map_err(|_| {
        "The saved connection is not valid any more. Open the Bitbucket page and edit it."
            .to_owned()
    })
}

/// Now, in milliseconds since 1970.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// A callback that sets one field of a form held in a state handle from an event's target.
fn setter<F: Clone + 'static, E: AsRef<web_sys::Event> + 'static, V: 'static>(
    form: &UseStateHandle<F>,
    read: fn(&web_sys::EventTarget) -> V,
    update: fn(&mut F, V),
) -> Callback<E> {
    let form = form.clone();
    Callback::from(move |event: E| {
        let Some(target) = event.as_ref().target() else {
            return;
        };
        let mut next = (*form).clone();
        update(&mut next, read(&target));
        form.set(next);
    })
}

/// Sets a form field from a text input.
pub fn text_setter<F: Clone + 'static>(
    form: &UseStateHandle<F>,
    update: fn(&mut F, String),
) -> Callback<InputEvent> {
    setter(
        form,
        |t| t.unchecked_ref::<HtmlInputElement>().value(),
        update,
    )
}

/// Sets a form field from a checkbox.
pub fn check_setter<F: Clone + 'static>(
    form: &UseStateHandle<F>,
    update: fn(&mut F, bool),
) -> Callback<Event> {
    setter(
        form,
        |t| t.unchecked_ref::<HtmlInputElement>().checked(),
        update,
    )
}

/// Sets a form field from a select.
pub fn select_setter<F: Clone + 'static>(
    form: &UseStateHandle<F>,
    update: fn(&mut F, String),
) -> Callback<Event> {
    setter(
        form,
        |t| t.unchecked_ref::<web_sys::HtmlSelectElement>().value(),
        update,
    )
}
