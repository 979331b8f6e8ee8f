#!/usr/bin/env bash
# Tests the live checker (crates/live-check) against the sandbox: for each sandbox mode below, starts the
# sandbox on a free port (it prints `listening on http://127.0.0.1:PORT`), runs `scripts/live-check.sh`
# against its Cloud and Data Center repositories, and compares each check's verdict and reading with what
# that mode is known to do (crates/live-check/tests/expected/<mode>-<product>.txt, lines `id STATUS
# reading`), its exit status too; then checks that nothing the checker created is left. Part of
# scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
cargo build --locked --quiet -p bitbucket-sandbox -p live-check

expected_dir=crates/live-check/tests/expected
work=$(mktemp -d)
sandbox_pid=
stop_sandbox() {
  if [ -n "$sandbox_pid" ]; then
    kill "$sandbox_pid" 2>/dev/null || true
    wait "$sandbox_pid" 2>/dev/null || true
    sandbox_pid=
  fi
}
trap 'stop_sandbox; rm -rf "$work"' EXIT

passed=0
failed=0
fail() {
  echo "not ok: $*"
  failed=$((failed + 1))
}

# Starts the sandbox with the given flags; sets $port.
start_sandbox() {
  : >"$work/sandbox.out"
  target/debug/bitbucket-sandbox --port 0 --log "$work/sandbox.log" "$@" >"$work/sandbox.out" 2>"$work/sandbox.err" &
  sandbox_pid=$!
  port=
  for _ in $(seq 1 200); do
    port=$(grep -o 'listening on http://127\.0\.0\.1:[0-9]*' "$work/sandbox.out" | grep -o '[0-9]*$' || true)
    [ -n "$port" ] && return 0
    kill -0 "$sandbox_pid" 2>/dev/null || break
    sleep 0.1
  done
  cat "$work/sandbox.err" >&2
  echo "the sandbox did not start" >&2
  exit 1
}

# Whether anything named live-check… is left among the branches and tags of the sandbox's repositories.
leftovers() {
  local cloud=(-s -u lee@example.com:ATATT-demo-lee-cloud)
  local dc=(-s -H "Authorization: Bearer BBDC-demo-lee")
  local api="http://localhost:$port"
  {
    curl "${cloud[@]}" "$api/2.0/repositories/acme/checkout-tests/refs/branches?pagelen=100"
    curl "${cloud[@]}" "$api/2.0/repositories/acme/checkout-tests/refs/tags?pagelen=100"
    curl "${dc[@]}" "$api/rest/api/latest/projects/QA/repos/regression-suite/branches?limit=100"
    curl "${dc[@]}" "$api/rest/api/latest/projects/QA/repos/regression-suite/tags?limit=100"
  } | grep -o '"live-check/[^"]*"' | sort -u || true
}

# check MODE PRODUCT EXPECTED_EXIT ARGS…: runs the checker and compares its verdicts.
check() {
  local mode=$1 product=$2 want_exit=$3
  shift 3
  local name="$mode-$product" summary="$work/$mode-$product.summary" status=0
  BITBUCKET_TOKEN=$token scripts/live-check.sh "$@" --summary "$summary" >"$work/$name.out" 2>&1 || status=$?
  if [ "$status" != "$want_exit" ]; then
    fail "$name: exit status $status, expected $want_exit"
    cat "$work/$name.out"
  elif ! diff -u "$expected_dir/$name.txt" "$summary"; then
    fail "$name: the verdicts above differ from $expected_dir/$name.txt"
    cat "$work/$name.out"
  elif grep -F -- "$token" "$work/$name.out" >/dev/null; then
    fail "$name: the token is in the checker's output"
  else
    echo "ok: $name ($(grep '^Summary:' "$work/$name.out"))"
    passed=$((passed + 1))
  fi
}

run_mode() {
  local mode=$1
  shift
  echo "==> live check against the sandbox: $mode ($*)"
  start_sandbox "$@"
  token=ATATT-demo-lee-cloud check "$mode" cloud "${cloud_exit[$mode]}" \
    --cloud acme --repo checkout-tests --username lee@example.com --api-base-url "http://localhost:$port/2.0"
  token=BBDC-demo-lee check "$mode" dc "${dc_exit[$mode]}" \
    --datacenter "http://localhost:$port" --project QA --repo regression-suite --username lee
  local left
  left=$(leftovers)
  if [ -n "$left" ]; then
    fail "$mode: left behind: $left"
  fi
  stop_sandbox
}

declare -A cloud_exit=([strict]=0 [kind]=0 [faults]=0)
declare -A dc_exit=([strict]=0 [kind]=0 [faults]=1)

# The default sandbox: the strictest reading of every open point.
run_mode strict
# The kinder readings.
run_mode kind --cloud-pagelen-above-max cap --cloud-diffstat-path file-or-folder --cloud-diffstat-repeated-path all \
  --dc-source-branch-on-existing refuse --dc-upload-max-bytes 10485760
# A 429 (one, as Cloud's hourly limit answers it without CORS behind some proxies) and Data Center's file
# editor turned off.
run_mode faults --fail-next 429 --fail-next-path /diffstat/ --fault-cors absent --dc-file-editor disabled

echo "live-check against the sandbox: $passed passed, $failed failed"
[ "$failed" = 0 ]
