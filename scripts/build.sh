#!/usr/bin/env bash
# Builds every binary of the workspace (node with its WASM runtime) in release mode.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ELECTX_ROOT"
# The whole workspace with all targets: one feature set for the binaries and the tests,
# so dependencies compile once (a `-p electx-node` build would unify features differently).
cargo build --release --locked --workspace --all-targets "$@"
