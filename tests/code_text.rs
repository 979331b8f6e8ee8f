//! Messages that name a branch, a version or a project in backticks show the name as code, without the
//! backticks, in a real browser.
#![cfg(target_arch = "wasm32")]

use bitbucket_versioning::components::code_text::plain_text;
use bitbucket_versioning::components::status::error_banner;
use wasm_bindgen_test::*;
use web_sys::Element;
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Core's refusal of a Quality Engineer's push to the main branch.
const REFUSAL: &str =
    "Quality Engineers cannot push to the main branch `main`. Push to `release/v1.0` instead.";

#[component]
fn Banner() -> Html {
    error_banner(REFUSAL)
}

#[wasm_bindgen_test]
async fn a_message_shows_its_backticked_names_as_code_and_no_backtick() {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<Banner>::with_root(root.clone()).render();
    yew::scheduler::flush().await;

    let alert: Element = root
        .query_selector("[role=alert]")
        .unwrap()
        .expect("the banner is an alert");
    let text = alert.text_content().unwrap_or_default();
    assert_eq!(
        text,
        "Quality Engineers cannot push to the main branch main. Push to release/v1.0 instead."
    );
    assert!(!text.contains('`'), "{text}");
    let codes = alert.query_selector_all("code").unwrap();
    let names: Vec<String> = (0..codes.length())
        .filter_map(|i| codes.item(i)?.text_content())
        .collect();
    assert_eq!(names, ["main", "release/v1.0"]);
}

#[wasm_bindgen_test]
fn what_the_host_page_is_told_has_no_backtick() {
    assert_eq!(
        plain_text(REFUSAL),
        "Quality Engineers cannot push to the main branch main. Push to release/v1.0 instead."
    );
}
