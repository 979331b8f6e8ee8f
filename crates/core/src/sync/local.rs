//! The local side of a sync: the project as files ([`LocalFiles`]), given or written when a job first has
//! time ([`LocalSide`]), and the state last synced with a branch ([`SyncBase`]).

use std::collections::BTreeSet;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::artifacts::{
    contents_and_manifest, ArtifactId, FileContents, LayoutOptions, Manifest, Project, SharedFiles,
    Written,
};
use crate::bitbucket::CommitSummary;

/// The state of a branch that the local project was last synced with (by a push or a pull): the base of
/// the next push and of a pull's three-way comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncBase {
    /// The branch.
    pub branch: String,
    /// The commit.
    pub commit: String,
    /// The manifest at that commit.
    pub manifest: Manifest,
}

/// The local side of a push: the project as files. Clones share everything.
#[derive(Debug, Clone)]
pub struct LocalFiles {
    /// The contents of every file but the manifest (shared with the project's artifacts), each at its
    /// entry's index in `manifest`: a file is found by its path with a binary search of the manifest,
    /// and a copy with a few files changed copies no path.
    pub contents: Contents,
    /// The manifest of those files.
    pub manifest: Arc<Manifest>,
    /// Artifacts in review state Approved.
    pub approved: Arc<BTreeSet<ArtifactId>>,
    /// The layout.
    pub options: LayoutOptions,
}

impl LocalFiles {
    /// The files of a project in the default layout: only its artifacts changed since their last
    /// write are written again. A [`Tracked`](crate::artifacts::Tracked) project keeps them until
    /// it changes.
    pub fn of(project: &Project) -> Self {
        let options = LayoutOptions::default();
        let (contents, manifest) = contents_and_manifest(project, &options);
        LocalFiles {
            contents: Contents::from(contents),
            manifest: Arc::new(manifest),
            approved: Arc::new(project.approved_ids()),
            options,
        }
    }

    /// The contents of the file at `path`.
    pub fn get(&self, path: &str) -> Option<&FileContents> {
        self.contents.get(self.manifest.position(path)?)
    }

    /// Every file's path and contents, in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &FileContents)> {
        let paths = self.manifest.files.iter().map(|entry| entry.path.as_ref());
        paths.zip(self.contents.iter())
    }

    /// The files by path.
    pub fn to_map(&self) -> SharedFiles {
        let files = self
            .iter()
            .map(|(path, file)| (path.to_owned(), file.clone()));
        files.collect()
    }
}

/// How many files' contents a chunk of [`Contents`] holds.
const CHUNK: usize = 1024;

/// Files' contents by index, in chunks shared by copies: a copy with a few files changed copies the
/// chunks that hold them, not every file's.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Contents {
    chunks: Vec<Arc<Vec<FileContents>>>,
    len: usize,
}

impl Contents {
    /// The contents at `index`.
    pub fn get(&self, index: usize) -> Option<&FileContents> {
        self.chunks.get(index / CHUNK)?.get(index % CHUNK)
    }

    /// Sets the contents at `index`; `None` when there is none.
    pub fn set(&mut self, index: usize, contents: FileContents) -> Option<()> {
        let chunk = self.chunks.get_mut(index / CHUNK)?;
        if index % CHUNK >= chunk.len() {
            return None;
        }
        Arc::make_mut(chunk)[index % CHUNK] = contents;
        Some(())
    }

    /// Every file's contents, by index.
    pub fn iter(&self) -> impl Iterator<Item = &FileContents> {
        self.chunks.iter().flat_map(|chunk| chunk.iter())
    }

    /// How many files.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl From<Vec<FileContents>> for Contents {
    fn from(contents: Vec<FileContents>) -> Self {
        let len = contents.len();
        let mut chunks = Vec::with_capacity(len.div_ceil(CHUNK));
        let mut rest = contents.into_iter();
        while rest.len() > 0 {
            chunks.push(Arc::new(rest.by_ref().take(CHUNK).collect()));
        }
        Contents { chunks, len }
    }
}

/// A project is written as its local files.
impl Written for Project {
    type Form = LocalFiles;

    fn write(&self) -> LocalFiles {
        LocalFiles::of(self)
    }
}

/// The local side of a job: the project's files, given or written when the job first has time
/// ([`crate::sync::Job::while_waiting`]), or none (a restore, or a push planner whose plan took them).
pub(crate) enum LocalSide {
    /// No local files.
    None,
    /// The files, still to be written.
    Deferred(Box<dyn FnOnce() -> LocalFiles>),
    /// The files.
    Files(LocalFiles),
}

impl LocalSide {
    /// Files still to be written by `write`.
    pub(crate) fn deferred(write: impl FnOnce() -> LocalFiles + 'static) -> Self {
        LocalSide::Deferred(Box::new(write))
    }

    /// The layout of the files: theirs when given, else the default (the layout deferred files are
    /// written in).
    pub(crate) fn options(&self) -> LayoutOptions {
        match self {
            LocalSide::Files(files) => files.options.clone(),
            LocalSide::None | LocalSide::Deferred(_) => LayoutOptions::default(),
        }
    }

    /// The files, written now if they were deferred.
    pub(crate) fn written(&mut self) -> Option<&LocalFiles> {
        if matches!(self, LocalSide::Deferred(_)) {
            if let LocalSide::Deferred(write) = std::mem::replace(self, LocalSide::None) {
                *self = LocalSide::Files(write());
            }
        }
        self.files()
    }

    /// The files once written; `None` while deferred.
    pub(crate) fn files(&self) -> Option<&LocalFiles> {
        match self {
            LocalSide::Files(files) => Some(files),
            LocalSide::None | LocalSide::Deferred(_) => None,
        }
    }

    /// The files, written now if they were deferred, leaving none.
    pub(crate) fn take(&mut self) -> Option<LocalFiles> {
        self.written();
        match std::mem::replace(self, LocalSide::None) {
            LocalSide::Files(files) => Some(files),
            LocalSide::None | LocalSide::Deferred(_) => None,
        }
    }
}

impl std::fmt::Debug for LocalSide {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LocalSide::None => f.write_str("None"),
            LocalSide::Deferred(_) => f.write_str("Deferred"),
            LocalSide::Files(files) => f.debug_tuple("Files").field(files).finish(),
        }
    }
}

pub(crate) fn empty_commit() -> CommitSummary {
    CommitSummary {
        id: String::new(),
        message: String::new(),
        author: None,
        date: None,
        parents: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_with_a_file_changed_shares_the_other_chunks() {
        let file = |n: usize| FileContents::from(n.to_string().into_bytes());
        let contents = Contents::from((0..CHUNK * 2 + 3).map(file).collect::<Vec<_>>());
        assert_eq!(contents.len(), CHUNK * 2 + 3);
        assert_eq!(contents.get(CHUNK + 1), Some(&file(CHUNK + 1)));
        assert_eq!(contents.get(CHUNK * 2 + 3), None);
        let mut copy = contents.clone();
        copy.set(CHUNK + 1, file(0)).unwrap();
        assert!(copy.set(CHUNK * 2 + 3, file(0)).is_none());
        assert_eq!(copy.get(CHUNK + 1), Some(&file(0)));
        assert_eq!(
            contents.get(CHUNK + 1),
            Some(&file(CHUNK + 1)),
            "the original keeps its own"
        );
        let shared = |i: usize| Arc::ptr_eq(&copy.chunks[i], &contents.chunks[i]);
        assert_eq!([shared(0), shared(1), shared(2)], [true, false, true]);
        assert!(copy.iter().eq((0..CHUNK * 2 + 3)
            .map(|n| file(if n == CHUNK + 1 { 0 } else { n }))
            .collect::<Vec<_>>()
            .iter()));
        assert!(Contents::default().is_empty());
    }
}
