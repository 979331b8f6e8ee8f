//! One module per route.

pub mod artifacts;
pub mod bitbucket;
pub mod home;
pub mod integrations;
pub mod not_found;
pub mod project;
