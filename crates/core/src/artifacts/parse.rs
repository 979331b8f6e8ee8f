//! Parsing a JSON file of the layout, with the line and column of what is wrong.

use serde::de::DeserializeOwned;

use super::tree_error::TreeErrorKind;

/// Parses a JSON file strictly; a problem names its line and column.
pub(super) fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, TreeErrorKind> {
    serde_json::from_slice(bytes).map_err(|error| {
        let text = error.to_string();
        let message = text
            .rsplit_once(" at line ")
            .map_or(text.as_str(), |(message, _)| message)
            .to_owned();
        TreeErrorKind::InvalidJson {
            line: error.line(),
            column: error.column(),
            message,
        }
    })
}
