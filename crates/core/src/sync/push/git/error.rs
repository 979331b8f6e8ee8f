//! Why a push over git stopped ([`GitPushError`]).

use crate::git::{
    ArchiveModeError, ObjectError, ObjectIdError, PackError, PushRefused, PushRequestError,
    TreePlanError,
};

/// Why a push over git stopped, besides Bitbucket's errors and the branch's state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GitPushError {
    /// The API base URL does not end in `/rest`, so that git's address is not known.
    #[error("The API base URL does not end in /rest, so the repository's git address (/scm) is not known. Push through the REST API, or set the API base URL to the relay's /rest address.")]
    NoAddress,
    /// Data Center refused the push (a branch permission, a hook, a size limit): its words.
    #[error("{}", refused_message(branch, refused))]
    Refused {
        /// The branch.
        branch: String,
        /// What Data Center reported.
        refused: PushRefused,
    },
    /// The commit's trees cannot be planned (a file's mode is not known, a file where the change
    /// needs a folder).
    #[error("The commit cannot be made without changing other files: {0}. Nothing was pushed.")]
    Plan(#[from] TreePlanError),
    /// The archive that tells the kept files' modes cannot be read.
    #[error("The modes of the files this push keeps could not be read: {0}. Nothing was pushed.")]
    Modes(#[from] ArchiveModeError),
    /// The server lacks what this push needs (`report-status`, `atomic`).
    #[error("Data Center cannot take this push over git: {0}. Nothing was pushed.")]
    Request(#[from] PushRequestError),
    /// An author name git cannot carry.
    #[error("The commit's author cannot be written: {0}. Nothing was pushed.")]
    Identity(#[from] ObjectError),
    /// The pack cannot be written.
    #[error("The pack of this push cannot be written: {0}. Nothing was pushed.")]
    Pack(#[from] PackError),
    /// The branch's tip as the plan read it is not a commit id.
    #[error("The branch's tip is not a commit id: {0}. Preview the push again.")]
    Tip(#[from] ObjectIdError),
}

fn refused_message(branch: &str, refused: &PushRefused) -> String {
    let mut words: Vec<String> = refused.messages.clone();
    if let Some(reason) = &refused.unpack {
        words.push(format!("unpacking failed: {reason}"));
    }
    words.extend(
        refused
            .refs
            .iter()
            .map(|(name, why)| format!("{name}: {why}")),
    );
    format!(
        "Bitbucket refused the push to `{branch}`, and nothing was pushed. Bitbucket said: {}",
        words.join(" — ")
    )
}
