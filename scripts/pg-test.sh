#!/usr/bin/env bash
# Starts (idempotently) a throw-away PostgreSQL server for the gateway's tests, owned by the
# current user, in ~/.cache/electx/pg on port 55432, and prints the URL the tests use
# (ELECTX_TEST_POSTGRES_URL). Usage: eval "$(scripts/pg-test.sh)"
set -euo pipefail
BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
DATA="${ELECTX_PG_DIR:-$HOME/.cache/electx/pg}"
PORT="${ELECTX_PG_PORT:-55432}"
RUN_AS=()
# PostgreSQL refuses to run as root: use the `postgres` system user then.
if [[ $(id -u) -eq 0 ]]; then
    RUN_AS=(runuser -u postgres --)
    DATA="/var/tmp/electx-pg"
fi
if [[ ! -f "$DATA/PG_VERSION" ]]; then
    mkdir -p "$DATA"
    [[ ${#RUN_AS[@]} -gt 0 ]] && chown postgres "$DATA"
    "${RUN_AS[@]}" "$BIN/initdb" -D "$DATA" -U electx --auth=trust >/dev/null
fi
if ! "${RUN_AS[@]}" "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    "${RUN_AS[@]}" "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w \
        -o "-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
fi
echo "export ELECTX_TEST_POSTGRES_URL=postgres://electx@127.0.0.1:$PORT/postgres"
