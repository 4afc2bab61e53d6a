#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster for the tests and print its connection string.
# Usage: eval "$(.ci/start-postgres.sh)"   -> exports WORKSTATION_TEST_PG_URL
# Needs the Debian postgresql package (installed by .ci/run). Idempotent: reuses a running cluster.
set -euo pipefail
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$PGBIN" ] || { echo "echo 'PostgreSQL is not installed' >&2; false"; exit 1; }
PGDATA=${PGDATA_DIR:-/tmp/hotline-pg}
PORT=${PGPORT_TEST:-55432}
RUNAS=()
if [ "$(id -u)" = 0 ]; then RUNAS=(runuser -u postgres --); fi
if ! "${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    mkdir -p "$PGDATA"
    [ "$(id -u)" = 0 ] && chown postgres "$PGDATA"
    "${RUNAS[@]}" "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  "${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w \
    -o "-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off" start >/dev/null
fi
"$PGBIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='hotline_test'" | grep -q 1 \
  || "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres hotline_test
echo "export WORKSTATION_TEST_PG_URL=postgresql://postgres@127.0.0.1:$PORT/hotline_test"
