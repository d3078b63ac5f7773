#!/usr/bin/env bash
# Regenerates chain-spec/{dev,local}.json from the runtime's genesis presets, through
# the node's `export-chain-spec`. The committed files must equal this output
# (node/tests/chain_spec.rs checks it); never edit them by hand.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
NODE="${1:-$ELECTX_NODE}"
cd "$ELECTX_ROOT"
for chain in dev local; do
    "$NODE" export-chain-spec --chain "$chain" > "chain-spec/$chain.json"
    echo "wrote chain-spec/$chain.json"
done
