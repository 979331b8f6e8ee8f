//! The parts of a bulk read of the artifact folder, each one request, and how a Cloud part too large to
//! produce in time is split.

use crate::bitbucket::CommitSummary;

/// One request of a bulk read of the artifact folder ([`super::Remote::folder_parts`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FolderPart {
    /// Data Center: the archive of these folders or files at the commit read.
    Paths(Vec<String>),
    /// Cloud: the patch of the whole repository from commit `old` to commit `new`, which holds whole every
    /// file created in between. It names no `path`, so it reads the same however Cloud reads one.
    Range {
        /// The later commit.
        new: String,
        /// The earlier commit.
        old: String,
    },
}

impl FolderPart {
    /// The range split at a commit of `commits` (the commits after `old` up to `new` that touched the
    /// folder, newest first, as Cloud lists them): at the middle one of those strictly inside the range,
    /// so that each half holds about half of the commits. `None` for a part that is no range, or when no
    /// listed commit lies inside it (the range is one commit as far as the folder goes).
    ///
    /// ```
    /// # use versioning_core::bitbucket::CommitSummary;
    /// # use versioning_core::sync::FolderPart;
    /// let commit = |id: &str| CommitSummary { id: id.to_owned(), message: String::new(), author: None, date: None, parents: Vec::new() };
    /// let range = |new: &str, old: &str| FolderPart::Range { new: new.to_owned(), old: old.to_owned() };
    /// let listed = ["c3", "c2", "c1"].map(commit);
    /// assert_eq!(range("c3", "c0").halves(&listed), Some([range("c3", "c1"), range("c1", "c0")]));
    /// assert_eq!(range("c1", "c0").halves(&listed[2..]), None);
    /// ```
    pub fn halves(&self, commits: &[CommitSummary]) -> Option<[FolderPart; 2]> {
        let FolderPart::Range { new, old } = self else {
            return None;
        };
        let inside: Vec<&str> = commits
            .iter()
            .map(|commit| commit.id.as_str())
            .filter(|id| id != new && id != old)
            .collect();
        let middle = inside.get(inside.len() / 2)?;
        let range = |new: &str, old: &str| FolderPart::Range {
            new: new.to_owned(),
            old: old.to_owned(),
        };
        Some([range(new, middle), range(middle, old)])
    }
}
