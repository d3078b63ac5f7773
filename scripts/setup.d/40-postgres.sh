#!/usr/bin/env bash
# Test dependency: a PostgreSQL server from Debian, for the gateway's database tests (the
# gateway runs on SQLite by default and on PostgreSQL by configuration; tests cover both).
# Idempotent. Run by `scripts/setup.sh --all`; the server is started by scripts/pg-test.sh.
set -euo pipefail
log() { echo "[setup] $*" >&2; }
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
    log "apt-get install postgresql"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
fi
