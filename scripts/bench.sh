#!/usr/bin/env bash
# Runs the browser benchmarks (e2e/benchmark/): push and pull by the release app in headless Chromium against
# the sandbox over HTTPS and HTTP/2 with injected latency, strategies A, B and C side by side; writes
# BENCHMARKS.md, benchmarks.svg and benchmarks.png. Takes about 45 minutes; `--quick` checks the harness in
# a few minutes. Not part of the test command.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh

scripts/build-app.sh
echo "==> building the sandbox with HTTPS (release) and the project generator"
cargo build --locked --release -p bitbucket-sandbox --features tls
cargo build --locked --release -p versioning-core --example synthetic_project

echo "==> benchmarks"
node e2e/benchmark/run.mjs "$@"
