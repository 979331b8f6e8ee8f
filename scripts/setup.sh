#!/usr/bin/env bash
# Installs what building and testing need, and only what is missing: quick when all is there.
# Tools are pinned: Trunk 0.21.14 (0.22 needs a newer rustc), wasm-bindgen-cli at the Cargo.lock version,
# wasm-opt from npm's binaryen (Debian's is too old), Debian's Chromium and ChromeDriver.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION=$(sed -n '/^name = "wasm-bindgen"$/{n;s/^version = "\(.*\)"$/\1/p;q}' Cargo.lock)

step() { printf '==> %s\n' "$*"; }

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
# python3: the check of the arrows between modules (scripts/check-imports.py).
command -v python3 >/dev/null || missing+=(python3)
# nginx: the end-to-end tests run Data Center through the shipped relay (relay/).
[ -x /usr/sbin/nginx ] || missing+=(nginx)
if ((${#missing[@]})); then
  step "apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  step "cargo install trunk $TRUNK_VERSION (about 5 minutes, once)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  step "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 2 minutes, once)"
  # Its own lock file names a crate version the registry mirror may lack; fall back to a fresh resolution.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --locked ||
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if [ ! -x e2e/node_modules/.bin/wasm-opt ] || [ e2e/package-lock.json -nt e2e/node_modules/.package-lock.json ]; then
  step "npm ci (e2e: playwright-core, axe-core, binaryen, typescript)"
  npm ci --prefix e2e --no-audit --no-fund --loglevel=error
fi

# Trunk runs cargo offline; fetch the crates first.
cargo fetch --locked >/dev/null 2>&1 || cargo fetch --locked
