//! The fetch transport in a real browser: answers in order under a concurrency bound, and cancellation.
#![cfg(target_arch = "wasm32")]

use bitbucket_versioning::services::transport::{execute, execute_all, Cancellation};
use versioning_core::bitbucket::{ApiError, ApiRequest, Method};
use versioning_core::Flavour;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A request the browser answers itself, with `body` as the response text.
fn data_request(body: &str) -> ApiRequest {
    ApiRequest {
        method: Method::Get,
        url: format!("data:text/plain,{body}"),
        headers: Vec::new(),
        body: None,
    }
}

#[wasm_bindgen_test]
async fn answers_come_back_in_request_order_under_the_bound() {
    let requests: Vec<ApiRequest> = (0..12)
        .map(|i| data_request(&format!("answer-{i}")))
        .collect();
    let answers = execute_all(&requests, Flavour::Cloud, 3, &Cancellation::new()).await;
    let bodies: Vec<String> = answers
        .into_iter()
        .map(|answer| String::from_utf8(answer.expect("answered").body).unwrap())
        .collect();
    let expected: Vec<String> = (0..12).map(|i| format!("answer-{i}")).collect();
    assert_eq!(bodies, expected);
}

#[wasm_bindgen_test]
async fn a_cancelled_job_sends_nothing_more() {
    let job = Cancellation::new();
    job.cancel();
    assert!(job.is_cancelled());
    let answer = execute(&data_request("never"), Flavour::DataCenter, &job).await;
    assert_eq!(answer, Err(ApiError::Cancelled));
}

#[wasm_bindgen_test]
async fn an_unreachable_server_is_a_network_error_not_a_panic() {
    let request = ApiRequest {
        url: "http://127.0.0.1:9/rest/api/latest/projects/QA/repos/x".into(),
        ..data_request("")
    };
    let answer = execute(&request, Flavour::DataCenter, &Cancellation::new()).await;
    assert!(matches!(
        answer,
        Err(ApiError::Network {
            flavour: Flavour::DataCenter,
            cross_origin: true
        })
    ));
}
