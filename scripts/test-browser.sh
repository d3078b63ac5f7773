#!/usr/bin/env bash
# Browser tests of the voter frontend (tests/browser/): Debian's Chromium driven by
# playwright-core against a real dev node and gateway that the tests start themselves.
# Runs the setup hooks it needs (npm packages, chromium), then `node --test tests/browser/`,
# and prints a closing `browser: N passed, M failed` line; exits non-zero if any failed.
# About 5 minutes (one election is waited for until its tally). Screenshots go to
# build/screenshots/.
#
#   scripts/test-browser.sh
#
# Env:
#   ELECTX_NODE        node binary     (default: $ELECTX_TARGET_DIR/release/electx-node)
#   ELECTX_GATEWAY     gateway binary  (default: $ELECTX_TARGET_DIR/release/electx-gateway)
#   ELECTX_CHROMIUM    browser         (default: /usr/bin/chromium)
#   ELECTX_BROWSER_LOGS  folder for the node's and gateways' logs (default: a new
#                      /tmp/electx-browser.XXXXXX, removed when every test passed)
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=env.sh
source "$ROOT/scripts/env.sh"
export ELECTX_NODE="${ELECTX_NODE:-$CARGO_TARGET_DIR/release/electx-node}"
export ELECTX_GATEWAY="${ELECTX_GATEWAY:-$CARGO_TARGET_DIR/release/electx-gateway}"

log() { echo "[test-browser] $*"; }

bash scripts/setup.d/20-node-tools.sh || exit 1
bash scripts/setup.d/30-browser.sh || exit 1

for bin in "$ELECTX_NODE" "$ELECTX_GATEWAY"; do
    if [[ ! -x "$bin" ]]; then
        log "not built: $bin (build it: scripts/build.sh, or set ELECTX_NODE / ELECTX_GATEWAY)" >&2
        echo "browser: 0 passed, 1 failed"
        exit 1
    fi
done

KEEP_LOGS=1
if [[ -z "${ELECTX_BROWSER_LOGS:-}" ]]; then
    ELECTX_BROWSER_LOGS="$(mktemp -d /tmp/electx-browser.XXXXXX)"
    KEEP_LOGS=0
fi
export ELECTX_BROWSER_LOGS
mkdir -p build/screenshots

start=$(date +%s)
out="$(mktemp)"
# One test file at a time: each starts its own node and gateway(s). The timeout is a
# backstop only (the tests have their own, and the suite takes about 5 minutes).
timeout --kill-after=15 900 node --test --test-concurrency=1 --test-reporter=spec tests/browser/ 2>&1 | tee "$out"
status=${PIPESTATUS[0]}
passed=$(grep -E '^ℹ pass [0-9]+' "$out" | tail -1 | awk '{print $3}')
failed=$(grep -E '^ℹ fail [0-9]+' "$out" | tail -1 | awk '{print $3}')
rm -f "$out"
passed=${passed:-0}
failed=${failed:-0}
if (( status != 0 && failed == 0 )); then failed=1; fi
log "took $(( $(date +%s) - start )) s; screenshots in build/screenshots/"
if (( failed == 0 && KEEP_LOGS == 0 )); then
    rm -rf "$ELECTX_BROWSER_LOGS"
else
    log "node and gateway logs: $ELECTX_BROWSER_LOGS"
fi
echo "browser: $passed passed, $failed failed"
(( status == 0 && failed == 0 ))
