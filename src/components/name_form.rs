//! A one-field form that asks for a name: new suites, scenarios and test cases, and renames.

use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Props of [`NameForm`].
#[derive(Properties, PartialEq)]
pub struct NameFormProps {
    /// Id of the input.
    pub id: AttrValue,
    /// Visible label of the input.
    pub label: AttrValue,
    /// Text of the submit button.
    pub button: AttrValue,
    /// The value to start from (the current name for a rename).
    #[prop_or_default]
    pub initial: AttrValue,
    /// Submitted with the typed name; the form empties itself unless it started from a value.
    pub on_submit: Callback<String>,
    /// Whether the button is disabled (what it would change is not ready yet).
    #[prop_or_default]
    pub disabled: bool,
}

/// A label, a text input and a submit button in one row.
#[component]
pub fn NameForm(props: &NameFormProps) -> Html {
    let input_ref = use_node_ref();
    {
        let input_ref = input_ref.clone();
        use_effect_with(props.initial.clone(), move |initial| {
            if let Some(input) = input_ref.cast::<HtmlInputElement>() {
                input.set_value(initial);
            }
        });
    }
    let onsubmit = {
        let (input_ref, on_submit, initial) = (
            input_ref.clone(),
            props.on_submit.clone(),
            props.initial.clone(),
        );
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let Some(input) = input_ref.cast::<HtmlInputElement>() else {
                return;
            };
            on_submit.emit(input.value());
            if initial.is_empty() {
                input.set_value("");
            }
        })
    };
    html! {
        <form class="name-form" {onsubmit}>
            <label for={props.id.clone()}>{ &props.label }</label>
            <div class="control">
                <input id={props.id.clone()} type="text" autocomplete="off" required=true ref={input_ref} />
                <button type="submit" class="button subtle" disabled={props.disabled}>{ &props.button }</button>
            </div>
        </form>
    }
}
