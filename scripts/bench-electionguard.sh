#!/usr/bin/env bash
# Compares ballot verification speed: ElectionGuard 1.4.0 (Python + gmpy2,
# 4096-bit MODP group) vs electx-crypto (Rust, ristretto255), both on one core,
# for a one-contest, five-option, single-choice ballot.
#
#   scripts/bench-electionguard.sh            # N=20 EG verifications, 3 s per Rust measurement
#   N=50 SECS=5 scripts/bench-electionguard.sh
#
# Needs pyenv's Python 3.10 (electionguard 1.4.0 does not import on 3.11+) and
# PyPI. The venv lives in $EG_VENV (default ~/.cache/electx/eg-venv), outside the repo.
# CRYPTO_MANIFEST_PATH overrides the Cargo manifest used for the Rust side
# (default: the workspace, `-p electx-crypto`).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EG_VENV="${EG_VENV:-$HOME/.cache/electx/eg-venv}"
N="${N:-20}"
SECS="${SECS:-3}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/electx/crypto-target}"

log() { echo "[bench-electionguard] $*" >&2; }

if [[ ! -x "$EG_VENV/bin/python" ]]; then
    PY310="$(ls -d "$HOME"/.pyenv/versions/3.10.* 2>/dev/null | sort -V | tail -1)"
    if [[ -z "$PY310" ]]; then
        log "no Python 3.10 under ~/.pyenv/versions (try: pyenv install 3.10)"; exit 1
    fi
    log "creating venv $EG_VENV with $PY310"
    "$PY310/bin/python" -m venv "$EG_VENV"
fi
if ! "$EG_VENV/bin/python" -c "import electionguard" 2>/dev/null; then
    log "pip install electionguard==1.4.0"
    "$EG_VENV/bin/pip" install -q electionguard==1.4.0
fi

log "ElectionGuard: verifying $N ballots"
EG_OUT="$(cd "$(mktemp -d)" && nice -n 19 "$EG_VENV/bin/python" "$ROOT/scripts/bench_electionguard.py" "$N")"
echo "$EG_OUT"

log "electx-crypto: examples/verify_rate ($SECS s per measurement)"
if [[ -n "${CRYPTO_MANIFEST_PATH:-}" ]]; then
    CARGO_SEL=(--manifest-path "$CRYPTO_MANIFEST_PATH")
else
    CARGO_SEL=(-p electx-crypto)
fi
RS_OUT="$(cd "$ROOT" && nice -n 19 cargo run -q --release "${CARGO_SEL[@]}" --example verify_rate -- "$SECS")"
echo "$RS_OUT"

get() { echo "$1" | sed -n "s/^$2=//p"; }
EG_RATE="$(get "$EG_OUT" electionguard_verify_per_sec)"
python3 - "$EG_RATE" \
    "$(get "$RS_OUT" single_decode_verify_per_sec)" \
    "$(get "$RS_OUT" single_verify_per_sec)" \
    "$(get "$RS_OUT" batch100_decode_verify_per_sec)" \
    "$(get "$RS_OUT" batch100_verify_per_sec)" <<'PY'
import sys
eg, *rs = map(float, sys.argv[1:])
names = ["single, from SCALE bytes", "single, decoded", "batch of 100, from SCALE bytes", "batch of 100, decoded"]
print(f"ElectionGuard 1.4.0: {eg:10.1f} ballots/s")
for name, r in zip(names, rs):
    print(f"electx-crypto {name:32s}: {r:10.0f} ballots/s  = {r / eg:7.0f}x")
print(f"ratio (conservative: single, from bytes) = {rs[0] / eg:.0f}x")
PY
