//! Files in and out of the browser: downloads, and files the user picks.

use gloo_timers::callback::Timeout;
use js_sys::{Array, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, File, HtmlAnchorElement, Url};

/// The browser did not offer a file (its name) for download.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("The browser did not offer {0} for download; try again.")]
pub struct DownloadRefused(pub String);

/// A file the user picked (its name) could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("The file {0} could not be read; pick it again.")]
pub struct FileUnreadable(pub String);

/// Offers `bytes` as a download named `file_name`: a Blob, an object URL and a click on a
/// temporary `<a download>`.
pub fn offer_download(file_name: &str, bytes: &[u8], mime: &str) -> Result<(), DownloadRefused> {
    let failed = |_| DownloadRefused(file_name.to_owned());
    let parts = Array::of1(&Uint8Array::from(bytes));
    let properties = BlobPropertyBag::new();
    properties.set_type(mime);
    let blob = Blob::new_with_u8_array_sequence_and_options(&parts, &properties).map_err(failed)?;
    let url = Url::create_object_url_with_blob(&blob).map_err(failed)?;
    let document = web_sys::window()
        .and_then(|window| window.document())
        .ok_or_else(|| failed(JsValue::NULL))?;
    let link: HtmlAnchorElement = document
        .create_element("a")
        .map_err(failed)?
        .unchecked_into();
    link.set_href(&url);
    link.set_download(file_name);
    link.click();
    // The browser reads the URL after the click returns; release it a moment later.
    Timeout::new(60_000, move || {
        let _ = Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
}

/// The content of a file the user picked.
pub async fn read_file(file: &File) -> Result<Vec<u8>, FileUnreadable> {
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|_| FileUnreadable(file.name()))?;
    Ok(Uint8Array::new(&buffer).to_vec())
}
