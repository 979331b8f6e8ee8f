#!/usr/bin/env bash
# Builds the app and serves it from the local Bitbucket sandbox, which also answers the Bitbucket API.
# Usage: scripts/run.sh [bitbucket-sandbox flags, e.g. --port 8080 --latency-ms 200]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh

# Rebuild the app only when a source changed since this script's last release build (wasm-opt alone takes
# ~30 s). Any other build of dist/ (a debug `trunk build`, the tests) replaces dist/ and so drops the stamp.
stamp=dist/.release-build
if [ ! -f "$stamp" ] ||
  [ -n "$(find src crates/core/src index.html styles Trunk.toml Cargo.toml Cargo.lock -newer "$stamp" -print -quit)" ]; then
  echo "==> building the app (release)"
  trunk build --release --cargo-profile wasm-release --locked
  touch "$stamp"
else
  echo "==> the app in dist/ is up to date"
fi
echo "==> building the sandbox"
cargo build --release --locked -p bitbucket-sandbox

echo "==> starting; open the URL printed below (Ctrl+C stops)"
exec target/release/bitbucket-sandbox --serve dist "$@"
