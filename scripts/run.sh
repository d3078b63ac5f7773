#!/usr/bin/env bash
# Quick start, command 1: sets up the machine, builds, and runs ElectX locally:
# a single-validator dev chain (Alice) with the off-chain tallier, and the gateway with the
# web UI on an embedded SQLite database, in development mode (SMS codes go to the dev outbox
# page). Ctrl-C stops everything.
set -euo pipefail
HERE="$(dirname "${BASH_SOURCE[0]}")"
bash "$HERE/setup.sh"
source "$HERE/env.sh"
bash "$HERE/build.sh"

DATA="${ELECTX_DATA:-$HOME/.local/share/electx}"
BASE="$DATA/dev"
RPC_PORT="${ELECTX_RPC_PORT:-9944}"
GATEWAY_LISTEN="${GATEWAY_LISTEN:-127.0.0.1:8080}"
mkdir -p "$BASE"
GATEWAY="$CARGO_TARGET_DIR/release/electx-gateway"

# The dev election (system) key: generated once; its secret goes to this node's off-chain
# storage (the tallier), its public key into the elections you create.
KEY="$DATA/dev-election.key"
[[ -f "$KEY" ]] || "$ELECTX_NODE" election-key generate --out "$KEY" >/dev/null
PUBLIC="$("$ELECTX_NODE" election-key public --key-file "$KEY")"

"$ELECTX_NODE" --dev --base-path "$BASE" --offchain-worker always --rpc-cors all \
    --rpc-port "$RPC_PORT" >"$DATA/node.log" 2>&1 &
NODE_PID=$!
trap 'kill $NODE_PID 2>/dev/null || true; wait $NODE_PID 2>/dev/null || true' EXIT
rpc() {
    curl -sf -H 'Content-Type: application/json' \
        -d "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"$1\",\"params\":$2}" "http://127.0.0.1:$RPC_PORT"
}
for _ in $(seq 1 60); do rpc system_health '[]' >/dev/null && break; sleep 1; done
# Install the tallier key through the local node's unsafe RPC (a running dev node; for a
# real network use `electx-node election-key install` with the node stopped).
STORAGE_KEY="0x$(python3 -c 'print(b"electx/tallier/secret/".hex())')${PUBLIC#0x}"
rpc offchain_localStorageSet "[\"PERSISTENT\",\"$STORAGE_KEY\",\"$(tr -d '\n' < "$KEY")\"]" >/dev/null

cat <<INFO

ElectX is running.
  Voters' site and dashboard:  http://$GATEWAY_LISTEN/
  Dev SMS outbox:              http://$GATEWAY_LISTEN/dev-sms.html
  Admin page:                  http://$GATEWAY_LISTEN/admin.html   (token: dev-admin-token)
  Election public key:         $PUBLIC   (the dev tallier holds its secret)
  Chain RPC:                   ws://127.0.0.1:$RPC_PORT
  Polkadot.js Apps:            https://polkadot.js.org/apps/?rpc=ws%3A%2F%2F127.0.0.1%3A$RPC_PORT#/explorer
  Logs: $DATA/node.log; chain state in $BASE (purge: $ELECTX_NODE purge-chain --dev -d $BASE)

INFO
"$GATEWAY" --dev-mode --listen "$GATEWAY_LISTEN" \
    --database-url "sqlite://$DATA/gateway.db" \
    --node-url "ws://127.0.0.1:$RPC_PORT" \
    --admin-token "${GATEWAY_ADMIN_TOKEN:-dev-admin-token}" \
    --dev-election-public-key "$PUBLIC" \
    --frontend-dir "$ELECTX_ROOT/frontend"
