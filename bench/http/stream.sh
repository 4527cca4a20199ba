#!/usr/bin/env bash
# Streaming benchmark (issue #17): how long the gateway server takes to forward each upstream chunk, and whether it holds
# 1,000 concurrent streams for a minute. Not a test: it prints figures for docs/benchmarks.md.
#   upstream: bench/http/sse_bench.py (Python, loopback), each chunk's content = the wall-clock time it was written;
#   server:   src/CompanyOs.Server (Release), its openai provider pointing at that upstream, with every policy on (API key
#             with RPM and budget, provider RPM/TPM limits, org budget, usage log, cost, metrics), logging at Warning.
# (1) chunk latency: LAT_STREAMS streams one after the other of LAT_CHUNKS chunks 20 ms apart, client arrival minus upstream
#     write time per chunk — directly from the upstream and through the server, same client; the difference is the server's.
# (2) hold: HOLD_STREAMS concurrent streams through the server, one chunk a second for HOLD_SECONDS; RSS and threads sampled
#     every second; every stream must end with [DONE].
# Usage: bench/http/stream.sh   (LAT_STREAMS=20 LAT_CHUNKS=50 HOLD_STREAMS=1000 HOLD_SECONDS=60 may be overridden)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/bench/http"
LAT_STREAMS="${LAT_STREAMS:-20}"
LAT_CHUNKS="${LAT_CHUNKS:-50}"
HOLD_STREAMS="${HOLD_STREAMS:-1000}"
HOLD_SECONDS="${HOLD_SECONDS:-60}"
WORK="$(mktemp -d /tmp/companyos-bench-stream.XXXXXX)"
PIDS=()

log() { printf '[stream-bench] %s\n' "$*" >&2; }
fail() { printf '[stream-bench] FAILED: %s\n' "$*" >&2; exit 1; }
cleanup() {
  local pid
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
  if [ "${KEEP_WORK:-0}" != 1 ]; then rm -rf "$WORK"; else log "kept $WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

command -v python3 >/dev/null || fail "python3 is not installed"
# 1,000 client sockets + 1,000 upstream sockets + the server's: more than the usual 1,024 descriptors.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

log "building the server (Release)"
dotnet build "$ROOT/src/CompanyOs.Server" -c Release -v q -nologo >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; fail "server build"; }
SERVER_BIN="$ROOT/src/CompanyOs.Server/bin/Release/net10.0/CompanyOs.Server"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_port() { # port name pid
  local i
  for i in $(seq 1 150); do
    kill -0 "$3" 2>/dev/null || fail "$2 exited during start-up: $(tail -5 "$WORK/$2.log" 2>/dev/null)"
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.2
  done
  fail "$2 did not listen on 127.0.0.1:$1 within 30 s"
}
UP_PORT=$(free_port); SERVER_PORT=$(free_port)

python3 "$HERE/sse_bench.py" upstream "$UP_PORT" >"$WORK/upstream.log" 2>&1 &
PIDS+=($!); wait_port "$UP_PORT" upstream "$!"

cat >"$WORK/llm.yaml" <<YAML
default_provider: openai
providers:
  openai:
    api_key: "\${OPENAI_API_KEY}"
    base_url: "http://127.0.0.1:$UP_PORT/v1"
    default_model: "gpt-4o"
    rate_limit_rpm: 1000000000
    rate_limit_tpm: 1000000000
    timeout_seconds: 30
budgets:
  orgs: { bench: { usd: 1000000, tokens: 1000000000000 } }
YAML
export OPENAI_API_KEY="sk-bench-dummy-not-a-real-key"
(cd "$WORK" && "$SERVER_BIN" keys create --org bench --scopes gateway --rpm 1000000000 --budget-usd 1000000 --keys-db "$WORK/keys.db") >"$WORK/keys.out" 2>&1 \
  || { cat "$WORK/keys.out"; fail "keys create"; }
API_KEY=$(grep -o 'cos_[A-Za-z0-9_-]*' "$WORK/keys.out" | tail -1)
(cd "$WORK" && exec "$SERVER_BIN" --config "$WORK/llm.yaml" --keys-db "$WORK/keys.db" --urls "http://127.0.0.1:$SERVER_PORT" \
  --Logging:LogLevel:Default=Warning) >"$WORK/server.log" 2>&1 &
PIDS+=($!); SERVER_PID=$!
wait_port "$SERVER_PORT" server "$SERVER_PID"

DIRECT="http://127.0.0.1:$UP_PORT/v1/chat/completions"
VIA="http://127.0.0.1:$SERVER_PORT/v1/chat/completions"
AUTH="Authorization: Bearer $API_KEY"
log "warm-up"
python3 "$HERE/sse_bench.py" latency "$VIA" 5 20 "$AUTH" >/dev/null || fail "the server does not stream (log: $(tail -3 "$WORK/server.log"))"

log "chunk latency: $LAT_STREAMS streams x $LAT_CHUNKS chunks, direct then through the server"
direct=$(python3 "$HERE/sse_bench.py" latency "$DIRECT" "$LAT_STREAMS" "$LAT_CHUNKS")
via=$(python3 "$HERE/sse_bench.py" latency "$VIA" "$LAT_STREAMS" "$LAT_CHUNKS" "$AUTH")
log "hold: $HOLD_STREAMS concurrent streams for $HOLD_SECONDS s through the server"
before=$(awk '/^VmRSS/ {printf "%.1f", $2/1024}' "/proc/$SERVER_PID/status")
hold=$(python3 "$HERE/sse_bench.py" hold "$VIA" "$HOLD_STREAMS" "$HOLD_SECONDS" "$SERVER_PID" "$AUTH")
stats=$(curl -sS -m 10 -H "$AUTH" "http://127.0.0.1:$SERVER_PORT/v1/stats") || fail "GET /v1/stats after the hold"

python3 - "$direct" "$via" "$hold" "$before" "$stats" <<'PY'
import json, sys
direct, via, hold = (json.loads(a) for a in sys.argv[1:4])
print("\n| Chunk arrival after the upstream wrote it | chunks | p50 ms | p99 ms | max ms |")
print("|---|---:|---:|---:|---:|")
for name, r in (("upstream directly", direct), ("through the server", via)):
    print(f"| {name} | {r['chunks']} | {r['p50_ms']:.3f} | {r['p99_ms']:.3f} | {r['max_ms']:.3f} |")
print(f"| **added by the server** | | {via['p50_ms'] - direct['p50_ms']:+.3f} | {via['p99_ms'] - direct['p99_ms']:+.3f} | |")
print(f"\n| Hold | streams | completed | failed | seconds | chunks | RSS before | max RSS | RSS after | max threads |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
print(f"| through the server | {hold['streams']} | {hold['completed']} | {hold['failed']} | {hold['seconds']} | {hold['chunks']} | "
      f"{sys.argv[4]} MB | {hold['max_rss_mb']} MB | {hold['rss_after_mb']} MB | {hold['max_threads']} |")
if hold["errors"]:
    print("errors:", hold["errors"])
print("RSS samples every 10 s (MB):", hold["rss_samples_mb"])
print("server /v1/stats after:", sys.argv[5][:300])
PY
