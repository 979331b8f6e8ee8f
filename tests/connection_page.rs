//! The connection page's state when the store answers a save or a removal, and the revision a connection
//! record is saved over, on the host.
#![cfg(not(target_arch = "wasm32"))]

use std::rc::Rc;

use bitbucket_versioning::services::connection_store::{
    check_revision, parse_record, ConnectionRecord, ConnectionStoreError,
};
use bitbucket_versioning::state::connection_page::{PageAction, PageState};
use yew::Reducible;

fn record() -> ConnectionRecord {
    parse_record(Some(
        r#"{"name":"Checkout tests","repository_url":"https://ada:s3cr3t@bitbucket.org/acme/checkout-tests.git",
            "username":"ada","pat":false,"api_base_url":"","created_at":"2026-01-01T00:00:00Z"}"#,
    ))
    .unwrap()
    .unwrap()
}

#[test]
fn a_record_written_before_revisions_is_at_revision_0_and_saves_at_1_without_credentials() {
    let loaded = record();
    assert_eq!(loaded.revision, 0);
    let saved = loaded.saved();
    assert_eq!(saved.revision, 1);
    assert_eq!(
        saved.repository_url,
        "https://bitbucket.org/acme/checkout-tests.git"
    );
}

#[test]
fn a_save_goes_ahead_only_over_the_revision_the_store_holds() {
    assert_eq!(check_revision(0, None), Ok(()));
    assert_eq!(check_revision(0, Some(0)), Ok(()));
    assert_eq!(check_revision(3, Some(3)), Ok(()));
    // Another tab created, saved or removed it since.
    for (loaded, current) in [(0, Some(1)), (3, Some(4)), (3, None)] {
        assert_eq!(
            check_revision(loaded, current),
            Err(ConnectionStoreError::Conflict)
        );
    }
}

#[test]
fn a_refused_save_is_said_not_saved_with_the_stores_reason_and_keeps_the_form() {
    let page = Rc::new(PageState::default()).reduce(PageAction::SaveFailed(
        ConnectionStoreError::Portal("cannot store token/checkout-web: •••".into()),
    ));
    assert_eq!(
        page.save_error.as_deref(),
        Some(
            "The connection was not saved. The portal's storage failed (cannot store \
             token/checkout-web: •••). Try again; if it persists, ask the portal's administrator."
        )
    );
    assert!(page.shows_form());
}

#[test]
fn a_refused_removal_keeps_what_the_store_still_holds_and_says_it_was_not_removed() {
    let saved = record();
    let page = Rc::new(PageState::loaded(Some(saved.clone()), true))
        .reduce(PageAction::AskReset)
        .reduce(PageAction::Removing);
    assert!(!page.confirming_reset);
    let page = page.reduce(PageAction::RemoveFailed {
        error: ConnectionStoreError::Portal("offline".into()),
        saved: Some(Box::new(saved.clone())),
        has_token: false,
    });
    assert_eq!(page.saved, Some(saved));
    assert!(!page.has_token);
    assert!(page
        .save_error
        .as_deref()
        .is_some_and(|m| m
            .starts_with("The connection was not removed. The portal's storage failed (offline)")));
}

#[test]
fn another_tabs_change_is_told_until_the_page_is_cleared() {
    let page =
        Rc::new(PageState::loaded(Some(record()), true)).reduce(PageAction::ChangedElsewhere);
    assert!(page.changed_elsewhere);
    assert!(!page.reduce(PageAction::Cleared).changed_elsewhere);
}
