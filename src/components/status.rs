//! Short status views: loading, and failures the user can act on.

use yew::prelude::*;

/// "Loading …", announced politely to screen readers.
pub fn loading_status(what: &str) -> Html {
    html! { <p class="loading" role="status">{ format!("Loading {what}…") }</p> }
}

/// An error banner, announced at once.
pub fn error_banner(message: &str) -> Html {
    html! { <div class="banner error" role="alert"><p>{ message }</p></div> }
}
