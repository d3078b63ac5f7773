#!/usr/bin/env bash
# Runs the voting pallet's benchmarks in the real WASM runtime and writes
# pallets/voting/src/weights.rs. Builds the runtime with `runtime-benchmarks`; the node
# binary runs the benchmarks against that WASM (`--runtime`), so the node itself needs
# no extra feature.
#
#   scripts/bench-pallet.sh               # 20 steps, 10 repeats
#   STEPS=5 REPEAT=3 scripts/bench-pallet.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ELECTX_ROOT"
STEPS="${STEPS:-20}"
REPEAT="${REPEAT:-10}"
cargo build --release --locked -p electx-runtime --features runtime-benchmarks
# Keep the benchmark WASM aside: the node build below rebuilds the normal one in place.
WASM="$CARGO_TARGET_DIR/electx_runtime.benchmarks.wasm"
cp "$CARGO_TARGET_DIR/release/wbuild/electx-runtime/electx_runtime.compact.compressed.wasm" "$WASM"
bash scripts/build.sh
"$ELECTX_NODE" benchmark pallet \
    --runtime "$WASM" \
    --genesis-builder runtime \
    --genesis-builder-preset development \
    --pallet pallet_voting --extrinsic '*' \
    --steps "$STEPS" --repeat "$REPEAT" \
    --wasm-execution compiled \
    --template scripts/frame-weight-template.hbs \
    --output pallets/voting/src/weights.rs
