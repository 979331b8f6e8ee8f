//! The saved connection and the form's state on the host: no token in a stored record or a `Debug`
//! output, user information removed from repository URLs, and damaged records told apart from missing
//! ones.
#![cfg(not(target_arch = "wasm32"))]

use std::rc::Rc;

use bitbucket_versioning::services::connection_store::{
    parse_record, ConnectionRecord, DamagedRecord, LastTest,
};
use bitbucket_versioning::state::connection_form::{Action, FormState};
use versioning_core::bitbucket::{Permission, TestOutcome};
use versioning_core::connection::CREDENTIALS_REMOVED;
use versioning_core::{ConnectionForm, Field};
use yew::Reducible;

const TOKEN: &str = "ATCTT3xFfGF0-pasted-s3cr3t-9f8e";

fn form_with_url(repository_url: &str) -> ConnectionForm {
    ConnectionForm {
        name: "Checkout tests".into(),
        token: TOKEN.into(),
        pat: true,
        repository_url: repository_url.into(),
        username: "ada".into(),
        api_base_url: String::new(),
    }
}

fn last_test() -> LastTest {
    LastTest {
        tested_at: "2026-01-01T00:00:00Z".into(),
        outcome: TestOutcome {
            identity: None,
            permission: Permission::Write,
            permission_inferred: true,
            main_branch: Some("main".into()),
            branches: vec!["main".into()],
            branches_truncated: false,
            restrictions: Vec::new(),
            restrictions_visible: false,
            push_available: true,
            push_unavailable_reason: None,
            push_over_git_only: None,
            pull_requests: None,
        },
    }
}

fn record_of(form: &ConnectionForm) -> ConnectionRecord {
    let connection = form.to_connection(&[]).expect("a valid form");
    ConnectionRecord::new(
        form,
        &connection,
        "2026-01-01T00:00:00Z".into(),
        last_test(),
    )
}

#[test]
fn a_url_pasted_with_the_token_is_stored_and_shown_without_it() {
    let form = form_with_url(&format!(
        "https://x-token-auth:{TOKEN}@bitbucket.org/acme/checkout-tests.git"
    ));
    let record = record_of(&form);
    assert_eq!(
        record.repository_url,
        "https://bitbucket.org/acme/checkout-tests.git"
    );
    let stored = serde_json::to_string(&record).unwrap();
    assert!(!stored.contains(TOKEN), "{stored}");
    assert!(!stored.contains("x-token-auth"), "{stored}");
    // The form after a reload is made from the record: no token in its URL either.
    let reloaded = parse_record(Some(&stored)).unwrap().unwrap();
    assert!(!reloaded
        .to_form(String::new())
        .repository_url
        .contains(TOKEN));
}

#[test]
fn a_record_stored_with_credentials_by_an_older_version_reads_without_them() {
    let form = form_with_url("https://bitbucket.org/acme/checkout-tests.git");
    let mut old = record_of(&form);
    old.repository_url =
        format!("https://x-token-auth:{TOKEN}@bitbucket.org/acme/checkout-tests.git");
    let text = serde_json::to_string(&old).unwrap();
    let read = parse_record(Some(&text)).unwrap().unwrap();
    assert_eq!(
        read.repository_url,
        "https://bitbucket.org/acme/checkout-tests.git"
    );
}

#[test]
fn a_damaged_record_is_not_taken_for_no_connection() {
    assert_eq!(parse_record(None), Ok(None));
    let good = serde_json::to_string(&record_of(&form_with_url(
        "https://bitbucket.org/acme/checkout-tests.git",
    )))
    .unwrap();
    assert!(parse_record(Some(&good)).unwrap().is_some());
    for damaged in [
        "",
        "{not json",
        &good[..good.len() / 2],
        "{\"name\": 42}",
        "[]",
        "null",
    ] {
        let error: DamagedRecord = parse_record(Some(damaged)).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("damaged"), "{message}");
        assert!(message.contains("Reset"), "{message}");
    }
}

fn reduce(state: FormState, action: Action) -> FormState {
    (*Rc::new(state).reduce(action)).clone()
}

#[test]
fn leaving_the_url_field_removes_the_credentials_and_says_so() {
    let url = format!("https://x-token-auth:{TOKEN}@bitbucket.org/acme/checkout-tests.git");
    let state = FormState::new(ConnectionForm::default(), Vec::new());
    let state = reduce(state, Action::Edit(Field::RepositoryUrl, url));
    let state = reduce(state, Action::Leave(Field::RepositoryUrl));
    assert_eq!(
        state.form.repository_url,
        "https://bitbucket.org/acme/checkout-tests.git"
    );
    assert_eq!(
        state
            .warnings
            .get(&Field::RepositoryUrl)
            .map(String::as_str),
        Some(CREDENTIALS_REMOVED)
    );
    assert!(CREDENTIALS_REMOVED.contains("removed") && CREDENTIALS_REMOVED.contains("not stored"));
    // Typing a new URL clears the note.
    let state = reduce(
        state,
        Action::Edit(Field::RepositoryUrl, "https://bitbucket.org/acme/x".into()),
    );
    assert!(!state.warnings.contains_key(&Field::RepositoryUrl));
    // A pasted `git clone` prefix is removed without a warning about credentials.
    let state = reduce(
        state,
        Action::Edit(
            Field::RepositoryUrl,
            "git clone https://bitbucket.org/acme/x.git".into(),
        ),
    );
    let state = reduce(state, Action::Leave(Field::RepositoryUrl));
    assert_eq!(
        state.form.repository_url,
        "https://bitbucket.org/acme/x.git"
    );
    assert!(!state.warnings.contains_key(&Field::RepositoryUrl));
}

#[test]
fn submitting_removes_the_credentials_too() {
    let url = format!("https://x-token-auth:{TOKEN}@bitbucket.org/acme/checkout-tests.git");
    let state = FormState::new(form_with_url(&url), Vec::new());
    let state = reduce(state, Action::Submit);
    assert!(!state.form.repository_url.contains(TOKEN));
    assert!(state.connection().is_some());
}

#[test]
fn no_debug_output_of_the_form_state_or_its_actions_shows_the_token() {
    let state = FormState::new(
        form_with_url("https://bitbucket.org/acme/checkout-tests"),
        Vec::new(),
    );
    let state = reduce(state, Action::Edit(Field::Token, TOKEN.into()));
    let actions = [
        Action::Edit(Field::Token, TOKEN.into()),
        Action::Load(form_with_url("https://bitbucket.org/acme/checkout-tests")),
    ];
    let mut outputs = vec![format!("{state:?}"), format!("{state:#?}")];
    outputs.extend(actions.iter().map(|action| format!("{action:?}")));
    outputs.push(format!("{:?}", state.connection().unwrap()));
    for output in outputs {
        assert!(!output.contains(TOKEN), "{output}");
    }
    assert!(format!("{:?}", Action::Edit(Field::Name, "Nightly".into())).contains("Nightly"));
}
