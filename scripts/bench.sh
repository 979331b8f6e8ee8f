#!/usr/bin/env bash
# Runs the browser benchmarks (e2e/benchmark/): push and pull by the release app in headless Chromium against
# the sandbox over HTTPS and HTTP/2 with injected latency, strategies A, B and C side by side (A and B exist only in
# the benchmarks' build of the app, built here with the feature `benchmark-strategies`); writes
# BENCHMARKS.md, benchmarks.svg and benchmarks.png. Takes about 45 minutes; `--quick` checks the harness in
# a few minutes. Not part of the test command.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh

scripts/build-app.sh
# The app the benchmarks drive: the release build with the per-file strategies A and B and the switch in the
# browser's storage that selects them (feature `benchmark-strategies`), into a directory of its own. The shipped
# build (dist/, measured for its size) never holds them. Trunk passes the feature to the build with the explorer
# only: the others name their features in index.html.
echo "==> building the benchmarks' app (release, with the per-file strategies)"
trunk build --release --cargo-profile wasm-release --locked --features benchmark-strategies \
  --dist target/benchmark-dist
echo "==> building the sandbox with HTTPS (release) and the project generator"
cargo build --locked --release -p bitbucket-sandbox --features tls
cargo build --locked --release -p versioning-core --example synthetic_project

echo "==> benchmarks"
node e2e/benchmark/run.mjs "$@"
