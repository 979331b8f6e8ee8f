//! A labelled text field with helper, warning and error text under it.
//!
//! Inputs carry no `name` attribute: the app never submits a form to a server, and a nameless control
//! cannot end up in a URL or a request body even if the browser's own submission ran.

use web_sys::HtmlInputElement;

use crate::components::code_text::code_text;
use yew::prelude::*;

/// Props of [`TextField`].
#[derive(Properties, PartialEq)]
pub struct TextFieldProps {
    /// Element id; also the prefix of its message ids.
    pub id: AttrValue,
    /// Visible label.
    pub label: AttrValue,
    /// Current value.
    pub value: AttrValue,
    /// `text`, `password`, `email`, `url`.
    #[prop_or(AttrValue::Static("text"))]
    pub input_type: AttrValue,
    /// The `autocomplete` attribute (ignored for a [`TextFieldProps::secret`] field, which uses
    /// `new-password`).
    #[prop_or(AttrValue::Static("off"))]
    pub autocomplete: AttrValue,
    /// The field holds a secret (a token): `autocomplete="new-password"` and the opt-out attributes of
    /// password managers ([`PASSWORD_MANAGER_OPT_OUT`]), so that none offers to save or fill it.
    #[prop_or_default]
    pub secret: bool,
    /// Whether the field must be filled.
    #[prop_or(true)]
    pub required: bool,
    /// How to fill the field.
    pub helper: Html,
    /// The error to show, if any.
    #[prop_or_default]
    pub error: Option<String>,
    /// A warning to show, if any.
    #[prop_or_default]
    pub warning: Option<String>,
    /// Something confirmed about the value (e.g. the parsed repository).
    #[prop_or_default]
    pub confirmation: Option<String>,
    /// Controls placed right of the input (e.g. a show/hide button).
    #[prop_or_default]
    pub trailing: Html,
    /// Focus handle, so a form can focus its first invalid field.
    #[prop_or_default]
    pub input_ref: NodeRef,
    /// New value as typed.
    pub on_input: Callback<String>,
    /// The user left the field.
    pub on_leave: Callback<()>,
}

/// The attributes that tell password managers to leave a field alone: 1Password, LastPass,
/// Bitwarden, and Dashlane (and others reading `data-form-type`). Browsers' own managers ignore
/// `autocomplete="off"` on password fields but do not offer saved passwords for `new-password`.
pub const PASSWORD_MANAGER_OPT_OUT: [(&str, &str); 4] = [
    ("data-1p-ignore", "true"),
    ("data-lpignore", "true"),
    ("data-bwignore", "true"),
    ("data-form-type", "other"),
];

/// One field of a form, following Atlassian's form conventions: label above, messages below.
#[component]
pub fn TextField(props: &TextFieldProps) -> Html {
    let id = &props.id;
    let helper_id = format!("{id}-helper");
    let message_id = format!("{id}-message");
    let described_by = format!("{helper_id} {message_id}");
    let oninput = props
        .on_input
        .reform(|event: InputEvent| event.target_unchecked_into::<HtmlInputElement>().value());
    let onblur = props.on_leave.reform(|_: FocusEvent| ());
    {
        // `data-1p-ignore` is not a name the `html!` macro accepts, so the opt-out attributes are set
        // on the element; they are set again after every render, before any user input reaches it.
        let input_ref = props.input_ref.clone();
        let secret = props.secret;
        use_effect(move || {
            if let Some(input) = input_ref.cast::<web_sys::Element>() {
                for (name, value) in PASSWORD_MANAGER_OPT_OUT {
                    let _ = if secret {
                        input.set_attribute(name, value)
                    } else {
                        input.remove_attribute(name)
                    };
                }
            }
        });
    }
    let autocomplete = if props.secret {
        AttrValue::Static("new-password")
    } else {
        props.autocomplete.clone()
    };
    let message = match (&props.error, &props.warning, &props.confirmation) {
        (Some(error), _, _) => {
            html! { <p class="message error"><span aria-hidden="true">{ "✕ " }</span>{ code_text(error) }</p> }
        }
        (None, Some(warning), _) => {
            html! { <p class="message warning"><span aria-hidden="true">{ "⚠ " }</span>{ code_text(warning) }</p> }
        }
        (None, None, Some(note)) => {
            html! { <p class="message valid"><span aria-hidden="true">{ "✓ " }</span>{ code_text(note) }</p> }
        }
        _ => html! {},
    };
    html! {
        <div class={classes!("field", props.error.is_some().then_some("has-error"))}>
            <label for={id.clone()}>
                { &props.label }
                if props.required { <span class="required" aria-hidden="true">{ " *" }</span> }
            </label>
            <div class="control">
                <input
                    id={id.clone()}
                    type={props.input_type.clone()}
                    value={props.value.clone()}
                    autocomplete={autocomplete}
                    spellcheck="false"
                    required={props.required}
                    aria-invalid={if props.error.is_some() { "true" } else { "false" }}
                    aria-describedby={described_by}
                    ref={props.input_ref.clone()}
                    {oninput}
                    {onblur}
                />
                { props.trailing.clone() }
            </div>
            <div id={message_id} class="messages" aria-live="polite">{ message }</div>
            <div id={helper_id} class="helper">{ props.helper.clone() }</div>
        </div>
    }
}
