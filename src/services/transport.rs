//! Executes core's request descriptions with the browser's `fetch`: a timeout, no cookies, and exactly
//! the headers the description carries.

use gloo_net::http::{Headers, RequestBuilder};
use js_sys::Uint8Array;
use versioning_core::bitbucket::{ApiError, ApiRequest, ApiResponse, Method, RequestBody};
use versioning_core::Flavour;
use wasm_bindgen::JsValue;
use web_sys::{
    AbortController, Blob, BlobPropertyBag, FormData, RequestCredentials, UrlSearchParams,
};

/// How long one request may take before it is abandoned.
pub const REQUEST_TIMEOUT_MS: u32 = 30_000;

/// Sends one request and returns whatever status came back; fails only when no answer was readable.
pub async fn execute(request: &ApiRequest, flavour: Flavour) -> Result<ApiResponse, ApiError> {
    let failed = || ApiError::from_fetch_failure(flavour, is_cross_origin(&request.url));
    let controller = AbortController::new().map_err(|_| failed())?;
    let headers = Headers::new();
    for (name, value) in &request.headers {
        headers.append(name, value);
    }
    let builder = RequestBuilder::new(&request.url)
        .method(method(request.method))
        .headers(headers)
        .credentials(RequestCredentials::Omit)
        .abort_signal(Some(&controller.signal()));
    let prepared = match &request.body {
        None => builder.build(),
        Some(RequestBody::Json(text)) => builder.body(text.clone()),
        Some(RequestBody::Form(pairs)) => {
            builder.body(form_urlencoded(pairs).map_err(|_| failed())?)
        }
        Some(RequestBody::Multipart(parts)) => {
            builder.body(multipart(parts).map_err(|_| failed())?)
        }
    }
    .map_err(|_| failed())?;

    let timer = {
        let controller = controller.clone();
        gloo_timers::callback::Timeout::new(REQUEST_TIMEOUT_MS, move || controller.abort())
    };
    let sent = prepared.send().await;
    let timed_out = controller.signal().aborted();
    drop(timer);
    let response = match sent {
        Ok(response) => response,
        Err(_) if timed_out => return Err(ApiError::Timeout),
        Err(_) => return Err(failed()),
    };
    let headers = response.headers().entries().collect();
    let body = match response.binary().await {
        Ok(body) => body,
        Err(_) if controller.signal().aborted() => return Err(ApiError::Timeout),
        Err(_) => return Err(failed()),
    };
    Ok(ApiResponse {
        status: response.status(),
        headers,
        body,
    })
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

/// A `FormData` body; file parts go as blobs so their bytes are sent exactly.
fn multipart(parts: &[versioning_core::bitbucket::MultipartPart]) -> Result<FormData, JsValue> {
    let form = FormData::new()?;
    for part in parts {
        match &part.filename {
            Some(filename) => {
                let bytes = Uint8Array::from(part.content.as_slice());
                let options = BlobPropertyBag::new();
                options.set_type(&part.content_type);
                let blob = Blob::new_with_u8_array_sequence_and_options(
                    &js_sys::Array::of1(&bytes),
                    &options,
                )?;
                form.append_with_blob_and_filename(&part.name, &blob, filename)?;
            }
            None => form.append_with_str(&part.name, &String::from_utf8_lossy(&part.content))?,
        }
    }
    Ok(form)
}

/// Whether `url` is on another origin than the page (so CORS applies to it).
fn is_cross_origin(url: &str) -> bool {
    let page = web_sys::window().and_then(|w| w.location().origin().ok());
    match (page, url::Url::parse(url)) {
        (Some(page), Ok(target)) => target.origin().ascii_serialization() != page,
        _ => true,
    }
}
