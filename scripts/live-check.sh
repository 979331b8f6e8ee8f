#!/usr/bin/env bash
# Checks a real Bitbucket against what the product sends and assumes (README: "Checking against real
# Bitbucket"). Builds the checker, then runs it with these arguments; the token comes from the environment
# variable BITBUCKET_TOKEN (or --token-env NAME), or from standard input with --token-stdin.
#
#   BITBUCKET_TOKEN=… scripts/live-check.sh --cloud WORKSPACE --repo SCRATCH --username you@example.com
#   BITBUCKET_TOKEN=… scripts/live-check.sh --datacenter https://bitbucket.example.com --project KEY \
#       --repo SCRATCH --username you
#   scripts/live-check.sh --help
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
cargo build --locked --quiet -p live-check
exec target/debug/live-check "$@"
