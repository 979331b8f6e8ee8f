//! The binary Trunk builds with the explorer: the whole app, which `bitbucket-versioning.js` (src/embed.js)
//! loads when the Test artifacts explorer is first opened, and then runs in place of the first module.

// Linked for its exported functions, which this binary does not call itself.
extern crate bitbucket_versioning;

fn main() {}
