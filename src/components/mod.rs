//! Reusable views.

pub mod artifact_details;
pub mod artifact_tree;
pub mod breadcrumb;
pub mod checklist;
pub mod code_text;
pub mod confirm_dialog;
pub mod connection_form;
pub mod connection_summary;
pub mod explorer;
pub mod field;
pub mod header;
pub mod name_form;
pub mod page_heading;
pub mod project_import;
pub mod status;
pub mod steps_editor;
