//! The saved connection, as shown once it exists.

use versioning_core::parse_repository_url;
use yew::prelude::*;

use crate::services::connection_store::ConnectionRecord;

/// Props of [`ConnectionSummary`].
#[derive(Properties, PartialEq)]
pub struct ConnectionSummaryProps {
    /// The saved connection.
    pub record: ConnectionRecord,
    /// Whether the token is available in this browser session.
    pub has_token: bool,
    /// Edit was pressed.
    pub on_edit: Callback<()>,
    /// Reset was pressed.
    pub on_reset: Callback<()>,
}

/// Formats an ISO 8601 timestamp as `2026-11-25 14:03 UTC`.
fn readable_time(iso: &str) -> String {
    match (iso.get(..10), iso.get(11..16)) {
        (Some(date), Some(time)) => format!("{date} {time} UTC"),
        _ => iso.to_owned(),
    }
}

/// A summary card of the saved connection with **Edit** and **Reset**.
#[component]
pub fn ConnectionSummary(props: &ConnectionSummaryProps) -> Html {
    let record = &props.record;
    let repository = parse_repository_url(&record.repository_url)
        .map(|location| location.summary())
        .unwrap_or_else(|_| record.repository_url.clone());
    let auth = if record.pat {
        "Access token (Bearer)"
    } else {
        "Token with username (Basic)"
    };
    html! {
        <section class="card summary" aria-labelledby="summary-title">
            <h2 id="summary-title">{ "Saved connection" }</h2>
            <dl class="facts">
                <dt>{ "Name" }</dt><dd data-fact="name">{ &record.name }</dd>
                <dt>{ "Repository" }</dt><dd data-fact="repository">{ repository }</dd>
                <dt>{ "Repository URL" }</dt><dd><code>{ &record.repository_url }</code></dd>
                <dt>{ "User" }</dt><dd data-fact="user">{ &record.username }</dd>
                <dt>{ "Authentication" }</dt><dd>{ auth }</dd>
                <dt>{ "Created at" }</dt><dd data-fact="created"><time datetime={record.created_at.clone()}>{ readable_time(&record.created_at) }</time></dd>
                <dt>{ "Token" }</dt>
                <dd>{ if props.has_token {
                    "Kept for this browser session only."
                } else {
                    "Not in this browser session: choose Edit and paste the token again."
                } }</dd>
            </dl>
            <div class="actions">
                <button type="button" class="button primary" onclick={props.on_edit.reform(|_| ())}>{ "Edit" }</button>
                <button type="button" class="button subtle" onclick={props.on_reset.reform(|_| ())}>{ "Reset" }</button>
            </div>
        </section>
    }
}
