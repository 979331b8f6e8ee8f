//! Reading the answer to a push's version tag, as the REST sender and the benchmarks' sender do.

use crate::bitbucket::{ApiError, ApiResponse};
use crate::sync::attempt::{Attempt, Retrying};
use crate::sync::retry::Failure;

/// What the answer to a push's version tag says: made, failed (the outcome's tag error: the push
/// itself landed), or to be sent again (Bitbucket refused it before doing anything, 429).
pub(super) enum TagAnswer {
    /// The tag was made.
    Made,
    /// It was not, for this reason.
    Failed(ApiError),
    /// It is sent again after the wait `Retrying` scheduled.
    Again(Attempt<()>),
}

impl TagAnswer {
    /// Reads `answer` to the tag's `attempt`.
    pub(super) fn read(
        retrying: &mut Retrying,
        mut attempt: Attempt<()>,
        answer: Result<ApiResponse, ApiError>,
    ) -> TagAnswer {
        match attempt.read(answer) {
            Ok(()) => TagAnswer::Made,
            Err(error)
                if Failure::of(&error) == Failure::Refused
                    && retrying.schedule(&mut attempt, &error) =>
            {
                TagAnswer::Again(attempt)
            }
            Err(error) => TagAnswer::Failed(error),
        }
    }
}
