//! The modes of files, read from a Data Center archive (`GET …/archive?at=…&format=zip&path=…`):
//! `git archive` writes each entry's Unix mode, a symbolic link as a link and an executable with
//! its execute bits, which folder listings do not tell. Only the entries' headers are read; their
//! contents are never inflated.

use std::collections::BTreeMap;
use std::io::Cursor;

use super::objects::FileMode;

/// The Unix file type bits of a symbolic link.
const SYMLINK: u32 = 0o120000;
/// The file type mask of a Unix mode.
const FILE_TYPE: u32 = 0o170000;

/// An archive that cannot be read, or whose entry says no mode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArchiveModeError {
    /// Not a zip archive that can be read.
    #[error("the archive cannot be read: {0}")]
    Zip(String),
    /// An entry without a Unix mode (an archive not written by git).
    #[error("the archive gives no mode for {0:?}")]
    NoMode(String),
}

/// The mode of every file of a zip archive, by repository path (the archive's `prefix`, if any,
/// removed); folders are left out.
pub fn archive_modes(
    zip: &[u8],
    prefix: &str,
) -> Result<BTreeMap<String, FileMode>, ArchiveModeError> {
    let failed = |e: zip::result::ZipError| ArchiveModeError::Zip(e.to_string());
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).map_err(failed)?;
    let mut modes = BTreeMap::new();
    for index in 0..archive.len() {
        let entry = archive.by_index_raw(index).map_err(failed)?;
        if entry.is_dir() {
            continue;
        }
        let name = entry.name();
        let path = name.strip_prefix(prefix).unwrap_or(name).to_owned();
        let unix = entry
            .unix_mode()
            .ok_or_else(|| ArchiveModeError::NoMode(path.clone()))?;
        let mode = match (unix & FILE_TYPE == SYMLINK, unix & 0o111 != 0) {
            (true, _) => FileMode::Symlink,
            (false, true) => FileMode::Executable,
            (false, false) => FileMode::Regular,
        };
        modes.insert(path, mode);
    }
    Ok(modes)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use zip::write::SimpleFileOptions;

    use super::*;

    #[test]
    fn links_and_executables_are_told_from_regular_files() {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = SimpleFileOptions::default();
        writer.add_directory("repo/bin/", options).unwrap();
        writer
            .start_file("repo/bin/gradlew", options.unix_permissions(0o755))
            .unwrap();
        writer.write_all(b"#!/bin/sh").unwrap();
        writer
            .start_file("repo/README.md", options.unix_permissions(0o644))
            .unwrap();
        writer.write_all(b"# readme").unwrap();
        writer
            .add_symlink("repo/docs", "README.md", options)
            .unwrap();
        let zip = writer.finish().unwrap().into_inner();

        let modes = archive_modes(&zip, "repo/").unwrap();
        assert_eq!(
            modes,
            BTreeMap::from([
                ("README.md".to_owned(), FileMode::Regular),
                ("bin/gradlew".to_owned(), FileMode::Executable),
                ("docs".to_owned(), FileMode::Symlink),
            ])
        );
        assert!(matches!(
            archive_modes(b"not a zip", ""),
            Err(ArchiveModeError::Zip(_))
        ));
    }
}
