//! A modal confirmation for consequential actions.

use web_sys::HtmlElement;
use yew::prelude::*;

/// Props of [`ConfirmDialog`].
#[derive(Properties, PartialEq)]
pub struct ConfirmDialogProps {
    /// Heading of the dialog.
    pub title: AttrValue,
    /// What will happen.
    pub body: AttrValue,
    /// Label of the confirming button.
    pub confirm_label: AttrValue,
    /// Confirmed.
    pub on_confirm: Callback<()>,
    /// Dismissed.
    pub on_cancel: Callback<()>,
}

/// An `alertdialog` that takes focus on its safe choice (Cancel) and closes on Escape.
#[component]
pub fn ConfirmDialog(props: &ConfirmDialogProps) -> Html {
    let cancel_ref = use_node_ref();
    {
        let cancel_ref = cancel_ref.clone();
        use_effect_with((), move |_| {
            if let Some(button) = cancel_ref.cast::<HtmlElement>() {
                let _ = button.focus();
            }
        });
    }
    let onkeydown = {
        let on_cancel = props.on_cancel.clone();
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Escape" {
                on_cancel.emit(());
            }
        })
    };
    html! {
        <div class="backdrop">
            <div class="dialog" role="alertdialog" aria-modal="true"
                 aria-labelledby="confirm-title" aria-describedby="confirm-body" {onkeydown}>
                <h2 id="confirm-title">{ &props.title }</h2>
                <p id="confirm-body">{ &props.body }</p>
                <div class="actions">
                    <button type="button" class="button danger" onclick={props.on_confirm.reform(|_| ())}>
                        { &props.confirm_label }
                    </button>
                    <button type="button" class="button subtle" ref={cancel_ref}
                            onclick={props.on_cancel.reform(|_| ())}>
                        { "Cancel" }
                    </button>
                </div>
            </div>
        </div>
    }
}
