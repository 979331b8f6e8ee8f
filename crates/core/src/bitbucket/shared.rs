//! Small pieces both products' operations use.

use super::request::ApiResponse;

/// The last segment of a repository path (the multipart file name).
pub(crate) fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Reads a raw file body: the bytes as they are.
pub(crate) fn raw_bytes(response: &ApiResponse) -> Option<Vec<u8>> {
    Some(response.body.clone())
}

/// "The file `path` at `ref`", naming what was not found.
pub(crate) fn subject_path(what: &str, path: &str, at: &str) -> String {
    format!("The {what} `{}` at `{at}`", path.trim_matches('/'))
}
