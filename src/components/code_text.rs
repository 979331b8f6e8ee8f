//! Text in which `backticked` names are shown as code, as core's messages and summaries write them.

use yew::prelude::*;

/// Renders `text`, turning each `` `name` `` into `<code>name</code>`.
pub fn code_text(text: &str) -> Html {
    let parts = text.split('`').enumerate().map(|(index, part)| {
        if index % 2 == 1 {
            html! { <code>{ part }</code> }
        } else {
            html! { { part } }
        }
    });
    html! { <>{ for parts }</> }
}

/// `text` without the backticks around names, where nothing can be shown as code (what the host page is
/// told: it shows the text as it comes).
pub fn plain_text(text: &str) -> String {
    text.replace('`', "")
}
