//! Bare git repositories on disk: the store ([`pool`]: where they are, their locks) with its handles to
//! opened repositories ([`handle`]) and, by concern, what the sandbox does with them: references ([`refs`]:
//! branches and tags), trees ([`trees`]: files and folders), commits ([`commits`]: seeding, history,
//! committing, with the [`info`] they give), diffs ([`diffs`]) and the checks of the names it takes
//! ([`paths`]).

mod commits;
mod diffs;
mod handle;
mod info;
pub mod paths;
mod pool;
mod refs;
mod trees;

pub use commits::{CommitError, CommitPlan, Expect, MergeError, MergeHow, MergeStrategy};
pub use diffs::{ChangeKind, FileChange, PatchOptions};
pub use handle::Repo;
pub use info::CommitInfo;
pub use paths::{clean_path, valid_ref_name};
pub use pool::Store;
pub use refs::{Annotation, BranchInfo, NewAnnotation, RefDeletion, TagInfo};
pub use trees::{Child, Entry, FileMode};
