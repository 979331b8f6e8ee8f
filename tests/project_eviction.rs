//! An empty project store at start: seeded with the demo projects on a first start, reported (not quietly
//! seeded again) when the browser removed projects it held.
#![cfg(not(target_arch = "wasm32"))]

use bitbucket_versioning::services::projects::{start_decision, StartDecision};

#[test]
fn an_empty_store_is_seeded_only_on_a_first_start() {
    assert_eq!(start_decision(false, true), StartDecision::SeedDemos);
    assert_eq!(start_decision(true, true), StartDecision::ReportRemoved);
}

#[test]
fn stored_projects_are_shown_whatever_the_marker_says() {
    assert_eq!(start_decision(false, false), StartDecision::Show);
    assert_eq!(start_decision(true, false), StartDecision::Show);
}
