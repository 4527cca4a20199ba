#!/usr/bin/env bash
# Sourced by test.sh: start_test_redis starts a throw-away Redis (no persistence) on a loopback port with its files in a
# temp dir and exports COMPANYOS_TEST_REDIS (a StackExchange.Redis configuration string); stop_test_redis stops it and
# removes the directory.
start_test_redis() {
  if [ -n "${COMPANYOS_TEST_REDIS:-}" ]; then return 0; fi
  command -v redis-server >/dev/null 2>&1 || return 1
  REDIS_TMP=$(mktemp -d /tmp/companyos-redis.XXXXXX)
  REDIS_PORT=${REDIS_PORT:-$((56000 + RANDOM % 1000))}
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$REDIS_TMP" --save "" --appendonly no \
    --daemonize yes --pidfile "$REDIS_TMP/redis.pid" --logfile "$REDIS_TMP/log" || return 1
  local i
  for i in $(seq 1 100); do
    if redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; then
      export REDIS_TMP REDIS_PORT
      export COMPANYOS_TEST_REDIS="127.0.0.1:$REDIS_PORT"
      return 0
    fi
    sleep 0.1
  done
  cat "$REDIS_TMP/log"; return 1
}

stop_test_redis() {
  [ -n "${REDIS_TMP:-}" ] || return 0
  local pid i
  pid=$(cat "$REDIS_TMP/redis.pid" 2>/dev/null)
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    # Redis writes its log until it has exited; remove the directory after that.
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$REDIS_TMP"
}
