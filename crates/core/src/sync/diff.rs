//! Line diffs of one file, for the preview's "Diff" of a changed artifact.

use similar::{ChangeTag, TextDiff};

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

/// The changed lines of a file with `context` unchanged lines around each change, at most `max_lines`
/// lines. Bytes that are not UTF-8 are shown as replacement characters.
pub fn line_diff(
    old: &[u8],
    new: &[u8],
    context: usize,
    max_lines: usize,
) -> (Vec<DiffLine>, bool) {
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
    (lines, truncated)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_changed_lines_with_context_and_gaps() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\ni\n";
        let new = "a\nB\nc\nd\ne\nf\ng\nh\nI\n";
        let (lines, truncated) = line_diff(old.as_bytes(), new.as_bytes(), 1, 100);
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
        let (lines, truncated) = line_diff(old.as_bytes(), new.as_bytes(), 1, 3);
        assert_eq!(lines.len(), 3);
        assert!(truncated);
        assert!(line_diff(b"same\n", b"same\n", 3, 10).0.is_empty());
    }
}
