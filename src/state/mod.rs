//! App state: one reducer (`State` + `Action`) per concern, shared through contexts.

pub mod connection_check;
pub mod connection_form;
pub mod connection_page;
pub mod connections;
pub mod events;
pub mod explorer;
pub mod import;
pub mod job;
pub mod projects;
pub mod pull;
pub mod push;
pub mod review;
pub mod session;
pub mod sync_connection;
pub mod sync_job;
