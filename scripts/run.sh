#!/usr/bin/env bash
# Builds the app and serves it from the local Bitbucket sandbox, which also answers the Bitbucket API.
# Usage: scripts/run.sh [bitbucket-sandbox flags, e.g. --port 8080 --latency-ms 200]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh

echo "==> building the app (release)"
trunk build --release --cargo-profile wasm-release --locked
echo "==> building the sandbox"
cargo build --release --locked -p bitbucket-sandbox

echo "==> starting; open the URL printed below (Ctrl+C stops)"
exec target/release/bitbucket-sandbox --serve dist "$@"
