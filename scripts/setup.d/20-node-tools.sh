#!/usr/bin/env bash
# Test dependencies: Node.js/npm and the npm packages of the network (zombienet) and
# Polkadot.js tests, from package-lock.json into ./node_modules (gitignored).
# Idempotent: runs `npm ci` only when node_modules is missing or package-lock.json
# changed since the last install. Run by `scripts/setup.sh --all`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
log() { echo "[setup] $*" >&2; }
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi

# Node.js >= 18 (the packages' engines); the machines ship Node.js 20 with npm.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    log "apt-get install nodejs npm"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm >/dev/null
fi
major="$(node -p 'process.versions.node.split(".")[0]')"
if (( major < 18 )); then
    echo "[setup] Node.js >= 18 is required, found $(node --version)" >&2
    exit 1
fi

cd "$ROOT"
stamp="node_modules/.electx-package-lock.sha256"
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [[ -d node_modules && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    exit 0
fi
log "npm ci (network and Polkadot.js test packages)"
npm ci --no-audit --no-fund --loglevel=error >/dev/null
echo "$want" > "$stamp"
