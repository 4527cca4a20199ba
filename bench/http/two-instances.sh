#!/usr/bin/env bash
# Two server instances vs one, in the same run (issue #16): the same wrk load against
#   (1) one instance, directly;
#   (2) one instance behind an nginx round-robin balancer (the balancer's own cost);
#   (3) two instances behind the same balancer.
# Every instance runs the scale-out setup of docs/scale-out.md: keys, spend and usage in PostgreSQL, runs in
# PostgreSQL, RPM/TPM limits and budget reservations in Redis (when the server has the `redis` key), a key with a budget
# and an RPM limit, the provider's RPM/TPM limits on; the provider is a canned nginx upstream that answers at once.
# PostgreSQL and Redis: COMPANYOS_TEST_POSTGRES / COMPANYOS_TEST_REDIS when set, else throw-away ones (scripts/*.sh).
# On a 2-core machine both instances share the same cores: see the caveat in docs/scale-out.md.
#
# Usage: bench/http/two-instances.sh   (DURATION=5 WARMUP=2 CONCURRENCY="8 32" may be overridden)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DURATION="${DURATION:-5}"
WARMUP="${WARMUP:-2}"
CONCURRENCY="${CONCURRENCY:-8 32}"
WORK="$(mktemp -d /tmp/companyos-bench-2inst.XXXXXX)"
BENCH_TAG=bench
# Instances open PostgreSQL and Redis connections at start-up: generous on a loaded machine.
SERVER_START_SECONDS=60

source "$ROOT/scripts/postgres.sh"
source "$ROOT/scripts/redis.sh"
bench_extra_cleanup() { stop_test_postgres; stop_test_redis; }
# shellcheck source=bench/http/lib.sh
source "$ROOT/bench/http/lib.sh"

need_tools wrk curl python3
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"; [ -x "$NGINX" ] || fail "nginx is not installed"
start_test_postgres || fail "PostgreSQL did not start"
start_test_redis || fail "Redis did not start"

build_server
UP_PORT=$(free_port); A_PORT=$(free_port); B_PORT=$(free_port); LB1_PORT=$(free_port); LB2_PORT=$(free_port)

# ---------------------------------------------------------------- the scale-out configuration (one schema per run)
SCHEMA="bench_$(date +%s)_$$"
mkdir -p "$WORK/project/config"
cat >"$WORK/project/config/llm.yaml" <<EOF
default_provider: openai
providers:
  openai:
    api_key: "\${OPENAI_API_KEY}"
    base_url: "http://127.0.0.1:$UP_PORT/v1"
    default_model: "gpt-4o"
    rate_limit_rpm: 1000000000
    rate_limit_tpm: 1000000000
    max_retries: 0
EOF
cat >"$WORK/project/config/server.yaml" <<EOF
keys_store: postgres
keys_connection_string_env: BENCH_KEYS_PG
runs_postgres: "\${BENCH_RUNS_PG}"
runs_postgres_schema: ${SCHEMA}_runs
EOF
if grep -q '"redis_key_prefix"' "$ROOT/src/CompanyOs.Server/Hosting/ServerConfigFile.cs"; then
  cat >>"$WORK/project/config/server.yaml" <<EOF
redis: "\${BENCH_REDIS}"
redis_key_prefix: "bench-$SCHEMA:"
instances: 2
EOF
  SHARED="PostgreSQL + Redis"
else
  SHARED="PostgreSQL only (this server has no redis key)"
fi
export OPENAI_API_KEY="sk-bench-dummy-not-a-real-key"
export BENCH_KEYS_PG="$COMPANYOS_TEST_POSTGRES;Search Path=${SCHEMA}_keys"
export BENCH_RUNS_PG="$COMPANYOS_TEST_POSTGRES"
export BENCH_REDIS="$COMPANYOS_TEST_REDIS"
# The key store's schema must exist (its search path names it); psql as the postgres role over TCP (trust auth in the test cluster).
PSQL="$(command -v psql || ls /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -n1)"
PGPORT_OF_URL=$(sed -n 's/.*Port=\([0-9]*\).*/\1/p' <<<"$COMPANYOS_TEST_POSTGRES")
"$PSQL" "host=127.0.0.1 port=$PGPORT_OF_URL user=postgres dbname=postgres" -qc "CREATE SCHEMA ${SCHEMA}_keys" >/dev/null \
  || fail "could not create schema ${SCHEMA}_keys"

# ---------------------------------------------------------------- canned upstream + balancers (nginx, one worker each)
start_canned_nginx upstream "$WORK/upstream" "$UP_PORT"
LB_PROXY='proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffering off;'
nginx_conf "$WORK/lb" "
  upstream one { server 127.0.0.1:$A_PORT; keepalive 64; }
  upstream two { server 127.0.0.1:$A_PORT; server 127.0.0.1:$B_PORT; keepalive 64; }
  server { listen 127.0.0.1:$LB1_PORT; location / { proxy_pass http://one; $LB_PROXY } }
  server { listen 127.0.0.1:$LB2_PORT; location / { proxy_pass http://two; $LB_PROXY } }"

# ---------------------------------------------------------------- two instances over the shared stores
create_api_key "$WORK/project" --keys-store postgres --keys-connection-env BENCH_KEYS_PG
start_server A "$WORK/project" "$A_PORT"
start_server B "$WORK/project" "$B_PORT"
start_nginx lb "$WORK/lb" "$LB2_PORT"

for url in "http://127.0.0.1:$A_PORT" "http://127.0.0.1:$B_PORT" "http://127.0.0.1:$LB2_PORT"; do
  # The first call of an instance also opens its PostgreSQL and Redis connections: generous on a loaded machine.
  code=$(curl -sS -m 60 --retry 3 --retry-all-errors -o "$WORK/verify.out" -w '%{http_code}' -X POST "$url/v1/chat/completions" -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $API_KEY" --data "$REQ_BODY") || fail "$url does not answer"
  [ "$code" = 200 ] || fail "$url answered $code: $(head -c 300 "$WORK/verify.out")"
done

write_lua "$WORK/load.lua" "$REQ_BODY" "Authorization: Bearer $API_KEY"

: >"$WORK/results.txt"
for c in $CONCURRENCY; do
  for target in "one|http://127.0.0.1:$A_PORT" "lb-one|http://127.0.0.1:$LB1_PORT" "lb-two|http://127.0.0.1:$LB2_PORT"; do
    IFS='|' read -r name url <<<"$target"
    r=$(wrk_cell "$name" "$c" "$url/v1/chat/completions" "$WORK/load.lua")
    echo "$name $c $r" >>"$WORK/results.txt"
    log "$name c=$c: $r (requests req/s p50ms p99ms errors)"
  done
done

log "shared state: $SHARED; load average $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$WORK/results.txt" "$DURATION" "$WARMUP" "$SHARED" <<'PY'
import sys
label = {"one": "one instance, direct", "lb-one": "one instance behind nginx", "lb-two": "two instances behind nginx (round-robin)"}
rows = [l.split() for l in open(sys.argv[1])]
print(f"\nShared state: {sys.argv[4]}. {sys.argv[2]} s per cell after a {sys.argv[3]} s warm-up; p50/p99 in ms.\n")
print("| Target | c | req/s | p50 ms | p99 ms | non-2xx/errors |")
print("|---|---:|---:|---:|---:|---:|")
for name, c, n, rps, p50, p99, bad in rows:
    print(f"| {label[name]} | {c} | {float(rps):,.0f} | {float(p50):.3f} | {float(p99):.3f} | {bad} |")
by = {(r[0], r[1]): float(r[3]) for r in rows}
print()
for c in sorted({r[1] for r in rows}, key=int):
    print(f"two / one behind the balancer at c={c}: {by[('lb-two', c)] / by[('lb-one', c)]:.2f}×")
PY
