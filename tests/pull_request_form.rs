//! The pull request form after a push, in a real browser: it starts with the push's title and description
//! and the main branch as destination, and opens nothing without a connection.
#![cfg(target_arch = "wasm32")]

use bitbucket_versioning::components::pull_request_form::PullRequestForm;
use bitbucket_versioning::state::connections::ConnectionsProvider;
use bitbucket_versioning::state::projects::ProjectsProvider;
use bitbucket_versioning::state::session::SessionProvider;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlInputElement};
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

const DESCRIPTION: &str =
    "Test artifacts pushed with Bitbucket Versioning.\n\n**Modified**\n- test case: Login\n";

#[component]
fn Harness() -> Html {
    html! {
        <SessionProvider>
            <ProjectsProvider>
                <ConnectionsProvider>
                    <PullRequestForm project_id="no-such-project" source="review/login" destination="main"
                        title="Review the login" description={DESCRIPTION} on_recorded={Callback::noop()} />
                </ConnectionsProvider>
            </ProjectsProvider>
        </SessionProvider>
    }
}

/// The value of the field `selector` (an input's or a text area's: both have `value`).
fn value(root: &Element, selector: &str) -> String {
    let element = root.query_selector(selector).unwrap().expect(selector);
    element.unchecked_into::<HtmlInputElement>().value()
}

#[wasm_bindgen_test]
async fn the_form_starts_with_the_pushs_title_and_description_into_the_main_branch() {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<Harness>::with_root(root.clone()).render();
    yew::scheduler::flush().await;

    assert_eq!(value(&root, "#pull-request-name"), "Review the login");
    assert_eq!(value(&root, "#pull-request-description"), DESCRIPTION);
    assert_eq!(value(&root, "#pull-request-destination"), "main");
    assert_eq!(value(&root, "#pull-request-reviewers"), "");
    let open = root
        .query_selector("button[type=submit]")
        .unwrap()
        .expect("the Open pull request button");
    assert_eq!(open.text_content().as_deref(), Some("Open pull request"));
    assert!(
        open.has_attribute("disabled"),
        "nothing is opened without a connection"
    );
}
