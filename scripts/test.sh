#!/usr/bin/env bash
# Runs every test: lint, host tests (core, sandbox, app logic), the live checker against the sandbox, browser
# component tests in headless Chromium, the release build, and end-to-end tests in Chromium against the sandbox.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh

echo "==> format and lint"
cargo fmt --all --check
# The arrows between modules point down, no modules import each other, no source file is over 700 lines.
python3 scripts/check-imports.py
cargo clippy --workspace --all-targets --locked -- -D warnings
# The per-file strategies the benchmarks compare the product with (feature `benchmark-strategies`).
cargo clippy -p versioning-core --all-targets --features benchmark-strategies --locked -- -D warnings
cargo clippy -p bitbucket-versioning -p zip-worker --target wasm32-unknown-unknown --all-targets --locked -- -D warnings
# The first module the page loads: the app without the explorer.
cargo clippy -p bitbucket-versioning --target wasm32-unknown-unknown --no-default-features --lib --bins --locked -- -D warnings
# The benchmarks' build of the app (scripts/bench.sh), with the per-file strategies and their switch.
cargo clippy -p bitbucket-versioning --target wasm32-unknown-unknown --features benchmark-strategies --lib --bins --locked -- -D warnings
echo "==> the portal's types (bitbucket-versioning.d.ts, compiled with a portal's use of them)"
(cd e2e && node_modules/.bin/tsc -p types/tsconfig.json)

echo "==> host tests"
cargo test --workspace --locked
# The per-file strategies' tests (they need the feature that builds them).
cargo test -p versioning-core --features benchmark-strategies --test core --locked sync_baseline::

echo "==> the live checker against the sandbox, in each reading it models"
scripts/live-check-sandbox.sh

echo "==> browser component tests (wasm-bindgen-test, headless Chromium)"
cargo test -p bitbucket-versioning --target wasm32-unknown-unknown --locked

echo "==> release build of the app, and the sandbox"
scripts/build-app.sh

echo "==> end-to-end tests (Playwright in Chromium, against the sandbox)"
(cd e2e && node --test --test-concurrency=1 --test-reporter=tap ./*.test.mjs)
