//! The Bitbucket connection form: Connection Name, Access Token (+ PAT), Repository URL, Username.

use versioning_core::Field;
use web_sys::HtmlElement;
use yew::prelude::*;

use crate::components::field::TextField;
use crate::state::connection_form::{Action, FormState};

/// Props of [`ConnectionFormView`].
#[derive(Properties, PartialEq)]
pub struct ConnectionFormProps {
    /// The form's state, owned by the page.
    pub state: UseReducerHandle<FormState>,
    /// Label of the submit button (**Create**, or **Save** when editing).
    #[prop_or(AttrValue::Static("Create"))]
    pub submit_label: AttrValue,
    /// Whether a submission is running (the button says so; it is never disabled).
    #[prop_or_default]
    pub busy: bool,
    /// Cancel the running connection test (shown while `busy`).
    pub on_cancel_test: Callback<()>,
    /// Create was pressed and every field is valid.
    pub on_submit: Callback<()>,
    /// Reset was pressed.
    pub on_reset: Callback<()>,
    /// Shown when editing: leave without saving.
    #[prop_or_default]
    pub on_cancel: Option<Callback<()>>,
}

fn helper_token() -> Html {
    html! {
        <>
            <p>{ "Bitbucket Cloud: create an " }<strong>{ "API token with scopes" }</strong>
               { " at id.atlassian.com → Security → API tokens, app Bitbucket, with the scopes " }
               <code>{ "read:user:bitbucket" }</code>{ ", " }<code>{ "read:repository:bitbucket" }</code>
               { " and " }<code>{ "write:repository:bitbucket" }</code>
               { ". It signs in with your Atlassian account " }<strong>{ "email" }</strong>{ " as Username." }</p>
            <p>{ "Repository, project or workspace access tokens (Cloud), and project or repository access tokens (Data Center): tick " }
               <strong>{ "Personal access token (PAT)" }</strong>{ " so the token is sent as a Bearer token." }</p>
            <p>{ "Your own HTTP access token (Data Center): leave PAT unticked and enter your username, so that pushing can be checked." }</p>
        </>
    }
}

fn helper_url() -> Html {
    html! {
        <>
            <p>{ "In Bitbucket open the repository, choose " }<strong>{ "Clone" }</strong>
               { ", pick HTTPS and copy the URL without the leading " }<code>{ "git clone" }</code>
               { ". The repository's browse URL and its SSH URL work too." }</p>
            <p>{ "A user name or password inside the URL (such as " }<code>{ "x-token-auth:…@" }</code>
               { ") is removed and never stored: only the URL without it is saved." }</p>
        </>
    }
}

fn helper_username() -> Html {
    html! {
        <p>{ "Cloud API token: your Atlassian account email. Access token (PAT): your Bitbucket username, \
              shown under Personal settings → Account settings (Cloud) or Manage account (Data Center). \
              Data Center token without PAT: your Data Center username." }</p>
    }
}

/// The connection form. It validates on leaving a field and on submit, and focuses the first invalid field.
#[component]
pub fn ConnectionFormView(props: &ConnectionFormProps) -> Html {
    let state = props.state.clone();
    let refs: Vec<(Field, NodeRef)> = Field::ALL
        .iter()
        .map(|f| (*f, NodeRef::default()))
        .collect();
    let node_ref = |field: Field| {
        refs.iter()
            .find(|(f, _)| *f == field)
            .map(|(_, r)| r.clone())
            .unwrap_or_default()
    };
    let pending_focus = use_mut_ref(|| false);
    {
        let pending_focus = pending_focus.clone();
        let refs = refs.clone();
        let errors = state.errors.clone();
        use_effect(move || {
            if std::mem::take(&mut *pending_focus.borrow_mut()) {
                let first = refs.iter().find(|(field, _)| errors.contains_key(field));
                if let Some(element) = first.and_then(|(_, r)| r.cast::<HtmlElement>()) {
                    let _ = element.focus();
                }
            }
        });
    }
    let onsubmit = {
        let state = state.clone();
        let on_submit = props.on_submit.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            state.dispatch(Action::Submit);
            if state.connection().is_some() {
                on_submit.emit(());
            } else {
                *pending_focus.borrow_mut() = true;
            }
        })
    };
    let text_field = |field: Field,
                      id: &'static str,
                      input_type: &'static str,
                      autocomplete: &'static str,
                      helper: Html,
                      trailing: Html| {
        let secret = field == Field::Token;
        let value = match field {
            Field::Name => state.form.name.clone(),
            Field::Token => state.form.token.clone(),
            Field::RepositoryUrl => state.form.repository_url.clone(),
            Field::Username => state.form.username.clone(),
            Field::ApiBaseUrl => state.form.api_base_url.clone(),
        };
        let confirmation = (field == Field::RepositoryUrl && !state.errors.contains_key(&field))
            .then(|| state.preview.clone())
            .flatten();
        html! {
            <TextField
                id={id}
                label={field.label()}
                value={value}
                {input_type}
                {autocomplete}
                {secret}
                required={field != Field::ApiBaseUrl}
                {helper}
                error={state.errors.get(&field).map(ToString::to_string)}
                warning={state.warnings.get(&field).cloned()}
                {confirmation}
                {trailing}
                input_ref={node_ref(field)}
                on_input={Callback::from(state.dispatcher()).reform(move |value| Action::Edit(field, value))}
                on_leave={Callback::from(state.dispatcher()).reform(move |_| Action::Leave(field))}
            />
        }
    };
    let toggle = {
        let label = if state.show_token { "Hide" } else { "Show" };
        html! {
            <button type="button" class="button subtle toggle" aria-controls="token"
                    aria-pressed={if state.show_token { "true" } else { "false" }}
                    aria-label={format!("{label} token")}
                    onclick={Callback::from(state.dispatcher()).reform(|_| Action::ToggleTokenVisibility)}>
                { label }
            </button>
        }
    };
    let on_pat = Callback::from(state.dispatcher()).reform(|event: Event| {
        Action::SetPat(
            event
                .target_unchecked_into::<web_sys::HtmlInputElement>()
                .checked(),
        )
    });
    let token_type = if state.show_token { "text" } else { "password" };
    html! {
        // `method="post"` and nameless controls: even if the submit handler failed and the browser
        // submitted the form itself, no value (the token least of all) could reach a URL or a request.
        <form class="card form" method="post" novalidate=true aria-labelledby="form-title" {onsubmit}>
            <h2 id="form-title">{ "Connection" }</h2>
            <p class="legend">{ "Required fields are marked with an asterisk " }<span class="required">{ "*" }</span></p>
            { text_field(Field::Name, "name", "text", "off", html! {
                <p>{ "A name to recognise this connection: up to 50 letters, digits, spaces, \"-\", \"_\" or \".\"." }</p>
            }, html! {}) }
            { text_field(Field::Token, "token", token_type, "new-password", helper_token(), toggle) }
            <div class="field checkbox">
                <input id="pat" type="checkbox" checked={state.form.pat}
                       aria-describedby="pat-helper" onchange={on_pat} />
                <label for="pat">{ "Personal access token (PAT)" }</label>
                <div id="pat-helper" class="helper">
                    <p>{ "Ticked: the token is sent as " }<code>{ "Authorization: Bearer" }</code>
                       { ". Unticked: it is sent with the Username (Basic authentication)." }</p>
                </div>
            </div>
            { text_field(Field::RepositoryUrl, "repository-url", "url", "url", helper_url(), html! {}) }
            { text_field(Field::Username, "username", "text", "username", helper_username(), html! {}) }
            <details class="advanced" open={!state.form.api_base_url.is_empty()}>
                <summary>{ "Advanced" }</summary>
                { text_field(Field::ApiBaseUrl, "api-base-url", "url", "off", html! {
                    <p>{ "Optional. The REST API address when it differs from the repository's host, e.g. a \
                          corporate proxy or a CORS relay in front of Data Center: https://proxy.example.com/bitbucket/rest" }</p>
                }, html! {}) }
            </details>
            <div class="actions">
                <button type="submit" class="button primary">
                    { if props.busy { "Testing connection…" } else { props.submit_label.as_str() } }
                </button>
                if props.busy {
                    <button type="button" class="button subtle" onclick={props.on_cancel_test.reform(|_| ())}>{ "Cancel test" }</button>
                }
                <button type="button" class="button subtle" onclick={props.on_reset.reform(|_| ())}>{ "Reset" }</button>
                if let Some(on_cancel) = &props.on_cancel {
                    <button type="button" class="button link" onclick={on_cancel.reform(|_| ())}>{ "Cancel" }</button>
                }
            </div>
        </form>
    }
}
