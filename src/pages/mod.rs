//! One module per route.

#[cfg(feature = "explorer")]
pub mod artifacts;
pub mod bitbucket;
#[cfg(not(feature = "explorer"))]
pub mod explorer_loading;
pub mod home;
pub mod integrations;
pub mod project;
