//! `GET …/archive?at=&format=zip&path=&prefix=`: the repository's files at a commit as one zip, like
//! `git archive`: entries named by their repository paths (after `prefix`), folders as entries of their
//! own, links as links, executables with their mode. `path` may repeat; none means the whole tree.

use std::collections::BTreeSet;
use std::io::{Cursor, Write};

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::content::at;
use crate::call::Call;
use crate::errors::DcError;
use crate::store::FileMode;

/// Path of a repository resource.
#[derive(serde::Deserialize)]
pub struct RepoPath {
    #[serde(rename = "projectKey")]
    key: String,
    #[serde(rename = "repositorySlug")]
    slug: String,
}

/// The archive of the asked paths at `at` (default: the default branch). Only `format=zip` (the
/// default) is served; Bitbucket's `tar` and `tar.gz` answer 400 here.
pub async fn archive(
    call: Call,
    Path(RepoPath { key, slug }): Path<RepoPath>,
) -> Result<Response, DcError> {
    let (ctx, params, oid, rev) = at(&call, &key, &slug)?;
    let format = params.get("format").unwrap_or("zip");
    if format != "zip" {
        return Err(DcError::new(
            StatusCode::BAD_REQUEST,
            format!("The archive format \"{format}\" is not served by the sandbox; use \"zip\"."),
            "com.atlassian.bitbucket.scm.ArchiveFormatException",
        ));
    }
    let mut paths: Vec<&str> = params.all("path").collect();
    if paths.is_empty() {
        paths.push("");
    }
    let mut files = Vec::new();
    for path in paths {
        let blobs = call
            .state
            .store()
            .repo(&ctx.key)
            .ok()
            .and_then(|repo| repo.blobs(oid, path))
            .ok_or_else(|| DcError::no_such_path(path, &rev))?;
        files.extend(blobs);
    }
    let prefix = match params.get("prefix").map(|p| p.trim_matches('/')) {
        None | Some("") => String::new(),
        Some(prefix) => format!("{prefix}/"),
    };
    let bytes = write_zip(&prefix, files).map_err(|error| {
        DcError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            error,
            "java.io.IOException",
        )
    })?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    let name = format!("attachment; filename=\"{}-{oid}.zip\"", ctx.repo.slug);
    if let Ok(value) = HeaderValue::from_str(&name) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// The zip of `files` (repository path, mode, bytes) below `prefix`, with an entry for each folder.
fn write_zip(prefix: &str, files: Vec<(String, FileMode, Vec<u8>)>) -> Result<Vec<u8>, String> {
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::default());
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let mut folders = BTreeSet::new();
    let mut written = BTreeSet::new();
    for (path, mode, data) in files {
        if !written.insert(path.clone()) {
            continue;
        }
        for (end, _) in path.match_indices('/') {
            let folder = &path[..=end];
            if folders.insert(folder.to_owned()) {
                writer
                    .add_directory(format!("{prefix}{folder}"), options)
                    .map_err(|e| e.to_string())?;
            }
        }
        let name = format!("{prefix}{path}");
        match mode {
            FileMode::Link => writer
                .add_symlink(name, String::from_utf8_lossy(&data), options)
                .map_err(|e| e.to_string())?,
            FileMode::Executable | FileMode::Regular | FileMode::Submodule => {
                let permissions = if mode == FileMode::Executable {
                    0o755
                } else {
                    0o644
                };
                writer
                    .start_file(name, options.unix_permissions(permissions))
                    .map_err(|e| e.to_string())?;
                writer.write_all(&data).map_err(|e| e.to_string())?;
            }
        }
    }
    let cursor = writer.finish().map_err(|e| e.to_string())?;
    Ok(cursor.into_inner())
}
