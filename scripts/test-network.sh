#!/usr/bin/env bash
# Network and Polkadot.js tests (issue 8): the Polkadot.js compatibility test against a
# dev node, then the zombienet tests (native provider, `local` chain). Prints each one's
# wall time and a closing `network: N passed, M failed` line; exits non-zero if any
# failed. About 10 minutes on the 2-core machine.
#
#   scripts/test-network.sh                  # all
#   scripts/test-network.sh polkadotjs 0002  # a selection (names or NNNN prefixes)
#
# Env:
#   ELECTX_NODE         node binary (default: $ELECTX_TARGET_DIR/release/electx-node,
#                       i.e. /root/.cache/electx/target/release/electx-node)
#   ELECTX_MAKE_BALLOT  electx-crypto's make_ballot example (default: next to the node in
#                       release/examples/, built there if missing)
#   ELECTX_NETWORK_LOGS where logs and zombienet network dirs go (default: a new
#                       /tmp/electx-network.XXXXXX; kept for failed tests only)
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
[[ -d "$HOME/.cargo/bin" ]] && export PATH="$HOME/.cargo/bin:$PATH"
TARGET="${ELECTX_TARGET_DIR:-$HOME/.cache/electx/target}"
export ELECTX_NODE="${ELECTX_NODE:-$TARGET/release/electx-node}"
export ELECTX_MAKE_BALLOT="${ELECTX_MAKE_BALLOT:-$TARGET/release/examples/make_ballot}"

log() { echo "[test-network] $*"; }

ALL=(polkadotjs 0001-network-smoke 0002-election 0003-fault 0004-fault-three-validators)
SELECTED=()
if (( $# )); then
    for want in "$@"; do
        found=0
        for t in "${ALL[@]}"; do
            if [[ "$t" == "$want"* ]]; then SELECTED+=("$t"); found=1; fi
        done
        (( found )) || { log "unknown test: $want (known: ${ALL[*]})" >&2; exit 2; }
    done
else
    SELECTED=("${ALL[@]}")
fi

if [[ ! -x "$ELECTX_NODE" ]]; then
    log "no node binary at $ELECTX_NODE (build it: scripts/build.sh, or set ELECTX_NODE)" >&2
    exit 1
fi
if [[ ! -x "$ELECTX_MAKE_BALLOT" ]]; then
    # scripts/build.sh builds every example; this is the fallback for a node-only build.
    log "building the make_ballot example into $TARGET"
    CARGO_TARGET_DIR="$TARGET" cargo build -q --release --locked -p electx-crypto \
        --example make_ballot || exit 1
    ELECTX_MAKE_BALLOT="$TARGET/release/examples/make_ballot"
fi
# npm packages: installs only if node_modules is missing or package-lock.json changed.
bash scripts/setup.d/20-node-tools.sh || exit 1

LOGS="${ELECTX_NETWORK_LOGS:-$(mktemp -d /tmp/electx-network.XXXXXX)}"
mkdir -p "$LOGS"
log "node: $ELECTX_NODE"
log "make_ballot: $ELECTX_MAKE_BALLOT"
log "logs: $LOGS"

passed=0
failed=0
failures=()
TOTAL_START=$(date +%s)

run_one() {
    local name="$1" out="$LOGS/$1.log" rc start
    start=$(date +%s)
    log "=== $name"
    if [[ "$name" == polkadotjs ]]; then
        # The node test runner's own report goes to the output as it is.
        timeout 300 node --test tests/polkadotjs/ 2>&1 | tee "$out" \
            | grep -v -e '^# 20..-..-.. ..:..:.. *RPC-CORE' -e 'has multiple versions' \
                -e 'Either remove and explicitly' -e 'conflicting packages were found' \
                -e '^# \\\\t[ce][js]' -e 'WASM backtrace' -e '^#  *[0-9]*: 0x'
        rc=${PIPESTATUS[0]}
    else
        local net="$LOGS/$name-network"
        rm -rf "$net"
        timeout 600 npx zombienet -p native -l text -d "$net" \
            test "zombienet/$name/test.zndsl" >"$out" 2>&1
        rc=$?
        # The assertions and the scripts' own lines; the full log is in $out.
        grep -E '✅|❌|\[electx |Result:|Error|error' "$out" | grep -v 'multiple versions' \
            | sed 's/\x1b\[[0-9;]*m//g' | cut -c1-220
        # Zombienet leaves the nodes' databases behind: keep them only for a failure.
        (( rc == 0 )) && rm -rf "$net"
    fi
    local took=$(( $(date +%s) - start ))
    if (( rc == 0 )); then
        passed=$((passed + 1))
        log "=== $name passed in ${took} s"
    else
        failed=$((failed + 1))
        failures+=("$name")
        log "=== $name FAILED (exit $rc) in ${took} s; log: $out" >&2
    fi
}

for t in "${SELECTED[@]}"; do
    run_one "$t"
done

log "all took $(( $(date +%s) - TOTAL_START )) s"
(( failed )) && log "failed: ${failures[*]} (logs in $LOGS)" >&2
(( failed == 0 )) && [[ -z "${ELECTX_NETWORK_LOGS:-}" ]] && rm -rf "$LOGS"
echo "network: $passed passed, $failed failed"
(( failed == 0 ))
