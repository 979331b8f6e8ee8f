//! Reusable views.

pub mod breadcrumb;
pub mod checklist;
pub mod confirm_dialog;
pub mod connection_form;
pub mod connection_summary;
pub mod field;
pub mod header;
