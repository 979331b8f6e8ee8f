//! Project archives: the repository layout (exactly the files a push writes) as a `.zip`, and back.
//! Pure functions, no I/O: the app's import and export use them, and so does a pull that reads a
//! repository archive (Data Center).
//!
//! Reading is bounded by [`ArchiveLimits`]: the file's size is checked before it is read
//! ([`check_archive_size`]), then the entries are inflated one at a time, each within the limits that
//! remain. The browser reads and writes archives in a worker, off the page's thread.

use std::io::{Cursor, Read, Write};

use super::{from_files, LayoutOptions, Project, ProjectFiles, ReadLimits, MANIFEST_FILE};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

/// The largest `.zip` accepted for import, in bytes (128 MiB: a project of 100,000 test cases packs into
/// about 80 MiB), checked on the file's size before it is read.
pub const MAX_ARCHIVE_BYTES: u64 = 128 * 1024 * 1024;

/// The largest sum of all files of an archive, uncompressed (512 MiB: a project of 100,000 test cases is
/// about 170 MiB of files).
pub const MAX_INFLATED_BYTES: usize = 512 * 1024 * 1024;

/// The largest single file of an archive, uncompressed (2 MiB; an exported artifact is a few KiB).
pub const MAX_ENTRY_BYTES: usize = 2 * 1024 * 1024;

/// The most entries of an archive (250,000 files and folders: a project of 100,000 test cases has about
/// 106,000 files).
pub const MAX_ENTRIES: usize = 250_000;

/// Bounds on what an archive may hold, so that a hostile file cannot exhaust the browser's memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveLimits {
    /// The largest archive file, compressed, in bytes: checked before the file is read.
    pub max_archive_bytes: u64,
    /// The most entries (files and folders).
    pub max_entries: usize,
    /// The largest file, uncompressed, in bytes.
    pub max_file_bytes: usize,
    /// The largest manifest, uncompressed, in bytes: it lists every other file, so it grows with the
    /// project.
    pub max_manifest_bytes: usize,
    /// The largest sum of all files, uncompressed, in bytes.
    pub max_total_bytes: usize,
}

impl Default for ArchiveLimits {
    fn default() -> Self {
        ArchiveLimits {
            max_archive_bytes: MAX_ARCHIVE_BYTES,
            max_entries: MAX_ENTRIES,
            max_file_bytes: MAX_ENTRY_BYTES.min(ReadLimits::default().max_file_bytes),
            max_manifest_bytes: ReadLimits::default().max_manifest_bytes,
            max_total_bytes: MAX_INFLATED_BYTES,
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

/// Refuses an archive file larger than [`ArchiveLimits::max_archive_bytes`], from its size alone (the
/// browser's `File.size`), before any byte of it is read.
pub fn check_archive_size(size_bytes: f64, limits: &ArchiveLimits) -> Result<(), FileProblem> {
    let limit = limits.max_archive_bytes as f64;
    if size_bytes.is_finite() && size_bytes <= limit {
        return Ok(());
    }
    let mib = |bytes: f64| bytes / (1024.0 * 1024.0);
    Err(FileProblem::archive(format!(
        "This file is {:.1} MiB; a project archive may be at most {:.0} MiB. Choose a .zip exported from \
         Test artifacts.",
        mib(size_bytes),
        mib(limit)
    )))
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
    let per_file = match name == LayoutOptions::default().full_path(MANIFEST_FILE) {
        true => limits.max_manifest_bytes,
        false => limits.max_file_bytes,
    };
    let limit = per_file.min(budget);
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

/// Reads an archive entry by entry, within the limits. Never panics.
struct ZipReader<'a> {
    archive: ZipArchive<Cursor<&'a [u8]>>,
    limits: ArchiveLimits,
    total: usize,
    files: ProjectFiles,
    problems: Vec<FileProblem>,
}

impl<'a> ZipReader<'a> {
    /// Opens an archive: reads its central directory and checks the number of entries.
    fn open(bytes: &'a [u8], limits: &ArchiveLimits) -> Result<Self, Vec<FileProblem>> {
        let archive = ZipArchive::new(Cursor::new(bytes)).map_err(|error| {
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
        Ok(ZipReader {
            archive,
            limits: limits.clone(),
            total: 0,
            files: ProjectFiles::new(),
            problems: Vec::new(),
        })
    }

    /// Reads every entry, each within what the limits leave.
    fn read_all(&mut self) {
        for index in 0..self.archive.len() {
            let budget = self.limits.max_total_bytes.saturating_sub(self.total);
            match read_entry(&mut self.archive, index, &self.limits, budget) {
                Ok(Some((name, content))) => {
                    self.total += content.len();
                    if self.files.insert(name.clone(), content).is_some() {
                        let message = "appears more than once in the archive; keep one".to_owned();
                        self.problems.push(FileProblem::file(&name, message));
                    }
                }
                Ok(None) => {}
                Err(problem) => self.problems.push(problem),
            }
        }
    }

    /// The files read, or every problem found.
    fn finish(self) -> Result<ProjectFiles, Vec<FileProblem>> {
        if self.problems.is_empty() {
            Ok(self.files)
        } else {
            Err(self.problems)
        }
    }
}

/// The files of a `.zip` (folders skipped), or every problem found, file by file. Never panics.
pub fn read_zip(bytes: &[u8], limits: &ArchiveLimits) -> Result<ProjectFiles, Vec<FileProblem>> {
    let mut reader = ZipReader::open(bytes, limits)?;
    reader.read_all();
    reader.finish()
}

/// The files of a `.zip` that could be read within the limits (folders skipped, and the entries that
/// could not be read left out), or none when it is not a readable archive. For a caller that reads
/// what is missing another way, and checks every file it keeps. Never panics.
pub fn zip_files(bytes: &[u8], limits: &ArchiveLimits) -> ProjectFiles {
    match ZipReader::open(bytes, limits) {
        Ok(mut reader) => {
            reader.read_all();
            reader.files
        }
        Err(_) => ProjectFiles::new(),
    }
}

/// The project the files of an archive make, or core's reading errors, each against its file.
pub fn project_from_files(
    files: &ProjectFiles,
    limits: &ArchiveLimits,
) -> Result<Project, Vec<FileProblem>> {
    let read_limits = ReadLimits {
        max_file_bytes: limits.max_file_bytes,
        max_manifest_bytes: limits.max_manifest_bytes,
        ..ReadLimits::default()
    };
    from_files(files, &LayoutOptions::default(), &read_limits).map_err(|errors| {
        errors
            .0
            .into_iter()
            .map(|error| FileProblem::file(&error.path, error.kind.to_string()))
            .collect()
    })
}

/// The project in a `.zip` of the repository layout (default root folder), or every problem found:
/// the archive's, then core's reading errors, each against its file.
pub fn read_project(bytes: &[u8], limits: &ArchiveLimits) -> Result<Project, Vec<FileProblem>> {
    project_from_files(&read_zip(bytes, limits)?, limits)
}
