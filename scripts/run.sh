#!/usr/bin/env bash
# Quick start, command 1: sets up the machine, builds, and runs ElectX locally:
# a single-validator dev chain (Alice) with off-chain workers, RPC on :9944.
# Ctrl-C stops everything.
set -euo pipefail
HERE="$(dirname "${BASH_SOURCE[0]}")"
bash "$HERE/setup.sh"
source "$HERE/env.sh"
bash "$HERE/build.sh"

BASE="${ELECTX_BASE_PATH:-$HOME/.local/share/electx/dev}"
mkdir -p "$BASE"
echo
echo "ElectX dev chain: ws://127.0.0.1:9944"
echo "  Polkadot.js Apps: https://polkadot.js.org/apps/?rpc=ws%3A%2F%2F127.0.0.1%3A9944#/explorer"
echo "  state kept in $BASE (purge: $ELECTX_NODE purge-chain --dev -d $BASE)"
echo
exec "$ELECTX_NODE" --dev --base-path "$BASE" --offchain-worker always --rpc-cors all
