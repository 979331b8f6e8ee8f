//! Shared, I/O-free logic of Bitbucket Versioning.
