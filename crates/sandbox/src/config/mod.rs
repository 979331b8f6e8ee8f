//! The sandbox configuration: users, Cloud workspaces, Data Center projects, repositories,
//! permissions, branch restrictions, seed content and tokens, read from TOML.

mod cloud;
mod datacenter;
mod document;
mod repository;
mod token;

pub use cloud::{
    CloudConfig, CloudLimits, CloudReadings, PagelenAboveMax, PathMatch, RepeatedPath, TimeLimit,
    Workspace,
};
pub use datacenter::{
    DataCenterConfig, DataCenterProperties, DataCenterReadings, FileEditor, GitFilter, Project,
    SourceBranchOnExisting, DEFAULT_UPLOAD_MAX_BYTES,
};
pub use document::{Config, User, DEMO_TOML};
pub use repository::{
    Access, CloudRestrictionKind, DcRestrictionType, Matcher, MatcherKind, Repository, Restriction,
};
pub use token::{Token, TokenKind};
