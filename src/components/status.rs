//! Short status views: loading, failures the user can act on, and what screen readers are told.

use yew::prelude::*;

use crate::components::code_text::code_text;

/// "Loading …", announced politely to screen readers.
pub fn loading_status(what: &str) -> Html {
    html! { <p class="loading" role="status">{ format!("Loading {what}…") }</p> }
}

/// An error banner, announced at once; names in backticks are shown as code.
pub fn error_banner(message: &str) -> Html {
    html! { <div class="banner error" role="alert"><p>{ code_text(message) }</p></div> }
}

/// A polite live region, not shown: screen readers say `text` each time it changes. It stays on the page
/// while its view does, so that a change is announced (a region added with its text often is not).
pub fn announcement(text: &str) -> Html {
    html! {
        <p class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">{ code_text(text) }</p>
    }
}

/// Where a dialog shows its result (nothing until there is one): a polite live region that stays on the
/// page while the dialog does, so that the result is announced when it comes.
pub fn result_region(result: Html) -> Html {
    html! { <div class="dialog-result" role="status" aria-live="polite">{ result }</div> }
}
