#!/usr/bin/env bash
# Builds the app in release (dist/) and the sandbox, unless nothing changed since the last build: the test
# command and the run command share both builds. Expects scripts/env.sh to be sourced.
set -euo pipefail
cd "$(dirname "$0")/.."

# One build at a time: two trunk builds of dist/ at once replace each other's files.
mkdir -p target
exec 9>target/.build-app.lock
flock 9

# The stamp is written after a release build of dist/, dated when it started; any other build of dist/ (a debug `trunk build`) replaces
# dist/ and so drops it.
stamp=dist/.release-build
if [ ! -f "$stamp" ] ||
  [ -n "$(find src crates/core/src crates/core/Cargo.toml crates/zip-worker index.html styles examples scripts/embed-entry.sh Trunk.toml Cargo.toml Cargo.lock -newer "$stamp" -print -quit)" ]; then
  echo "==> building the app (release)"
  # Dated when the build starts, so that a source changed during the build counts as newer.
  started=$(mktemp)
  trunk build --release --cargo-profile wasm-release --locked
  mv "$started" "$stamp"
else
  echo "==> the app in dist/ is up to date"
fi
echo "==> building the sandbox"
cargo build --locked -p bitbucket-sandbox
