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
PIDS=()

log() { printf '[bench] %s\n' "$*" >&2; }
fail() { printf '[bench] FAILED: %s\n' "$*" >&2; exit 1; }

source "$ROOT/scripts/postgres.sh"
source "$ROOT/scripts/redis.sh"
cleanup() {
  local pid
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
  sleep 0.5
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true; done
  stop_test_postgres; stop_test_redis
  if [ "${KEEP_WORK:-0}" != 1 ]; then rm -rf "$WORK"; else log "kept $WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for tool in wrk curl python3; do command -v "$tool" >/dev/null || fail "$tool is not installed"; done
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"; [ -x "$NGINX" ] || fail "nginx is not installed"
start_test_postgres || fail "PostgreSQL did not start"
start_test_redis || fail "Redis did not start"

log "building the server (Release)"
dotnet build "$ROOT/src/CompanyOs.Server" -c Release -v q -nologo >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; fail "server build"; }
SERVER_BIN="$ROOT/src/CompanyOs.Server/bin/Release/net10.0/CompanyOs.Server"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_port() { # port name pid
  local i
  for i in $(seq 1 300); do
    kill -0 "$3" 2>/dev/null || fail "$2 exited during start-up: $(tail -5 "$WORK/$2.log" 2>/dev/null)"
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.2
  done
  fail "$2 did not listen on 127.0.0.1:$1 within 60 s"
}
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
JSON_BODY='{"id":"chatcmpl-bench","object":"chat.completion","created":1764547200,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant","content":"Hello from the canned upstream."},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":21,"completion_tokens":7,"total_tokens":28},"system_fingerprint":"fp_bench"}'
nginx_conf() { # dir body...
  mkdir -p "$1"
  cat >"$1/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $1/nginx.pid;
error_log $1/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $1/body; proxy_temp_path $1/proxy; fastcgi_temp_path $1/fastcgi; uwsgi_temp_path $1/uwsgi; scgi_temp_path $1/scgi;
  keepalive_requests 1000000;
  $2
}
EOF
}
nginx_conf "$WORK/upstream" "server { listen 127.0.0.1:$UP_PORT; location = /v1/chat/completions { default_type application/json; return 200 '$JSON_BODY'; } }"
"$NGINX" -c "$WORK/upstream/nginx.conf" -p "$WORK/upstream" >"$WORK/upstream.log" 2>&1 &
PIDS+=($!); wait_port "$UP_PORT" upstream "${PIDS[-1]}"
LB_PROXY='proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffering off;'
nginx_conf "$WORK/lb" "
  upstream one { server 127.0.0.1:$A_PORT; keepalive 64; }
  upstream two { server 127.0.0.1:$A_PORT; server 127.0.0.1:$B_PORT; keepalive 64; }
  server { listen 127.0.0.1:$LB1_PORT; location / { proxy_pass http://one; $LB_PROXY } }
  server { listen 127.0.0.1:$LB2_PORT; location / { proxy_pass http://two; $LB_PROXY } }"

# ---------------------------------------------------------------- two instances over the shared stores
(cd "$WORK/project" && "$SERVER_BIN" keys create --org bench --scopes gateway --rpm 1000000000 --budget-usd 1000000 \
  --keys-store postgres --keys-connection-env BENCH_KEYS_PG) >"$WORK/keys.out" 2>&1 || { cat "$WORK/keys.out"; fail "keys create"; }
API_KEY=$(grep -o 'cos_[A-Za-z0-9_-]*' "$WORK/keys.out" | tail -1)
for inst in A B; do
  port_var="${inst}_PORT"
  (cd "$WORK/project" && exec "$SERVER_BIN" --urls "http://127.0.0.1:${!port_var}" --Logging:LogLevel:Default=Warning) >"$WORK/$inst.log" 2>&1 &
  PIDS+=($!); pid=$!
  wait_port "${!port_var}" "$inst" "$pid"
  eval "${inst}_PID=$pid"
done
"$NGINX" -c "$WORK/lb/nginx.conf" -p "$WORK/lb" >"$WORK/lb.log" 2>&1 &
PIDS+=($!); wait_port "$LB2_PORT" lb "${PIDS[-1]}"

REQ_BODY='{"model":"gpt-4o","messages":[{"role":"user","content":"Say hello."}],"max_tokens":16}'
for url in "http://127.0.0.1:$A_PORT" "http://127.0.0.1:$B_PORT" "http://127.0.0.1:$LB2_PORT"; do
  # The first call of an instance also opens its PostgreSQL and Redis connections: generous on a loaded machine.
  code=$(curl -sS -m 60 --retry 3 --retry-all-errors -o "$WORK/verify.out" -w '%{http_code}' -X POST "$url/v1/chat/completions" -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $API_KEY" --data "$REQ_BODY") || fail "$url does not answer"
  [ "$code" = 200 ] || fail "$url answered $code: $(head -c 300 "$WORK/verify.out")"
done

cat >"$WORK/load.lua" <<EOF
wrk.method = "POST"
wrk.body = '$REQ_BODY'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $API_KEY"
done = function(summary, latency, requests)
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %d %.1f %.3f %.3f %d\n", summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, bad))
end
EOF

: >"$WORK/results.txt"
for c in $CONCURRENCY; do
  for target in "one|http://127.0.0.1:$A_PORT" "lb-one|http://127.0.0.1:$LB1_PORT" "lb-two|http://127.0.0.1:$LB2_PORT"; do
    IFS='|' read -r name url <<<"$target"
    wrk -t2 -c"$c" -d"${WARMUP}s" -s "$WORK/load.lua" "$url/v1/chat/completions" >/dev/null 2>&1 || true
    out=$(wrk -t2 -c"$c" -d"${DURATION}s" --timeout 10s -s "$WORK/load.lua" "$url/v1/chat/completions" 2>&1) || fail "wrk against $name: $out"
    r=$(grep '^RESULT' <<<"$out") || fail "wrk against $name printed no result: $out"
    echo "$name $c ${r#RESULT }" >>"$WORK/results.txt"
    log "$name c=$c: ${r#RESULT } (requests req/s p50ms p99ms errors)"
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
