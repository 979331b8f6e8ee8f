//! Files in git under the artifact folder that the manifest does not account for. A pull never takes
//! them, and its preview names each one with the reason it is there, so the user knows what the branch
//! holds besides the artifacts it pulls.

use std::fmt;

/// Why a file in git is not among the artifacts a pull reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum UnlistedReason {
    /// Git added or changed the file since this copy's last sync, and the manifest does not list it:
    /// it was written outside the app (by hand, another tool, or a merge).
    ChangedOutsideApp,
    /// The manifest listed it at this copy's last sync and lists it no more, while git kept the file: a
    /// Data Center push deletes or renames that way (its REST API cannot delete files).
    DroppedFromManifest,
    /// In the artifact folder and not in the manifest, with no earlier sync to tell when it came: a
    /// file a Data Center push dropped from the manifest, or one written outside the app.
    NotInManifest,
}

impl fmt::Display for UnlistedReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UnlistedReason::ChangedOutsideApp => {
                "added or changed in git since your last sync, outside the app; the manifest does not list it, so the pull ignores it (add it in the app and push to version it)"
            }
            UnlistedReason::DroppedFromManifest => {
                "dropped from the manifest since your last sync while git kept the file (a Data Center push deletes or renames this way: its REST API cannot delete files); the pull ignores it"
            }
            UnlistedReason::NotInManifest => {
                "not in the manifest: a file a Data Center push deleted or renamed (its REST API cannot delete files), or one written outside the app; the pull ignores it"
            }
        })
    }
}

/// One file in git that the manifest does not list.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct UnlistedFile {
    /// The repository path.
    pub path: String,
    /// Why it is there.
    pub reason: UnlistedReason,
}

impl UnlistedFile {
    /// A file at `path`, there for `reason`.
    pub fn new(path: impl Into<String>, reason: UnlistedReason) -> Self {
        UnlistedFile {
            path: path.into(),
            reason,
        }
    }
}

impl fmt::Display for UnlistedFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.reason)
    }
}
