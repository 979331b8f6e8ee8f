//! The binary Trunk builds. Nothing starts on load: the standalone page calls `start` (src/loader.js)
//! and a portal calls `mount` (src/embed.js), both exported by the library (`embed`).

// Linked for its exported functions, which this binary does not call itself.
extern crate bitbucket_versioning;

fn main() {}
