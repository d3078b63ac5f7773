#!/usr/bin/env bash
# Regenerates gateway/metadata/electx.scale — the runtime metadata the gateway's subxt code
# is generated from — by starting a throw-away dev node and asking it for metadata V16
# (`Metadata_metadata_at_version(16)`, what subxt itself reads and checks against; `state_getMetadata`
# answers V14, which lacks the runtime APIs).
# Run after any runtime change that touches the metadata, then rebuild the gateway; the
# gateway refuses to run against a node whose metadata differs from this file.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
NODE="${1:-$ELECTX_NODE}"
cd "$ELECTX_ROOT"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$NODE" --dev --tmp --rpc-port "$port" --no-prometheus --no-telemetry --port 0 >/dev/null 2>&1 &
pid=$!
tmp=$(mktemp)
trap 'kill $pid 2>/dev/null || true; rm -f "$tmp"' EXIT
for _ in $(seq 1 60); do
    if curl -sf -o "$tmp" -H 'Content-Type: application/json' \
        -d '{"id":1,"jsonrpc":"2.0","method":"state_call","params":["Metadata_metadata_at_version","0x10000000"]}' "http://127.0.0.1:$port"; then
        python3 - "$tmp" <<'PY'
import json, sys
raw = bytes.fromhex(json.load(open(sys.argv[1]))["result"][2:])
# Option<OpaqueMetadata>: 0x01, then a SCALE compact length, then the metadata.
assert raw[0] == 1, "the runtime has no metadata V16"
mode = raw[1] & 3
skip = {0: 1, 1: 2, 2: 4}.get(mode)
if skip is None:
    skip = 1 + (raw[1] >> 2) + 4
open("gateway/metadata/electx.scale", "wb").write(raw[1 + skip:])
PY
        echo "wrote gateway/metadata/electx.scale ($(stat -c %s gateway/metadata/electx.scale) bytes)"
        exit 0
    fi
    sleep 1
done
echo "the dev node did not answer Metadata_metadata_at_version" >&2
exit 1
