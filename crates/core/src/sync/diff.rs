//! Line diffs of one file, for the preview's "Diff" of a changed artifact.

use similar::{ChangeTag, TextDiff};

use crate::counts::byte_size;

/// What a line of a diff is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineChange {
    /// Unchanged context.
    Same,
    /// Only in the new version.
    Added,
    /// Only in the old version.
    Removed,
    /// Unchanged lines left out between two hunks.
    Gap,
}

/// One line of a diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffLine {
    /// What it is.
    pub change: LineChange,
    /// The text, without its line ending.
    pub text: String,
}

/// The most lines either side of a line diff may have (5,000: an artifact's file has tens to a few
/// hundred). Comparing takes time that grows with the product of the two sides' lengths when they differ
/// much, on the page's thread.
pub const MAX_DIFF_LINES: usize = 5_000;

/// The most bytes either side of a line diff may have (512 KiB).
pub const MAX_DIFF_BYTES: usize = 512 * 1024;

/// A file too large to compare line by line: one side has more than [`MAX_DIFF_LINES`] lines or
/// [`MAX_DIFF_BYTES`] bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("This file is too large to compare line by line (more than {MAX_DIFF_LINES} lines or {} on one side).", byte_size(MAX_DIFF_BYTES as u64))]
pub struct TooLargeToCompare;

/// The changed lines of a file with `context` unchanged lines around each change, at most `max_lines`
/// lines, and whether more were left out. Bytes that are not UTF-8 are shown as replacement characters.
/// Either side over [`MAX_DIFF_LINES`] or [`MAX_DIFF_BYTES`] is refused before anything is compared.
pub fn line_diff(
    old: &[u8],
    new: &[u8],
    context: usize,
    max_lines: usize,
) -> Result<(Vec<DiffLine>, bool), TooLargeToCompare> {
    let too_large = |side: &[u8]| {
        side.len() > MAX_DIFF_BYTES
            || side.split_inclusive(|&byte| byte == b'\n').count() > MAX_DIFF_LINES
    };
    if too_large(old) || too_large(new) {
        return Err(TooLargeToCompare);
    }
    let (old, new) = (String::from_utf8_lossy(old), String::from_utf8_lossy(new));
    let diff = TextDiff::from_lines(old.as_ref(), new.as_ref());
    let mut lines = Vec::new();
    for (i, group) in diff.grouped_ops(context).iter().enumerate() {
        if i > 0 {
            lines.push(DiffLine {
                change: LineChange::Gap,
                text: "…".to_owned(),
            });
        }
        for op in group {
            for change in diff.iter_changes(op) {
                let kind = match change.tag() {
                    ChangeTag::Equal => LineChange::Same,
                    ChangeTag::Insert => LineChange::Added,
                    ChangeTag::Delete => LineChange::Removed,
                };
                lines.push(DiffLine {
                    change: kind,
                    text: change.value().trim_end_matches(['\n', '\r']).to_owned(),
                });
            }
        }
    }
    let truncated = lines.len() > max_lines;
    lines.truncate(max_lines);
    Ok((lines, truncated))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_changed_lines_with_context_and_gaps() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\ni\n";
        let new = "a\nB\nc\nd\ne\nf\ng\nh\nI\n";
        let (lines, truncated) = line_diff(old.as_bytes(), new.as_bytes(), 1, 100).unwrap();
        let text: Vec<String> = lines
            .iter()
            .map(|l| match l.change {
                LineChange::Same => format!(" {}", l.text),
                LineChange::Added => format!("+{}", l.text),
                LineChange::Removed => format!("-{}", l.text),
                LineChange::Gap => l.text.clone(),
            })
            .collect();
        assert_eq!(text, [" a", "-b", "+B", " c", "…", " h", "-i", "+I"]);
        assert!(!truncated);
        let (lines, truncated) = line_diff(old.as_bytes(), new.as_bytes(), 1, 3).unwrap();
        assert_eq!(lines.len(), 3);
        assert!(truncated);
        assert!(line_diff(b"same\n", b"same\n", 3, 10).unwrap().0.is_empty());
    }

    #[test]
    fn refuses_a_side_over_the_limits_before_comparing() {
        let lines = format!("{}x", "x\n".repeat(MAX_DIFF_LINES));
        let fewer = "x\n".repeat(MAX_DIFF_LINES);
        assert_eq!(
            line_diff(lines.as_bytes(), b"", 3, 10),
            Err(TooLargeToCompare)
        );
        assert_eq!(
            line_diff(b"", lines.as_bytes(), 3, 10),
            Err(TooLargeToCompare)
        );
        assert!(line_diff(fewer.as_bytes(), b"", 3, 10).is_ok());
        let one_long_line = vec![b'a'; MAX_DIFF_BYTES + 1];
        assert_eq!(
            line_diff(&one_long_line, b"a", 3, 10),
            Err(TooLargeToCompare)
        );
        assert_eq!(
            TooLargeToCompare.to_string(),
            "This file is too large to compare line by line (more than 5000 lines or 512 KiB on one side)."
        );
    }
}
