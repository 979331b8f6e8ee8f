//! The commit message a push writes: the subject and the trailer naming the manifest it publishes.

use super::planner::PushPlan;

/// The trailer naming the content a push publishes.
pub const MANIFEST_TRAILER: &str = "Artifacts-Manifest";

/// A commit message with a trailer naming the manifest the push publishes (the start of its SHA-256).
/// After a lost answer or a 409, a commit on the expected parent with this message is this push's own
/// commit, even when the user reused a message: the trailer differs whenever the content does.
pub(crate) fn commit_message(plan: &PushPlan, subject: &str) -> String {
    let digest = crate::artifacts::sha256_hex(&plan.changes.manifest_bytes);
    format!("{subject}\n\n{MANIFEST_TRAILER}: {}", &digest[..16])
}

/// Whether two commit messages are the same, whatever line endings the transport gave them (browsers send
/// form fields with CRLF line breaks).
pub(crate) fn same_message(a: &str, b: &str) -> bool {
    let normal = |text: &str| text.replace("\r\n", "\n").trim().to_owned();
    normal(a) == normal(b)
}
