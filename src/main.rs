//! The binary Trunk builds first, without the explorer (`--no-default-features`). Nothing starts on load: the
//! standalone page calls `start` and a portal calls `mount`, both through `bitbucket-versioning.js`
//! (src/embed.js); both are exported by the library (`embed`).

// Linked for its exported functions, which this binary does not call itself.
extern crate bitbucket_versioning;

fn main() {}
