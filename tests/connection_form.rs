//! The connection form in a real browser: its controls, and the inline errors it shows.
#![cfg(target_arch = "wasm32")]

use bitbucket_versioning::components::connection_form::ConnectionFormView;
use bitbucket_versioning::state::connection_form::FormState;
use versioning_core::ConnectionForm;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement};
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

#[component]
fn Harness() -> Html {
    let state = use_reducer(|| FormState::new(ConnectionForm::default(), Vec::new()));
    html! { <ConnectionFormView {state} on_submit={Callback::noop()} on_reset={Callback::noop()} on_cancel_test={Callback::noop()} /> }
}

async fn mount() -> Element {
    let document = gloo_utils_document();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<Harness>::with_root(root.clone()).render();
    yew::scheduler::flush().await;
    root
}

fn gloo_utils_document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn input(root: &Element, id: &str) -> HtmlInputElement {
    root.query_selector(&format!("#{id}"))
        .unwrap()
        .unwrap()
        .unchecked_into()
}

fn message(root: &Element, id: &str) -> String {
    root.query_selector(&format!("#{id}-message"))
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap_or_default()
}

fn label_of(root: &Element, id: &str) -> String {
    root.query_selector(&format!("label[for='{id}']"))
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap_or_default()
}

async fn type_and_leave(field: &HtmlInputElement, text: &str) {
    field.set_value(text);
    field
        .dispatch_event(&web_sys::InputEvent::new("input").unwrap())
        .unwrap();
    yew::scheduler::flush().await;
    field
        .dispatch_event(&web_sys::FocusEvent::new("blur").unwrap())
        .unwrap();
    yew::scheduler::flush().await;
}

#[wasm_bindgen_test]
async fn renders_the_five_controls_with_their_labels() {
    let root = mount().await;
    let expected = [
        ("name", "Connection Name"),
        ("token", "Access Token"),
        ("pat", "Personal access token (PAT)"),
        ("repository-url", "Repository URL"),
        ("username", "Username"),
    ];
    for (id, label) in expected {
        assert!(label_of(&root, id).starts_with(label), "label of #{id}");
    }
    assert_eq!(input(&root, "token").type_(), "password");
    assert_eq!(input(&root, "pat").type_(), "checkbox");
    let buttons: Vec<String> = (0..root.query_selector_all(".actions button").unwrap().length())
        .map(|i| {
            root.query_selector_all(".actions button")
                .unwrap()
                .item(i)
                .unwrap()
                .text_content()
                .unwrap()
        })
        .collect();
    assert_eq!(buttons, ["Create", "Reset"]);
}

#[wasm_bindgen_test]
async fn an_empty_required_field_shows_its_error_when_left() {
    let root = mount().await;
    let name = input(&root, "name");
    assert_eq!(message(&root, "name"), "");
    type_and_leave(&name, "").await;
    assert!(message(&root, "name").contains("Enter a name for this connection"));
    assert_eq!(name.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert!(name
        .get_attribute("aria-describedby")
        .unwrap()
        .contains("name-message"));
}

#[wasm_bindgen_test]
async fn an_invalid_url_shows_what_to_do_and_a_valid_one_a_preview() {
    let root = mount().await;
    let url = input(&root, "repository-url");
    type_and_leave(&url, "http://bitbucket.example.com/scm/qa/suite.git").await;
    assert!(message(&root, "repository-url").contains("Use https://"));
    type_and_leave(&url, "https://bitbucket.org/acme/checkout-tests.git").await;
    assert_eq!(url.get_attribute("aria-invalid").as_deref(), Some("false"));
    assert!(message(&root, "repository-url")
        .contains("Bitbucket Cloud · workspace acme · repository checkout-tests"));
}

#[wasm_bindgen_test]
async fn create_on_an_empty_form_shows_every_error_and_focuses_the_first() {
    let root = mount().await;
    let create: HtmlElement = root
        .query_selector("button[type=submit]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    create.click();
    yew::scheduler::flush().await;
    for id in ["name", "token", "repository-url", "username"] {
        assert!(!message(&root, id).is_empty(), "#{id} has an error");
    }
    let active = gloo_utils_document().active_element().unwrap();
    assert_eq!(active.id(), "name");
}

#[wasm_bindgen_test]
async fn a_cloud_api_token_with_a_username_asks_for_the_email() {
    let root = mount().await;
    type_and_leave(
        &input(&root, "repository-url"),
        "https://bitbucket.org/acme/checkout-tests",
    )
    .await;
    type_and_leave(&input(&root, "username"), "ada").await;
    assert!(message(&root, "username").contains("Atlassian account email"));
}

#[wasm_bindgen_test]
async fn no_control_has_a_name_and_the_form_never_sends_a_get() {
    let root = mount().await;
    let form = root.query_selector("form").unwrap().unwrap();
    assert_eq!(form.get_attribute("method").as_deref(), Some("post"));
    let controls = root
        .query_selector_all("input, select, textarea, button")
        .unwrap();
    assert!(controls.length() >= 6);
    for index in 0..controls.length() {
        let control: Element = controls.item(index).unwrap().unchecked_into();
        assert!(
            control.get_attribute("name").is_none(),
            "#{} has a name",
            control.id()
        );
    }
}

#[wasm_bindgen_test]
async fn password_managers_are_told_to_leave_the_token_alone() {
    let root = mount().await;
    let token = input(&root, "token");
    assert_eq!(
        token.get_attribute("autocomplete").as_deref(),
        Some("new-password")
    );
    for (name, value) in [
        ("data-1p-ignore", "true"),
        ("data-lpignore", "true"),
        ("data-bwignore", "true"),
        ("data-form-type", "other"),
    ] {
        assert_eq!(token.get_attribute(name).as_deref(), Some(value), "{name}");
    }
    // Only the token: the name field keeps its own settings.
    assert!(input(&root, "name")
        .get_attribute("data-lpignore")
        .is_none());
}

#[wasm_bindgen_test]
async fn a_url_with_credentials_is_shown_without_them_after_leaving_it() {
    let root = mount().await;
    let url = input(&root, "repository-url");
    type_and_leave(
        &url,
        "https://x-token-auth:ATCTT-secret@bitbucket.org/acme/checkout-tests.git",
    )
    .await;
    assert_eq!(url.value(), "https://bitbucket.org/acme/checkout-tests.git");
    let note = message(&root, "repository-url");
    assert!(
        note.contains("removed") && note.contains("not stored"),
        "{note}"
    );
}
