//! The saved connection, as shown once it exists, with its last connection test.

use versioning_core::bitbucket::TestOutcome;
use versioning_core::parse_repository_url;
use yew::prelude::*;

use crate::components::code_text::code_text;
use crate::components::local_time::local_time;
use crate::services::connection_store::{ConnectionRecord, LastTest};

/// Props of [`ConnectionSummary`].
#[derive(Properties, PartialEq)]
pub struct ConnectionSummaryProps {
    /// The saved connection.
    pub record: ConnectionRecord,
    /// Whether the token is available in this browser session.
    pub has_token: bool,
    /// Whether the user's role may edit or reset the connection.
    #[prop_or(true)]
    pub can_configure: bool,
    /// Whether a connection test is running.
    #[prop_or_default]
    pub testing: bool,
    /// Edit was pressed.
    pub on_edit: Callback<()>,
    /// Test again was pressed.
    pub on_test: Callback<()>,
    /// Reset was pressed.
    pub on_reset: Callback<()>,
}

fn permission_text(outcome: &TestOutcome) -> String {
    let label = outcome.permission.label();
    if outcome.permission_inferred {
        format!("{label} (inferred from the kind of token: access tokens cannot ask Bitbucket)")
    } else {
        label.to_owned()
    }
}

fn restrictions_text(outcome: &TestOutcome) -> String {
    if !outcome.restrictions_visible {
        return "Not visible to this token (Bitbucket still enforces them on push).".into();
    }
    if outcome.restrictions.is_empty() {
        return "None".into();
    }
    outcome
        .restrictions
        .iter()
        .map(|r| {
            if r.exempt.is_empty() {
                format!("{} on {}", r.kind, r.branches)
            } else {
                format!(
                    "{} on {} (except {})",
                    r.kind,
                    r.branches,
                    r.exempt.join(", ")
                )
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn last_test_facts(last: &LastTest) -> Html {
    let outcome = &last.outcome;
    let identity = outcome
        .identity
        .as_ref()
        .map(|i| format!("{} ({})", i.display_name, i.account))
        .unwrap_or_else(|| "Not reported by Bitbucket for this token".into());
    let push = if outcome.push_available {
        "Available".to_owned()
    } else {
        format!(
            "Unavailable: {}",
            outcome.push_unavailable_reason.clone().unwrap_or_default()
        )
    };
    let branches = format!(
        "{}{}",
        outcome.branches.len(),
        if outcome.branches_truncated { "+" } else { "" }
    );
    html! {
        <>
            <dt>{ "Last tested" }</dt><dd data-fact="tested">{ local_time(&last.tested_at) }</dd>
            <dt>{ "Acts as" }</dt><dd data-fact="identity">{ identity }</dd>
            <dt>{ "Permission" }</dt><dd data-fact="permission">{ permission_text(outcome) }</dd>
            <dt>{ "Main branch" }</dt><dd data-fact="main-branch">{ outcome.main_branch.clone().unwrap_or_else(|| "None yet (empty repository)".into()) }</dd>
            <dt>{ "Branches" }</dt><dd data-fact="branches">{ branches }</dd>
            <dt>{ "Branch restrictions" }</dt><dd data-fact="restrictions">{ restrictions_text(outcome) }</dd>
            <dt>{ "Push" }</dt><dd data-fact="push">{ code_text(&push) }</dd>
        </>
    }
}

/// A summary card of the saved connection with **Edit**, **Test again** and **Reset** (Edit and Reset only
/// for roles that may configure).
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
                <dt>{ "Repository" }</dt><dd data-fact="repository">{ code_text(&repository) }</dd>
                <dt>{ "Repository URL" }</dt><dd><code>{ &record.repository_url }</code></dd>
                <dt>{ "User" }</dt><dd data-fact="user">{ &record.username }</dd>
                <dt>{ "Authentication" }</dt><dd>{ auth }</dd>
                <dt>{ "Created at" }</dt><dd data-fact="created">{ local_time(&record.created_at) }</dd>
                <dt>{ "Token" }</dt>
                <dd data-fact="token">{ if props.has_token {
                    "Kept for this browser session only."
                } else {
                    "Not in this browser session: choose Edit and paste the token again."
                } }</dd>
                if let Some(last) = &record.last_test { { last_test_facts(last) } }
            </dl>
            <div class="actions">
                if props.can_configure {
                    <button type="button" class="button primary" onclick={props.on_edit.reform(|_| ())}>{ "Edit" }</button>
                }
                if props.has_token {
                    <button type="button" class="button subtle" onclick={props.on_test.reform(|_| ())}>
                        { if props.testing { "Testing…" } else { "Test again" } }
                    </button>
                }
                if props.can_configure {
                    <button type="button" class="button subtle" onclick={props.on_reset.reform(|_| ())}>{ "Reset" }</button>
                }
            </div>
        </section>
    }
}
