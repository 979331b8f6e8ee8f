//! Executes core's request descriptions with the browser's `fetch`: a timeout, cancellation, bounded
//! concurrency, no cookies, no HTTP cache (an answer to a request with a token is never kept), exactly
//! the headers the description carries, and answers no larger than the description allows (refused from
//! their `Content-Length`, or cut off while they are streamed in).

use super::random::random_u64;
use futures::stream::{self, StreamExt};
use gloo_net::http::{Headers, RequestBuilder};
use js_sys::Uint8Array;
use versioning_core::bitbucket::{
    multipart, ApiError, ApiRequest, ApiResponse, BodyReader, BodyTooLarge, Method, RequestBody,
};
use versioning_core::Flavour;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortController, AddEventListenerOptions, ReadableStream, ReadableStreamDefaultReader,
    ReadableStreamReadResult, RequestCache, RequestCredentials, RequestRedirect, ResponseType,
    UrlSearchParams,
};

/// How long one request may take before it is abandoned.
pub const REQUEST_TIMEOUT_MS: u32 = 30_000;

/// Cancels every request of one job (a connection test, a push): cancelling aborts the requests in
/// flight and makes later ones fail at once with [`ApiError::Cancelled`].
#[derive(Clone, Debug)]
pub struct Cancellation {
    controller: AbortController,
}

impl Cancellation {
    /// A job that has not been cancelled.
    pub fn new() -> Self {
        Cancellation {
            controller: AbortController::new()
                .expect("AbortController exists in every supported browser"),
        }
    }

    /// Cancels the job.
    pub fn cancel(&self) {
        self.controller.abort();
    }

    /// Whether the job was cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.controller.signal().aborted()
    }

    /// Resolves when the job is cancelled (at once if it was): a wait raced with it ends on Cancel.
    pub async fn cancelled(&self) {
        let signal = self.controller.signal();
        if signal.aborted() {
            return;
        }
        // The promise's own resolve function is the listener: no closure of ours outlives the wait.
        let promise = js_sys::Promise::new(&mut |resolve, _reject| {
            let once = AddEventListenerOptions::new();
            once.set_once(true);
            // Adding a listener to an AbortSignal does not fail; if it did, the wait would end on time.
            let _ = signal.add_event_listener_with_callback_and_add_event_listener_options(
                "abort", &resolve, &once,
            );
        });
        // The promise never rejects.
        let _ = JsFuture::from(promise).await;
    }
}

impl Default for Cancellation {
    fn default() -> Self {
        Cancellation::new()
    }
}

/// Sends one request and returns whatever status came back; fails only when no answer was readable.
pub async fn execute(
    request: &ApiRequest,
    flavour: Flavour,
    cancellation: &Cancellation,
) -> Result<ApiResponse, ApiError> {
    execute_within(request, flavour, REQUEST_TIMEOUT_MS, cancellation).await
}

/// [`execute`] with another timeout.
pub async fn execute_within(
    request: &ApiRequest,
    flavour: Flavour,
    timeout_ms: u32,
    cancellation: &Cancellation,
) -> Result<ApiResponse, ApiError> {
    if cancellation.is_cancelled() {
        return Err(ApiError::Cancelled);
    }
    let failed = || ApiError::from_fetch_failure(flavour, is_cross_origin(&request.url));
    // One controller per request, aborted by its own timeout or by the job's cancellation.
    let controller = AbortController::new().map_err(|_| failed())?;
    let forward_abort = {
        let controller = controller.clone();
        Closure::<dyn FnMut()>::new(move || controller.abort())
    };
    let job_signal = cancellation.controller.signal();
    let _ = job_signal
        .add_event_listener_with_callback("abort", forward_abort.as_ref().unchecked_ref());
    let timer = {
        let controller = controller.clone();
        gloo_timers::callback::Timeout::new(timeout_ms, move || controller.abort())
    };
    let outcome = send(request, &controller).await;
    drop(timer);
    let _ = job_signal
        .remove_event_listener_with_callback("abort", forward_abort.as_ref().unchecked_ref());
    match outcome {
        Ok(answer) => answer,
        Err(_) if cancellation.is_cancelled() => Err(ApiError::Cancelled),
        Err(_) if controller.signal().aborted() => Err(ApiError::Timeout),
        Err(_) => Err(failed()),
    }
}

/// Sends requests with at most `limit` in flight at once (a new one starts as soon as any answer
/// arrives); the answers come back in request order.
pub async fn execute_all(
    requests: &[ApiRequest],
    flavour: Flavour,
    limit: usize,
    cancellation: &Cancellation,
) -> Vec<Result<ApiResponse, ApiError>> {
    execute_all_within(requests, flavour, limit, REQUEST_TIMEOUT_MS, cancellation).await
}

/// [`execute_all`] with another timeout per request.
pub async fn execute_all_within(
    requests: &[ApiRequest],
    flavour: Flavour,
    limit: usize,
    timeout_ms: u32,
    cancellation: &Cancellation,
) -> Vec<Result<ApiResponse, ApiError>> {
    // Unordered, so that a slow answer does not hold a slot while later ones have arrived: `limit`
    // requests stay in flight until the last ones. The answers are put back in request order.
    let mut answers: Vec<(usize, Result<ApiResponse, ApiError>)> =
        stream::iter(requests.iter().enumerate())
            .map(|(index, request)| async move {
                (
                    index,
                    execute_within(request, flavour, timeout_ms, cancellation).await,
                )
            })
            .buffer_unordered(limit.max(1))
            .collect()
            .await;
    answers.sort_unstable_by_key(|(index, _)| *index);
    answers.into_iter().map(|(_, answer)| answer).collect()
}

/// Sends one request: the answer, a redirect or a header refused, or a failure without any answer.
async fn send(
    request: &ApiRequest,
    controller: &AbortController,
) -> Result<Result<ApiResponse, ApiError>, JsValue> {
    let headers = web_sys::Headers::new()?;
    for (name, value) in &request.headers {
        // The browser refuses a value it cannot send (e.g. a token with an invisible character).
        if headers.append(name, value).is_err() {
            return Ok(Err(ApiError::UnsendableHeader { name: name.clone() }));
        }
    }
    let builder = RequestBuilder::new(&request.url)
        .method(method(request.method))
        .headers(Headers::from_raw(headers))
        .credentials(RequestCredentials::Omit)
        // Answers to authenticated requests are never kept in (or read from) the browser's HTTP cache.
        .cache(RequestCache::NoStore)
        // A redirect could carry the token elsewhere: never followed, and reported as what it is.
        .redirect(RequestRedirect::Manual)
        .abort_signal(Some(&controller.signal()));
    let prepared = match &request.body {
        None => builder.build(),
        Some(RequestBody::Json(text)) => builder.body(text.clone()),
        Some(RequestBody::Form(pairs)) => builder.body(form_urlencoded(pairs)?),
        Some(RequestBody::Multipart(parts)) => {
            let encoded = multipart::encode(parts, random_u64());
            builder
                .header("Content-Type", &encoded.content_type)
                .body(Uint8Array::from(encoded.body.as_slice()))
        }
        Some(RequestBody::Bytes(raw)) => builder
            .header("Content-Type", &raw.content_type)
            .body(Uint8Array::from(raw.bytes.as_slice())),
    }
    .map_err(|e| JsValue::from_str(&e.to_string()))?;
    let response = prepared
        .send()
        .await
        .map_err(|e| JsValue::from_str(&e.to_string()))?;
    if response.type_() == ResponseType::Opaqueredirect {
        return Ok(Err(ApiError::Redirected));
    }
    let (status, headers) = (response.status(), response.headers().entries().collect());
    let length = response.headers().get("content-length");
    let read = match BodyReader::new(request.max_response_bytes, length.as_deref()) {
        Ok(reader) => read_body(response.body(), reader).await?,
        Err(refused) => Err(refused),
    };
    Ok(Ok(match read {
        Ok(body) => ApiResponse {
            status,
            headers,
            body,
            too_large: None,
        },
        Err(refused) => {
            // Stops the download: the body is not wanted.
            controller.abort();
            ApiResponse::too_large(status, headers, refused)
        }
    }))
}

/// Reads a body chunk by chunk as it arrives, stopping (and cancelling the stream) at the chunk that
/// takes it over the reader's limit, so that no more than the limit is ever held.
async fn read_body(
    stream: Option<ReadableStream>,
    mut reader: BodyReader,
) -> Result<Result<Vec<u8>, BodyTooLarge>, JsValue> {
    let Some(stream) = stream else {
        return Ok(Ok(reader.finish()));
    };
    let chunks = ReadableStreamDefaultReader::new(&stream)?;
    loop {
        let next: ReadableStreamReadResult = JsFuture::from(chunks.read()).await?.unchecked_into();
        if next.get_done().unwrap_or(true) {
            return Ok(Ok(reader.finish()));
        }
        let chunk = Uint8Array::new(&next.get_value());
        if let Err(refused) = reader.push(&chunk.to_vec()) {
            // The stream is dropped either way; a failure to cancel it changes nothing.
            let _ = chunks.cancel();
            return Ok(Err(refused));
        }
    }
}

fn method(method: Method) -> gloo_net::http::Method {
    match method {
        Method::Get => gloo_net::http::Method::GET,
        Method::Post => gloo_net::http::Method::POST,
        Method::Put => gloo_net::http::Method::PUT,
    }
}

fn form_urlencoded(pairs: &[(String, String)]) -> Result<UrlSearchParams, JsValue> {
    let params = UrlSearchParams::new()?;
    for (name, value) in pairs {
        params.append(name, value);
    }
    Ok(params)
}

/// Whether `url` is on another origin than the page (so CORS applies to it).
fn is_cross_origin(url: &str) -> bool {
    let page = web_sys::window().and_then(|w| w.location().origin().ok());
    match (page, url::Url::parse(url)) {
        (Some(page), Ok(target)) => target.origin().ascii_serialization() != page,
        _ => true,
    }
}
