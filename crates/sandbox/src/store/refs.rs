//! Branches and tags: listing, resolving, creating and deleting them.

use git2::{ErrorCode, Oid, Repository, Signature, Time};

use super::handle::Repo;
use super::info::{info, CommitInfo};
use super::pool::Store;

/// A branch and its tip.
#[derive(Debug, Clone)]
pub struct BranchInfo {
    /// Short name (`main`).
    pub name: String,
    /// Tip commit.
    pub tip: CommitInfo,
}

/// A tag and the commit it points at.
#[derive(Debug, Clone)]
pub struct TagInfo {
    /// Short name (`v1.0`).
    pub name: String,
    /// The commit the tag points at (peeled).
    pub tip: CommitInfo,
    /// The annotation of an annotated tag; `None` for a lightweight tag.
    pub annotation: Option<Annotation>,
}

/// The tag object of an annotated tag.
#[derive(Debug, Clone)]
pub struct Annotation {
    /// Id of the tag object.
    pub id: String,
    /// Tag message.
    pub message: String,
    /// Tagger name.
    pub tagger_name: String,
    /// Tagger email.
    pub tagger_email: String,
    /// Tag time, epoch seconds.
    pub tagger_time: i64,
    /// Tagger UTC offset in minutes.
    pub tagger_offset: i32,
}

/// The message and tagger (name, email) of an annotated tag to create.
pub type NewAnnotation = (String, (String, String));

/// What [`Store::delete_ref`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefDeletion {
    /// The reference is gone.
    Deleted,
    /// There was no such reference.
    Missing,
    /// Kept: it points at this commit, not the one expected.
    Elsewhere(Oid),
}

/// Reads through a handle to the repository.
impl Repo<'_> {
    /// Every branch with its tip, sorted by name.
    pub fn branches(&self) -> Result<Vec<BranchInfo>, git2::Error> {
        let repo: &Repository = self;
        let mut out = Vec::new();
        for branch in repo.branches(Some(git2::BranchType::Local))? {
            let (branch, _) = branch?;
            let Some(name) = branch.name()?.map(str::to_string) else {
                continue;
            };
            let commit = branch.get().peel_to_commit()?;
            out.push(BranchInfo {
                name,
                tip: info(&commit),
            });
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// The tip of a branch, if it exists.
    pub fn branch_tip(&self, branch: &str) -> Option<Oid> {
        let repo: &Repository = self;
        let reference = repo.find_reference(&format!("refs/heads/{branch}")).ok()?;
        reference.target()
    }

    /// Every tag with the commit it points at, sorted by name.
    pub fn tags(&self) -> Result<Vec<TagInfo>, git2::Error> {
        let repo: &Repository = self;
        let mut out = Vec::new();
        for name in repo.tag_names(None)?.iter().flatten() {
            if let Some(tag) = tag_in(repo, name) {
                out.push(tag);
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// One tag, if it exists.
    pub fn tag(&self, name: &str) -> Option<TagInfo> {
        let repo: &Repository = self;
        tag_in(repo, name)
    }

    /// Resolves a branch or tag name (short, `refs/heads/…` or `refs/tags/…`; branches first) or an
    /// (abbreviated) commit hash to a commit.
    pub fn resolve(&self, rev: &str) -> Option<Oid> {
        let repo: &Repository = self;
        resolve_in(repo, rev)
    }
}

impl Store {
    /// Creates a tag `name` at commit `target`, annotated when `annotation` is given, lightweight
    /// otherwise; `Ok(None)` if a tag of that name already exists.
    pub fn create_tag(
        &self,
        key: &str,
        name: &str,
        target: Oid,
        annotation: Option<&NewAnnotation>,
    ) -> Result<Option<TagInfo>, git2::Error> {
        let lock = self.lock(key);
        let _guard = lock.lock().unwrap_or_else(|e| e.into_inner());
        let handle = self.repo(key)?;
        let repo: &Repository = &handle;
        if repo.find_reference(&format!("refs/tags/{name}")).is_ok() {
            return Ok(None);
        }
        let target = repo.find_commit(target)?.into_object();
        let created = match annotation {
            Some((message, (tagger, email))) => {
                let now = Time::new(crate::time::now_secs(), 0);
                let signature = Signature::new(tagger, email, &now)?;
                repo.tag(name, &target, &signature, message, false)
            }
            None => repo.tag_lightweight(name, &target, false),
        };
        match created {
            Ok(_) => Ok(tag_in(repo, name)),
            Err(e) if e.code() == ErrorCode::Exists => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Creates a branch at `target`; false if it already exists.
    pub fn create_branch(&self, key: &str, name: &str, target: Oid) -> Result<bool, git2::Error> {
        let lock = self.lock(key);
        let _guard = lock.lock().unwrap_or_else(|e| e.into_inner());
        let handle = self.repo(key)?;
        let repo: &Repository = &handle;
        let commit = repo.find_commit(target)?;
        let created = match repo.branch(name, &commit, false) {
            Ok(_) => Ok(true),
            Err(e) if e.code() == ErrorCode::Exists => Ok(false),
            Err(e) => Err(e),
        };
        created
    }

    /// Deletes the reference `full_name` (`refs/heads/…` or `refs/tags/…`), provided it points at
    /// `expected` when that is given (the commit it peels to).
    pub fn delete_ref(
        &self,
        key: &str,
        full_name: &str,
        expected: Option<Oid>,
    ) -> Result<RefDeletion, git2::Error> {
        let lock = self.lock(key);
        let _guard = lock.lock().unwrap_or_else(|e| e.into_inner());
        let handle = self.repo(key)?;
        let repo: &Repository = &handle;
        let mut reference = match repo.find_reference(full_name) {
            Ok(reference) => reference,
            Err(e) if e.code() == ErrorCode::NotFound => return Ok(RefDeletion::Missing),
            Err(e) => return Err(e),
        };
        let at = reference.peel_to_commit()?.id();
        if expected.is_some_and(|expected| expected != at) {
            return Ok(RefDeletion::Elsewhere(at));
        }
        reference.delete()?;
        Ok(RefDeletion::Deleted)
    }
}

fn resolve_in(repo: &Repository, rev: &str) -> Option<Oid> {
    // A full commit hash is the usual case (clients read files by hash): no reference to look up first.
    if rev.len() == 40 {
        if let Some(commit) = Oid::from_str(rev)
            .ok()
            .and_then(|oid| repo.find_commit(oid).ok())
        {
            return Some(commit.id());
        }
    }
    let qualified = if rev.starts_with("refs/heads/") || rev.starts_with("refs/tags/") {
        vec![rev.to_string()]
    } else {
        vec![format!("refs/heads/{rev}"), format!("refs/tags/{rev}")]
    };
    for name in qualified {
        if let Ok(r) = repo.find_reference(&name) {
            return r.peel_to_commit().ok().map(|c| c.id());
        }
    }
    if rev.len() >= 4 && rev.chars().all(|c| c.is_ascii_hexdigit()) {
        let object = repo.revparse_single(rev).ok()?;
        return object.peel_to_commit().ok().map(|c| c.id());
    }
    None
}

fn tag_in(repo: &Repository, name: &str) -> Option<TagInfo> {
    let reference = repo.find_reference(&format!("refs/tags/{name}")).ok()?;
    let tip = info(&reference.peel_to_commit().ok()?);
    let annotation = reference.peel_to_tag().ok().map(|t| {
        let (tagger_name, tagger_email, when) = match t.tagger() {
            Some(s) => (
                s.name().unwrap_or_default().to_string(),
                s.email().unwrap_or_default().to_string(),
                s.when(),
            ),
            None => (String::new(), String::new(), Time::new(0, 0)),
        };
        Annotation {
            id: t.id().to_string(),
            message: t.message().unwrap_or_default().to_string(),
            tagger_name,
            tagger_email,
            tagger_time: when.seconds(),
            tagger_offset: when.offset_minutes(),
        }
    });
    Some(TagInfo {
        name: name.to_string(),
        tip,
        annotation,
    })
}
