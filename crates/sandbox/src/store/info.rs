//! A commit as the APIs describe it, read from git.

/// A commit as the APIs describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitInfo {
    /// Full hash.
    pub hash: String,
    /// Parent hashes.
    pub parents: Vec<String>,
    /// Author name.
    pub author_name: String,
    /// Author email.
    pub author_email: String,
    /// Author time, epoch seconds.
    pub author_time: i64,
    /// Author UTC offset in minutes.
    pub author_offset: i32,
    /// Committer name.
    pub committer_name: String,
    /// Committer email.
    pub committer_email: String,
    /// Committer time, epoch seconds.
    pub committer_time: i64,
    /// Full message.
    pub message: String,
}

/// The description of `commit`.
pub(super) fn info(commit: &git2::Commit<'_>) -> CommitInfo {
    let author = commit.author();
    let committer = commit.committer();
    CommitInfo {
        hash: commit.id().to_string(),
        parents: commit.parent_ids().map(|p| p.to_string()).collect(),
        author_name: author.name().unwrap_or_default().to_string(),
        author_email: author.email().unwrap_or_default().to_string(),
        author_time: author.when().seconds(),
        author_offset: author.when().offset_minutes(),
        committer_name: committer.name().unwrap_or_default().to_string(),
        committer_email: committer.email().unwrap_or_default().to_string(),
        committer_time: committer.when().seconds(),
        message: commit.message().unwrap_or_default().to_string(),
    }
}
