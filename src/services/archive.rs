//! Project archives: the repository layout (exactly the files a push writes) as a `.zip`, and back.
//! Pure functions, no browser: they run and are tested on the host too.

use std::io::{Cursor, Read, Write};

use versioning_core::artifacts::{from_files, LayoutOptions, Project, ProjectFiles, ReadLimits};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

/// Bounds on what an archive may hold, so that a hostile file cannot exhaust the browser's memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveLimits {
    /// The most entries (files and folders).
    pub max_entries: usize,
    /// The largest file, uncompressed, in bytes.
    pub max_file_bytes: usize,
    /// The largest sum of all files, uncompressed, in bytes.
    pub max_total_bytes: usize,
}

impl Default for ArchiveLimits {
    fn default() -> Self {
        ArchiveLimits {
            max_entries: 200_000,
            max_file_bytes: ReadLimits::default().max_file_bytes,
            max_total_bytes: 512 * 1024 * 1024,
        }
    }
}

/// A problem with one file of an archive; `path` is empty when it concerns the whole archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileProblem {
    /// The path inside the archive.
    pub path: String,
    /// What is wrong and what to do.
    pub message: String,
}

impl FileProblem {
    fn archive(message: String) -> Self {
        FileProblem {
            path: String::new(),
            message,
        }
    }

    fn file(path: &str, message: String) -> Self {
        FileProblem {
            path: path.to_owned(),
            message,
        }
    }
}

/// The files as a `.zip`: deflated, in path order, all dated 1980-01-01, so the same files always give
/// the same bytes.
pub fn write_zip(files: &ProjectFiles) -> Result<Vec<u8>, FileProblem> {
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    for (path, bytes) in files {
        let written = writer
            .start_file(path.as_str(), options)
            .map_err(|error| error.to_string())
            .and_then(|()| writer.write_all(bytes).map_err(|error| error.to_string()));
        written
            .map_err(|message| FileProblem::file(path, format!("cannot be archived: {message}")))?;
    }
    let cursor = writer.finish().map_err(|error| {
        FileProblem::archive(format!("the archive cannot be finished: {error}"))
    })?;
    Ok(cursor.into_inner())
}

/// Reads one entry, within the limits; `budget` is what is left of the total.
fn read_entry(
    archive: &mut ZipArchive<Cursor<&[u8]>>,
    index: usize,
    limits: &ArchiveLimits,
    budget: usize,
) -> Result<Option<(String, Vec<u8>)>, FileProblem> {
    let name = archive.name_for_index(index).unwrap_or_default().to_owned();
    let problem = |message: String| FileProblem::file(&name, message);
    let mut entry = archive
        .by_index(index)
        .map_err(|error| problem(format!("cannot be read: {error}")))?;
    if entry.is_dir() {
        return Ok(None);
    }
    let limit = limits.max_file_bytes.min(budget);
    let too_large = || {
        problem(format!(
            "is larger than {} bytes uncompressed (the limit per file, or what is left of the limit for the whole archive)",
            limit
        ))
    };
    if entry.size() > limit as u64 {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(entry.size() as usize);
    (&mut entry)
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| problem(format!("is damaged and cannot be unpacked: {error}")))?;
    if bytes.len() > limit {
        return Err(too_large());
    }
    Ok(Some((name, bytes)))
}

/// The files of a `.zip` (folders skipped), or every problem found, file by file. Never panics.
pub fn read_zip(bytes: &[u8], limits: &ArchiveLimits) -> Result<ProjectFiles, Vec<FileProblem>> {
    let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(|error| {
        vec![FileProblem::archive(format!(
            "This is not a readable .zip archive ({error}). Choose a file exported from this app."
        ))]
    })?;
    if archive.len() > limits.max_entries {
        return Err(vec![FileProblem::archive(format!(
            "The archive has {} entries, more than the limit of {}.",
            archive.len(),
            limits.max_entries
        ))]);
    }
    let mut files = ProjectFiles::new();
    let mut problems = Vec::new();
    let mut total = 0usize;
    for index in 0..archive.len() {
        let budget = limits.max_total_bytes.saturating_sub(total);
        match read_entry(&mut archive, index, limits, budget) {
            Ok(Some((name, content))) => {
                total += content.len();
                if files.insert(name.clone(), content).is_some() {
                    let message = "appears more than once in the archive; keep one".to_owned();
                    problems.push(FileProblem::file(&name, message));
                }
            }
            Ok(None) => {}
            Err(problem) => problems.push(problem),
        }
    }
    if problems.is_empty() {
        Ok(files)
    } else {
        Err(problems)
    }
}

/// The project in a `.zip` of the repository layout (default root folder), or every problem found:
/// the archive's, then core's reading errors, each against its file.
pub fn read_project(bytes: &[u8], limits: &ArchiveLimits) -> Result<Project, Vec<FileProblem>> {
    let files = read_zip(bytes, limits)?;
    let read_limits = ReadLimits {
        max_file_bytes: limits.max_file_bytes,
        ..ReadLimits::default()
    };
    from_files(&files, &LayoutOptions::default(), &read_limits).map_err(|errors| {
        errors
            .0
            .into_iter()
            .map(|error| FileProblem::file(&error.path, error.kind.to_string()))
            .collect()
    })
}
