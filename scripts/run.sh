#!/usr/bin/env bash
# Builds the app and serves it from the local Bitbucket sandbox, which also answers the Bitbucket API.
# Usage: scripts/run.sh [bitbucket-sandbox flags, e.g. --port 8080 --latency-ms 200]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh

# The same builds as the test command: after `scripts/test.sh`, nothing is built again.
scripts/build-app.sh

echo "==> starting; open the URL printed below (Ctrl+C stops)"
exec target/debug/bitbucket-sandbox --serve dist "$@"
