//! What the push and pull dialogs share: their props and the setters of their forms' fields.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::services::project_record::StoredProject;

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
