//! Text in which `backticked` names are shown as code, as core's messages and summaries write them.

use yew::prelude::*;

pub use crate::services::portal_events::plain_text;

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
