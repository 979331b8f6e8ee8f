//! Pushing a planned change to Data Center over git ([`GitPush`]): one commit holding every new,
//! changed and deleted file and the manifest, and the version tag, moved together in one atomic ref
//! update, instead of Data Center's REST chain of one commit per file that cannot delete.
//!
//! The steps, without I/O: the receive-pack advertisement (the branch tip and the tag, checked
//! against the plan before anything is written), the parent's trees (from the preview's fetch of
//! them, or one fetch without history or file content: every folder with the exact mode of every
//! file, [`TreeSnapshot`](crate::git::TreeSnapshot)), then the commit, its pack and the push, whose
//! report says what Data Center did in its words. Where the server allows no filtered fetch, the
//! folders the change touches are listed through the REST API ([`TreePlan`](crate::git::TreePlan))
//! and the modes of the files they keep read from an archive of their paths. A push left without an
//! answer is never resent blindly: the advertisement is read again, and the push is complete when
//! the branch is at its commit, sent again when the branch did not move, and stopped as
//! [`SyncError::BranchMoved`](crate::sync::SyncError::BranchMoved) otherwise.
//!
//! **The modes of kept files, without a fetch.** A folder listing does not tell a regular file from an executable or
//! a link. A kept file counts as regular without reading the archive when the branch's manifest
//! lists it and its listed object id is the blob of this copy's bytes for it: the app writes every
//! file it lists as a regular file, and a link's blob (its target) is never the JSON or CSV the
//! manifest hashes. Only an execute bit set by hand on such a file is not proven absent, and the
//! push writes the file's mode as the app does, as it writes its content. Every other kept file
//! (outside the artifact folder, or not the app's) has its mode read from Data Center's archive.

mod error;
mod route;
mod sender;
mod trees;

pub use error::GitPushError;
pub use route::{GitIdentity, PushRoute, RestReason};
pub use sender::GitPush;
