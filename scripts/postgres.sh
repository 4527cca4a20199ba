#!/usr/bin/env bash
# Sourced by test.sh: start_test_postgres creates a throw-away cluster in a temp dir on 127.0.0.1 and exports
# COMPANYOS_TEST_POSTGRES (an Npgsql connection string); stop_test_postgres stops it and removes the directory.
start_test_postgres() {
  if [ -n "${COMPANYOS_TEST_POSTGRES:-}" ]; then return 0; fi
  local bin; bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
  [ -x "$bin/initdb" ] || return 1
  PG_TMP=$(mktemp -d /tmp/companyos-pg.XXXXXX)
  chown postgres:postgres "$PG_TMP" 2>/dev/null || true
  PG_PORT=${PG_PORT:-$((54000 + RANDOM % 1000))}
  local as="runuser -u postgres --"
  id postgres >/dev/null 2>&1 || as=""
  $as "$bin/initdb" -D "$PG_TMP/data" -U postgres --auth=trust -E UTF8 >/dev/null || return 1
  $as "$bin/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_TMP -c fsync=on -c max_connections=200" start >/dev/null || { cat "$PG_TMP/log"; return 1; }
  export PG_BIN=$bin PG_TMP PG_PORT
  export COMPANYOS_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres;Pooling=true"
}

stop_test_postgres() {
  [ -n "${PG_TMP:-}" ] || return 0
  local as="runuser -u postgres --"
  id postgres >/dev/null 2>&1 || as=""
  $as "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_TMP"
}
