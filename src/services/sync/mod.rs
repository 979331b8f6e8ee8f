//! Pushes and pulls: the connection they use, planning and sending them, and saving what they did into
//! the project's record.

pub mod connection;
pub mod error;
pub mod file_diff;
pub mod pull;
pub mod push;
pub mod versions;
