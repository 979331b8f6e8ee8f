//! Entry point of the standalone app: mounts it on the page's body.

fn main() {
    bitbucket_versioning::start();
}
