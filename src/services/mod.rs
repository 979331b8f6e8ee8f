//! I/O of the app: browser storage and the project list.

pub mod connection_store;
pub mod projects;
