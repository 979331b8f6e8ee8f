//! The pull request form's state on the host: a refusal keeps the form with Bitbucket's words, and a pull
//! request opened but not recorded stays shown with why.
#![cfg(not(target_arch = "wasm32"))]

use std::rc::Rc;

use bitbucket_versioning::services::project_store::StoreError;
use bitbucket_versioning::services::pull_requests::OpenError;
use bitbucket_versioning::state::review::{ReviewAction, ReviewStage, ReviewState};
use versioning_core::bitbucket::pull_requests::{PullRequest, PullRequestState};
use versioning_core::bitbucket::ApiError;
use yew::Reducible;

fn opened() -> Rc<PullRequest> {
    Rc::new(PullRequest {
        id: 3,
        title: "Review the cart".into(),
        state: PullRequestState::Open,
        source: "review/cart".into(),
        destination: "main".into(),
        link: None,
    })
}

#[test]
fn a_refusal_goes_back_to_the_form_in_bitbuckets_words() {
    let refused = OpenError::Bitbucket(ApiError::PullRequestRefused {
        message: Some("There are no changes to be pulled".into()),
    });
    let state = Rc::new(ReviewState::default())
        .reduce(ReviewAction::Opening)
        .reduce(ReviewAction::Failed(refused));
    assert_eq!(state.stage, ReviewStage::Form);
    assert_eq!(
        state.error.as_ref().map(ToString::to_string).as_deref(),
        Some("Bitbucket did not open the pull request: There are no changes to be pulled.")
    );
}

#[test]
fn an_opened_pull_request_not_recorded_stays_shown_with_why() {
    let state = Rc::new(ReviewState::default())
        .reduce(ReviewAction::Opening)
        .reduce(ReviewAction::Opened(opened()))
        .reduce(ReviewAction::Failed(OpenError::NotRecorded {
            id: 3,
            error: StoreError::Missing("checkout-web".into()),
        }));
    assert_eq!(state.stage, ReviewStage::Opened(opened()));
    assert!(state
        .error
        .as_ref()
        .is_some_and(|e| e.to_string().starts_with("The pull request #3 was opened")));
}
