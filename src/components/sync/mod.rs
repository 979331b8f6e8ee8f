//! The push and pull dialogs, and what they share.

pub mod dialog;
pub mod pull_dialog;
pub mod push_dialog;
pub mod push_preview;
pub mod version_list;
