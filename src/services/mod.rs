//! I/O of the app: browser storage and the project list.

pub mod archive_worker;
pub mod artifact_provider;
pub mod browser_files;
pub mod clock;
pub mod connection_check;
pub mod connection_store;
pub mod explorer_build;
pub mod file_memo;
pub mod jobs;
pub mod portal_events;
pub mod portal_object;
pub mod portal_storage;
pub mod project_export;
pub mod project_import;
pub mod project_record;
pub mod project_store;
pub mod projects;
pub mod pull_requests;
pub mod push_route;
pub mod random;
pub mod scm_parameters;
pub mod strategy;
pub mod sync;
pub mod tab_changes;
pub mod transport;
pub mod unload_guard;
