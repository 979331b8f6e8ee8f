//! Integration tests of the core: artifacts, the Bitbucket client, names and roles, and the sync jobs
//! driven against the sandbox in-process. The per-file strategies' tests (`sync_baseline`) need the
//! feature `benchmark-strategies`.

#[macro_use]
mod support;

mod bitbucket_support;

mod archive;
mod archive_fuzz;
mod artifacts_edit;
mod artifacts_props;
mod artifacts_read;
mod artifacts_schema;
mod bitbucket_acceptance;
mod bitbucket_client;
mod bitbucket_connection_test;
mod connection;
mod git_push;
mod git_push_job;
mod names;
mod patch;
mod pull_requests;
mod repo_url;
mod response_caps;
mod roles;
mod secrets;
#[cfg(feature = "benchmark-strategies")]
mod sync_baseline;
mod sync_measure;
mod sync_plan;
mod sync_pull;
mod sync_push;
mod sync_request_budget;
mod three_way;
