//! How much of a tree is read: the largest file and manifest, and whether the manifest is checked.

/// The largest artifact file read (4 MiB; an artifact's file is a few KiB, a large data table's rows
/// some hundreds): [`ReadLimits`]' default, and the most a read of one file from a repository takes in.
pub const MAX_FILE_BYTES: usize = 4 * 1024 * 1024;

/// The largest manifest read (16 MiB): it names every other file, about 200 bytes each, so it grows with
/// the project (a 10,000-test-case project's is over 2 MiB), not with one artifact.
pub const MAX_MANIFEST_BYTES: usize = 16 * 1024 * 1024;

/// Limits and checks applied while reading a tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadLimits {
    /// Files larger than this many bytes are refused (default [`MAX_FILE_BYTES`]).
    pub max_file_bytes: usize,
    /// The manifest's own limit (default [`MAX_MANIFEST_BYTES`]).
    pub max_manifest_bytes: usize,
    /// Whether every file must match its SHA-256 in the manifest, when there is one (default `true`).
    pub verify_manifest: bool,
}

impl ReadLimits {
    /// For files a store wrote itself from a project: no size limit, and no manifest to check them against.
    pub fn of_stored_files() -> Self {
        ReadLimits {
            max_file_bytes: usize::MAX,
            max_manifest_bytes: usize::MAX,
            verify_manifest: false,
        }
    }
}

impl Default for ReadLimits {
    fn default() -> Self {
        Self {
            max_file_bytes: MAX_FILE_BYTES,
            max_manifest_bytes: MAX_MANIFEST_BYTES,
            verify_manifest: true,
        }
    }
}
