//! The connection test run on **Create**, as a state machine without I/O: ask [`ConnectionTest::next_request`],
//! execute it, hand the answer to [`ConnectionTest::handle_response`] (or a transport failure to
//! [`ConnectionTest::handle_failure`]), repeat until there is no next request. [`ConnectionTest::steps`]
//! shows progress; [`ConnectionTest::outcome`] is what the app stores with the connection.
//!
//! The steps, in order, stopping at the first failure:
//! 1. credentials accepted (Cloud `GET /user`; Data Center `application-properties` for `X-AUSERNAME`, and
//!    the repository read, which proves the credentials),
//! 2. repository found and readable,
//! 3. permission: read, write or admin. Cloud access tokens cannot ask: the scopes Bitbucket reports in its
//!    403 answers (`error.detail.granted`) decide, else write is inferred and said so. A token's scopes also
//!    cap what a Cloud API token may do. Data Center project and repository access tokens may read but never
//!    commit (a commit needs a real user): with Bearer credentials, the user named by `X-AUSERNAME` is looked
//!    up, and push is reported unavailable when it is a service user, no user, or cannot be told,
//! 4. main branch and every branch,
//! 5. branch restrictions when the credentials may read them (admin), otherwise "not visible".
//!
//! With write permission on Cloud, the permission step also asks whether the token may open pull requests
//! (an empty one, which Bitbucket refuses: [`pull_requests::access_probe`]), kept in the outcome and
//! warned about when it may not; on Data Center read permission suffices.

mod machine;
mod report;
mod scopes;
mod stage;

pub use machine::ConnectionTest;
pub use report::{Step, StepReport, StepStatus, TestOutcome};
pub use scopes::permission_from_scopes;
