//! The files a git patch creates: Bitbucket Cloud serves the change between two commits as one raw
//! patch (`GET …/diff/{spec}`), so the patch from a commit without artifacts to a later one holds every
//! artifact file of the later one, whole. Pure functions, no I/O.
//!
//! Only files the patch creates whole are read: a `new file mode` section with one hunk from
//! `/dev/null` (or none, for an empty file). Everything else (changed, deleted or binary files, paths
//! git had to quote) is left out, for a caller that reads what is missing another way and checks every
//! file it keeps. Reading is bounded by [`ArchiveLimits`] like an archive's.

use std::iter::Peekable;

use super::archive::{ArchiveLimits, MAX_INFLATED_BYTES};
use super::ProjectFiles;

/// The largest patch read as an archive (64 MiB): it holds the files it creates whole, as text, so it is
/// bounded as an archive's files are once unpacked ([`MAX_INFLATED_BYTES`]).
pub const MAX_PATCH_BYTES: u64 = MAX_INFLATED_BYTES as u64;

/// The files `patch` creates whole, within `limits`: a file over the size limit, or past the entry or
/// total limits, is left out. Never panics.
///
/// ```
/// use versioning_core::artifacts::archive::ArchiveLimits;
/// use versioning_core::artifacts::patch::added_files;
/// let patch = b"diff --git a/t/a.json b/t/a.json\nnew file mode 100644\nindex 0000000..e965047\n\
/// --- /dev/null\n+++ b/t/a.json\n@@ -0,0 +1,2 @@\n+{\n+}\n\\ No newline at end of file\n";
/// let files = added_files(patch, &ArchiveLimits::default());
/// assert_eq!(files["t/a.json"], b"{\n}");
/// ```
pub fn added_files(patch: &[u8], limits: &ArchiveLimits) -> ProjectFiles {
    let mut files = ProjectFiles::new();
    let mut total = 0usize;
    let mut lines = patch.split_inclusive(|&byte| byte == b'\n').peekable();
    while let Some(line) = lines.next() {
        let Some(names) = line.strip_prefix(b"diff --git ") else {
            continue;
        };
        let mut section = Section::default();
        while let Some(line) = lines.next_if(|l| !l.starts_with(b"diff --git ")) {
            if line.starts_with(b"@@ ") {
                section.content = hunk_length(line)
                    .and_then(|count| read_hunk(&mut lines, count, limits.max_file_bytes));
                break;
            }
            section.read_header(line);
        }
        let Some((path, content)) = section.file(names) else {
            continue;
        };
        let fits = content.len() <= limits.max_file_bytes
            && total + content.len() <= limits.max_total_bytes
            && files.len() < limits.max_entries;
        if fits {
            total += content.len();
            files.insert(path, content);
        }
    }
    files
}

/// The file a hunk of `count` added lines creates, read from `lines`: `None` when the hunk is not whole,
/// or as soon as the file passes `max_bytes` (the hunk's other lines are then left to the caller, which
/// skips them), so that no more than `max_bytes` of one file is ever built.
fn read_hunk<'a>(
    lines: &mut Peekable<impl Iterator<Item = &'a [u8]>>,
    count: usize,
    max_bytes: usize,
) -> Option<Vec<u8>> {
    let mut content = Vec::new();
    for _ in 0..count {
        let line = lines.next_if(|l| l.starts_with(b"+"))?;
        // One byte over is allowed until the end: "\ No newline at end of file" may take it back.
        if content.len() + line.len() - 1 > max_bytes.saturating_add(1) {
            return None;
        }
        content.extend_from_slice(&line[1..]);
    }
    if lines.next_if(|l| l.starts_with(b"\\ ")).is_some() && content.last() == Some(&b'\n') {
        content.pop();
    }
    (content.len() <= max_bytes).then_some(content)
}

/// What the header of one file's section says.
#[derive(Default)]
struct Section {
    new_file: bool,
    from_nothing: bool,
    path: Option<Vec<u8>>,
    binary: bool,
    /// The content of its hunk: `None` when there is none, or when it is not one whole new file.
    content: Option<Vec<u8>>,
}

impl Section {
    fn read_header(&mut self, line: &[u8]) {
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        if line == b"new file mode 100644" || line == b"new file mode 100755" {
            self.new_file = true;
        } else if line == b"--- /dev/null" {
            self.from_nothing = true;
        } else if let Some(path) = line.strip_prefix(b"+++ b/") {
            // Git ends a name that holds a space with a tab there.
            let path = match path.strip_suffix(b"\t") {
                Some(name) if name.contains(&b' ') => name,
                _ => path,
            };
            self.path = Some(path.to_vec());
        } else if line.starts_with(b"Binary files ") || line == b"GIT binary patch" {
            self.binary = true;
        }
    }

    /// The path and content of the file the section creates, if it creates one whole.
    fn file(self, names: &[u8]) -> Option<(String, Vec<u8>)> {
        if !self.new_file || self.binary {
            return None;
        }
        let has_hunk = self.content.is_some() || self.path.is_some();
        let (path, content) = match has_hunk {
            true if self.from_nothing => (self.path?, self.content?),
            true => return None,
            false => (same_names(names)?, Vec::new()),
        };
        let path = String::from_utf8(path).ok()?;
        (!path.starts_with('"')).then_some((path, content))
    }
}

/// `P` of `a/P b/P` (the names of a section's first line), when both sides name the same path.
fn same_names(names: &[u8]) -> Option<Vec<u8>> {
    let names = names.strip_suffix(b"\n").unwrap_or(names);
    let half = names.len().checked_sub(5)? / 2;
    let (old, new) = (names.get(2..2 + half)?, names.get(5 + half..)?);
    let shape = names.starts_with(b"a/") && names.get(2 + half..5 + half) == Some(b" b/");
    (shape && old == new).then(|| new.to_vec())
}

/// The number of lines of a hunk that creates a file: `N` of `@@ -0,0 +1,N @@` (`@@ -0,0 +1 @@` is one
/// line); `None` for any other hunk.
fn hunk_length(line: &[u8]) -> Option<usize> {
    let rest = std::str::from_utf8(line.strip_prefix(b"@@ -0,0 +")?).ok()?;
    let (range, _) = rest.split_once(" @@")?;
    match range.split_once(',') {
        None if range == "1" => Some(1),
        Some(("1", count)) => count.parse().ok(),
        _ => None,
    }
}
