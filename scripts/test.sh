#!/usr/bin/env bash
# Quick start, command 2: sets up the machine and runs every check and test, in CI's
# order: format, lint, build, unit + integration + end-to-end tests (SQLite and
# PostgreSQL), network, browser.
# Prints the wall time of each phase.
set -euo pipefail
HERE="$(dirname "${BASH_SOURCE[0]}")"
TOTAL_START=$(date +%s)
phase() {
    local name="$1"; shift
    local start; start=$(date +%s)
    echo "=== phase: $name"
    "$@"
    echo "=== phase: $name took $(( $(date +%s) - start )) s"
}

phase setup bash "$HERE/setup.sh" --all
source "$HERE/env.sh"
cd "$ELECTX_ROOT"

phase fmt cargo fmt --all -- --check
phase clippy env SKIP_WASM_BUILD=1 cargo clippy --release --locked --workspace --all-targets -- -D warnings
phase build bash "$HERE/build.sh"
# The ballot crypto must build without std for the runtime's target.
WASM_CARGO=(cargo)
[[ -n "${WASM_BUILD_TOOLCHAIN:-}" ]] && WASM_CARGO=(cargo "+$WASM_BUILD_TOOLCHAIN")
phase crypto-no-std "${WASM_CARGO[@]}" build --release --locked -p electx-crypto --no-default-features --target wasm32v1-none
# The gateway's database tests run on SQLite and on a throw-away PostgreSQL server.
phase postgres bash "$HERE/pg-test.sh"
eval "$(bash "$HERE/pg-test.sh")"
export ELECTX_REQUIRE_POSTGRES=1
phase tests cargo test --release --locked --workspace
# The pallet's benchmarks, run as tests on the mock runtime.
phase benchmark-tests env SKIP_WASM_BUILD=1 cargo test --release --locked -p pallet-voting --features runtime-benchmarks
# Polkadot.js compatibility and the zombienet network tests (3- and 4-validator networks).
phase network bash "$HERE/test-network.sh"
# The web UI in Debian's Chromium (playwright-core) against a real dev node and gateway.
phase browser bash "$HERE/test-browser.sh"

echo "=== all phases took $(( $(date +%s) - TOTAL_START )) s"
