//! What an error body of either product (or a proxy's plain text) says: messages, exceptions, scopes.

use serde_json::Value;

use super::context::ErrorContext;

/// What can be read from an error body of either product (or from plain text).
pub(super) struct ErrorBody {
    /// Bitbucket's message(s), joined and scrubbed.
    pub(super) message: Option<String>,
    /// Data Center exception class names.
    pub(super) exceptions: Vec<String>,
    /// Cloud `error.detail.required`.
    pub(super) required_scopes: Vec<String>,
    /// Cloud `error.detail.granted`, when present.
    pub(super) granted_scopes: Option<Vec<String>>,
    /// The whole body as text, for markers like "XSRF check failed".
    pub(super) text: String,
    /// The body is in the product's error shape (Cloud's `error`, Data Center's `errors`), not a
    /// proxy's page.
    pub(super) product_shaped: bool,
}

impl ErrorBody {
    /// Reads an error body in either product's shape, or as plain text, scrubbed of the context's secrets.
    pub(super) fn parse(bytes: &[u8], context: &ErrorContext) -> ErrorBody {
        let text = String::from_utf8_lossy(bytes).into_owned();
        let mut body = ErrorBody {
            message: None,
            exceptions: Vec::new(),
            required_scopes: Vec::new(),
            granted_scopes: None,
            text,
            product_shaped: false,
        };
        let parts = match serde_json::from_slice::<Value>(bytes) {
            Ok(json) => body.read_json(&json),
            Err(_) => plain_text(&body.text).into_iter().collect(),
        };
        let joined = parts
            .iter()
            .map(|part| part.trim())
            .filter(|part| !part.is_empty())
            .map(sentence)
            .collect::<Vec<_>>()
            .join(" ");
        body.message = Some(context.scrub(&joined)).filter(|m| !m.is_empty());
        body
    }

    /// Reads Cloud's `{"type":"error","error":{…}}` and Data Center's `{"errors":[…]}`; returns the messages.
    fn read_json(&mut self, json: &Value) -> Vec<String> {
        let mut parts = Vec::new();
        self.product_shaped = json.get("error").is_some() || json.get("errors").is_some();
        if let Some(error) = json.get("error") {
            parts.extend(str_at(error, "message"));
            match error.get("detail") {
                Some(Value::String(detail)) => parts.push(detail.clone()),
                Some(detail @ Value::Object(_)) => {
                    self.required_scopes = strings_at(detail, "required").unwrap_or_default();
                    self.granted_scopes = strings_at(detail, "granted");
                }
                _ => {}
            }
            if let Some(Value::Object(fields)) = error.get("fields") {
                for (field, problems) in fields {
                    let problems: Vec<&str> = match problems {
                        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
                        other => other.as_str().into_iter().collect(),
                    };
                    parts.push(format!("{field}: {}", problems.join(" ")));
                }
            }
        }
        for entry in json
            .get("errors")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            parts.extend(str_at(entry, "message"));
            self.exceptions.extend(str_at(entry, "exceptionName"));
            for veto in entry
                .get("vetoes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                parts.extend(
                    str_at(veto, "detailedMessage").or_else(|| str_at(veto, "summaryMessage")),
                );
            }
        }
        parts
    }

    /// Whether Data Center named the exception class `name`.
    pub(super) fn has_exception(&self, name: &str) -> bool {
        self.exceptions.iter().any(|e| e.ends_with(name))
    }
}

/// A short plain-text body (not an HTML page) is a message in itself.
fn plain_text(text: &str) -> Option<String> {
    let trimmed = text.trim();
    let looks_like_markup = trimmed.starts_with('<');
    (!trimmed.is_empty() && !looks_like_markup).then(|| trimmed.to_owned())
}

fn str_at(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn strings_at(value: &Value, key: &str) -> Option<Vec<String>> {
    let items = value.get(key)?.as_array()?;
    Some(
        items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
    )
}

/// `part` ending in punctuation, so that parts read as sentences when joined.
pub(super) fn sentence(part: &str) -> String {
    if part.ends_with(['.', '!', '?', ':']) {
        part.to_owned()
    } else {
        format!("{part}.")
    }
}
