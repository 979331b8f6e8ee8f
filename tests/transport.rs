//! The fetch transport in a real browser: answers in order under a concurrency bound, cancellation (which
//! also ends a job's back-off wait), a header the browser refuses, no HTTP cache, and answers larger than
//! the request allows.
#![cfg(target_arch = "wasm32")]

use bitbucket_versioning::services::transport::{execute, execute_all, Cancellation};
use js_sys::Reflect;
use versioning_core::bitbucket::{
    ApiError, ApiRequest, ApiResponse, BodyTooLarge, Method, MAX_RESPONSE_BYTES,
};
use versioning_core::sync::{Job, JobStep, Progress};
use versioning_core::Flavour;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A request the browser answers itself, with `body` as the response text.
fn data_request(body: &str) -> ApiRequest {
    ApiRequest {
        method: Method::Get,
        url: format!("data:text/plain,{body}"),
        headers: Vec::new(),
        body: None,
        max_response_bytes: MAX_RESPONSE_BYTES,
    }
}

#[wasm_bindgen_test]
async fn an_answer_larger_than_the_request_allows_is_not_read() {
    let request = ApiRequest {
        max_response_bytes: 10,
        ..data_request("eleven byte")
    };
    let answer = execute(&request, Flavour::Cloud, &Cancellation::new())
        .await
        .expect("answered");
    let refused = answer.too_large.expect("refused");
    assert_eq!(refused.limit, 10);
    assert!(matches!(
        refused,
        BodyTooLarge {
            size: None | Some(11),
            ..
        }
    ));
    assert!(answer.body.is_empty());
    let request = ApiRequest {
        max_response_bytes: 11,
        ..data_request("eleven byte")
    };
    let answer = execute(&request, Flavour::Cloud, &Cancellation::new())
        .await
        .expect("answered");
    assert_eq!(
        (answer.body, answer.too_large),
        (b"eleven byte".to_vec(), None)
    );
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

#[wasm_bindgen_test]
async fn a_header_the_browser_refuses_is_an_error_naming_the_header_not_a_hang() {
    let request = ApiRequest {
        headers: vec![("Authorization".into(), "Bearer \u{200b}ATCTT3xFfGF0".into())],
        ..data_request("never")
    };
    let answer = execute(&request, Flavour::Cloud, &Cancellation::new()).await;
    let error = answer.expect_err("the browser cannot send this header");
    assert_eq!(
        error,
        ApiError::UnsendableHeader {
            name: "Authorization".into()
        }
    );
    let message = error.to_string();
    assert!(message.contains("paste the token again"), "{message}");
    assert!(!message.contains("ATCTT3xFfGF0"), "{message}");
}

#[wasm_bindgen_test]
async fn every_request_bypasses_the_browsers_http_cache() {
    // The page's `fetch`, wrapped to keep the cache mode of each request it is given.
    let spy = js_sys::Function::new_no_args(
        "const fetch = globalThis.fetch; const modes = [];
         globalThis.fetch = (request, init) => { modes.push(request.cache); return fetch(request, init); };
         return { modes, restore() { globalThis.fetch = fetch; } };",
    )
    .call0(&JsValue::NULL)
    .expect("fetch wrapped");
    let answers = execute_all(
        &[data_request("one"), data_request("two")],
        Flavour::Cloud,
        2,
        &Cancellation::new(),
    )
    .await;
    let restore: js_sys::Function = Reflect::get(&spy, &JsValue::from_str("restore"))
        .unwrap()
        .into();
    restore.call0(&spy).unwrap();
    assert!(answers.iter().all(Result::is_ok), "{answers:?}");
    let modes = Reflect::get(&spy, &JsValue::from_str("modes")).unwrap();
    let modes: Vec<Option<String>> = js_sys::Array::from(&modes)
        .iter()
        .map(|mode| mode.as_string())
        .collect();
    assert_eq!(modes, vec![Some("no-store".to_owned()); 2]);
}

/// A job that waits out a back-off longer than any test runs, then is done.
struct Waiting {
    waited: bool,
}

impl Job for Waiting {
    type Output = ();

    fn next(&mut self) -> JobStep<()> {
        match std::mem::replace(&mut self.waited, true) {
            // The longest delay a browser timer takes (a longer one would fire at once).
            false => JobStep::Wait(i32::MAX as u32),
            true => JobStep::Done(()),
        }
    }

    fn handle(&mut self, _answers: Vec<Result<ApiResponse, ApiError>>) {}

    fn progress(&self) -> Progress {
        Progress::default()
    }
}

#[wasm_bindgen_test]
async fn cancel_ends_a_back_off_wait() {
    use bitbucket_versioning::services::jobs::run_job;
    let cancellation = Cancellation::new();
    let cancel = cancellation.clone();
    wasm_bindgen_futures::spawn_local(async move {
        gloo_timers::future::TimeoutFuture::new(10).await;
        cancel.cancel();
    });
    let mut job = Waiting { waited: false };
    let ended = run_job(&mut job, Flavour::Cloud, 1_000, &cancellation, &|_| {}).await;
    assert_eq!(ended, None, "the job ends as cancelled, not after its wait");
}

/// A job that sends one batch, expecting `ahead` requests in all, and keeps the answers.
struct Batch {
    requests: Vec<ApiRequest>,
    ahead: Option<usize>,
    answers: Option<Vec<Result<ApiResponse, ApiError>>>,
}

impl Batch {
    /// `count` requests the browser answers itself, with a Cloud repository path and credentials.
    fn to_cloud(count: usize, ahead: Option<usize>) -> Batch {
        let request = ApiRequest {
            headers: vec![("Authorization".to_owned(), "Basic aG91cmx5".to_owned())],
            ..data_request("/2.0/repositories/acme/tests/src")
        };
        Batch {
            requests: vec![request; count],
            ahead,
            answers: None,
        }
    }
}

impl Job for Batch {
    type Output = Vec<Result<ApiResponse, ApiError>>;

    fn next(&mut self) -> JobStep<Self::Output> {
        match self.answers.take() {
            Some(answers) => JobStep::Done(answers),
            None => JobStep::Send(self.requests.clone()),
        }
    }

    fn handle(&mut self, answers: Vec<Result<ApiResponse, ApiError>>) {
        self.answers = Some(answers);
    }

    fn progress(&self) -> Progress {
        Progress::default()
    }

    fn concurrency(&self) -> usize {
        50
    }

    fn requests_ahead(&self) -> Option<usize> {
        self.ahead
    }
}

#[wasm_bindgen_test]
async fn a_cloud_job_that_would_not_fit_in_the_hourly_allowance_is_refused_before_sending() {
    use bitbucket_versioning::services::jobs::run_job;
    let cancellation = Cancellation::new();
    let run = |mut job: Batch| {
        let cancellation = cancellation.clone();
        async move {
            run_job(&mut job, Flavour::Cloud, 10_000, &cancellation, &|_| {})
                .await
                .expect("not cancelled")
        }
    };
    // More than the whole allowance: refused at once, never fitting.
    let refused = run(Batch::to_cloud(1, Some(1_001))).await;
    assert_eq!(
        refused,
        [Err(ApiError::HourlyLimit {
            needed: Some(1_001),
            left: 1_000,
            retry_in_secs: None
        })]
    );
    // The allowance used up by what was sent: the next request waits for the hour to pass.
    let sent = run(Batch::to_cloud(1_000, None)).await;
    assert!(sent.iter().all(Result::is_ok));
    let after = run(Batch::to_cloud(1, None)).await;
    let [Err(ApiError::HourlyLimit {
        needed: Some(1),
        left: 0,
        retry_in_secs: Some(seconds),
    })] = after.as_slice()
    else {
        panic!("refused: {after:?}");
    };
    assert!((3_590..=3_600).contains(seconds), "{seconds}");
    // Data Center has no such allowance.
    let mut job = Batch::to_cloud(1, Some(5_000));
    let answers = run_job(
        &mut job,
        Flavour::DataCenter,
        10_000,
        &cancellation,
        &|_| {},
    )
    .await;
    assert!(answers.expect("not cancelled").iter().all(Result::is_ok));
}
