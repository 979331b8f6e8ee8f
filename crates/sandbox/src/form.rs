//! Form bodies (`multipart/form-data` and `application/x-www-form-urlencoded`) as raw fields.

use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header;

/// One form field, value kept as bytes.
#[derive(Debug, Clone)]
pub struct Field {
    /// Field name.
    pub name: String,
    /// File name from `Content-Disposition` (multipart uploads).
    pub filename: Option<String>,
    /// The `x-attributes` parameter of `Content-Disposition` (Cloud uploads: `executable`, `link`).
    pub attributes: Option<String>,
    /// Raw value.
    pub data: Vec<u8>,
}

/// The kind of form a request carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKind {
    /// `multipart/form-data`.
    Multipart,
    /// `application/x-www-form-urlencoded`.
    UrlEncoded,
    /// Anything else.
    Other,
}

/// The form kind of a request, from its `Content-Type`.
pub fn kind(request: &Request) -> FormKind {
    let ct = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if ct.starts_with("multipart/form-data") {
        FormKind::Multipart
    } else if ct.starts_with("application/x-www-form-urlencoded") {
        FormKind::UrlEncoded
    } else {
        FormKind::Other
    }
}

/// Reads every field of a form body.
pub async fn read(request: Request) -> Result<Vec<Field>, String> {
    match kind(&request) {
        FormKind::Multipart => {
            let mut multipart = Multipart::from_request(request, &())
                .await
                .map_err(|e| e.body_text())?;
            let mut fields = Vec::new();
            while let Some(field) = multipart.next_field().await.map_err(|e| e.body_text())? {
                let name = field.name().unwrap_or_default().to_string();
                let filename = field.file_name().map(str::to_string);
                let attributes = field
                    .headers()
                    .get(header::CONTENT_DISPOSITION)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| parameter(v, "x-attributes"));
                let data = field.bytes().await.map_err(|e| e.body_text())?.to_vec();
                fields.push(Field {
                    name,
                    filename,
                    attributes,
                    data,
                });
            }
            Ok(fields)
        }
        FormKind::UrlEncoded => {
            // The body-limit middleware has already bounded the body.
            let body = axum::body::to_bytes(request.into_body(), usize::MAX)
                .await
                .map_err(|e| e.to_string())?;
            Ok(body
                .split(|b| *b == b'&')
                .filter(|pair| !pair.is_empty())
                .map(|pair| {
                    let mut it = pair.splitn(2, |b| *b == b'=');
                    let name = decode(it.next().unwrap_or_default());
                    let data = decode(it.next().unwrap_or_default());
                    Field {
                        name: String::from_utf8_lossy(&name).into_owned(),
                        filename: None,
                        attributes: None,
                        data,
                    }
                })
                .collect())
        }
        FormKind::Other => {
            Err("Expected multipart/form-data or application/x-www-form-urlencoded".to_string())
        }
    }
}

/// The value of parameter `name` of a header such as `Content-Disposition` (quotes removed).
fn parameter(header: &str, name: &str) -> Option<String> {
    header.split(';').skip(1).find_map(|part| {
        let (key, value) = part.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case(name)
            .then(|| value.trim().trim_matches('"').to_string())
    })
}

fn decode(raw: &[u8]) -> Vec<u8> {
    let spaced: Vec<u8> = raw
        .iter()
        .map(|b| if *b == b'+' { b' ' } else { *b })
        .collect();
    percent_encoding::percent_decode(&spaced).collect()
}
