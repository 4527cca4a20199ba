#!/usr/bin/env bash
# Streaming benchmark (issue #17): how long the gateway server takes to forward each upstream chunk, and whether it holds
# 1,000 concurrent streams for a minute. Not a test: it prints figures for docs/benchmarks.md.
#   upstream: bench/http/sse_bench.py (Python, loopback), each chunk's content = the wall-clock time it was written;
#   server:   src/CompanyOs.Server (Release), its openai provider pointing at that upstream, with every policy on (API key
#             with RPM and budget, provider RPM/TPM limits, org budget, usage log, cost, metrics), logging at Warning.
# (1) chunk latency: LAT_STREAMS rounds, each one stream of LAT_CHUNKS chunks 20 ms apart directly from the upstream and one
#     through the server, alternated (sse_bench.py interleave: the machine's noise falls on both alike), after
#     WARMUP_STREAMS warm-up rounds; client arrival minus upstream write time per chunk, same client; the difference is
#     the server's. Each stream's first chunk (it waits for the response to start) is also reported on its own.
# (2) hold: HOLD_STREAMS concurrent streams through the server, one chunk a second for HOLD_SECONDS; RSS and threads sampled
#     every second; every stream must end with [DONE].
# Usage: bench/http/stream.sh   (LAT_STREAMS=20 LAT_CHUNKS=50 WARMUP_STREAMS=10 HOLD_STREAMS=1000 HOLD_SECONDS=60 may be overridden;
#                                SUMMARY_JSON=FILE also writes the measures as JSON, for bench/run.sh)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LAT_STREAMS="${LAT_STREAMS:-20}"
LAT_CHUNKS="${LAT_CHUNKS:-50}"
WARMUP_STREAMS="${WARMUP_STREAMS:-10}"
HOLD_STREAMS="${HOLD_STREAMS:-1000}"
HOLD_SECONDS="${HOLD_SECONDS:-60}"
WORK="$(mktemp -d /tmp/companyos-bench-stream.XXXXXX)"
BENCH_TAG=stream-bench
# shellcheck source=bench/http/lib.sh
source "$ROOT/bench/http/lib.sh"

need_tools python3 curl
# 1,000 client sockets + 1,000 upstream sockets + the server's: more than the usual 1,024 descriptors.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

build_server
UP_PORT=$(free_port); SERVER_PORT=$(free_port)

start_bg upstream "$WORK" python3 "$HERE/sse_bench.py" upstream "$UP_PORT"
wait_port "$UP_PORT" upstream "$LAST_PID"

# The configuration of run.sh (lib.sh), its openai provider pointing at the Python upstream.
write_bench_config "$WORK" "$UP_PORT"
start_server server "$WORK" "$SERVER_PORT" --config "$WORK/llm.yaml" --keys-db "$WORK/keys.db"
SERVER_PID=$LAST_PID

DIRECT="http://127.0.0.1:$UP_PORT/v1/chat/completions"
VIA="http://127.0.0.1:$SERVER_PORT/v1/chat/completions"
AUTH="Authorization: Bearer $API_KEY"
log "warm-up: $WARMUP_STREAMS rounds"
python3 "$HERE/sse_bench.py" interleave "$WARMUP_STREAMS" "$LAT_CHUNKS" "direct=$DIRECT,via=$VIA" "$AUTH" >/dev/null \
  || fail "the server does not stream (log: $(tail -3 "$WORK/server.log"))"

log "chunk latency: $LAT_STREAMS rounds x $LAT_CHUNKS chunks, direct and through the server alternated"
lat=$(python3 "$HERE/sse_bench.py" interleave "$LAT_STREAMS" "$LAT_CHUNKS" "direct=$DIRECT,via=$VIA" "$AUTH")
direct=$(python3 -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1])["direct"]))' "$lat")
via=$(python3 -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1])["via"]))' "$lat")
log "hold: $HOLD_STREAMS concurrent streams for $HOLD_SECONDS s through the server"
before=$(awk '/^VmRSS/ {printf "%.1f", $2/1024}' "/proc/$SERVER_PID/status")
hold=$(python3 "$HERE/sse_bench.py" hold "$VIA" "$HOLD_STREAMS" "$HOLD_SECONDS" "$SERVER_PID" "$AUTH")
stats=$(curl -sS -m 10 -H "$AUTH" "http://127.0.0.1:$SERVER_PORT/v1/stats") || fail "GET /v1/stats after the hold"

python3 - "$direct" "$via" "$hold" "$before" "$stats" "${SUMMARY_JSON:-}" <<'PY'
import json, sys
direct, via, hold = (json.loads(a) for a in sys.argv[1:4])
print("\n| Chunk arrival after the upstream wrote it | chunks | p50 ms | p95 ms | p99 ms | max ms | first chunks: p50 ms | max ms |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for name, r in (("upstream directly", direct), ("through the server", via)):
    print(f"| {name} | {r['chunks']} | {r['p50_ms']:.3f} | {r['p95_ms']:.3f} | {r['p99_ms']:.3f} | {r['max_ms']:.3f} | "
          f"{r['first_p50_ms']:.3f} | {r['first_max_ms']:.3f} |")
print(f"| **added by the server** | | {via['p50_ms'] - direct['p50_ms']:+.3f} | {via['p95_ms'] - direct['p95_ms']:+.3f} | "
      f"{via['p99_ms'] - direct['p99_ms']:+.3f} | {via['max_ms'] - direct['max_ms']:+.3f} | {via['first_p50_ms'] - direct['first_p50_ms']:+.3f} | |")
print(f"\n| Hold | streams | completed | failed | seconds | chunks | RSS before | max RSS | RSS after | max threads |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
print(f"| through the server | {hold['streams']} | {hold['completed']} | {hold['failed']} | {hold['seconds']} | {hold['chunks']} | "
      f"{sys.argv[4]} MB | {hold['max_rss_mb']} MB | {hold['rss_after_mb']} MB | {hold['max_threads']} |")
if hold["errors"]:
    print("errors:", hold["errors"])
print("RSS samples every 10 s (MB):", hold["rss_samples_mb"])
print("server /v1/stats after:", sys.argv[5][:300])
if sys.argv[6]:
    # The measures for bench/run.sh's summary.
    json.dump({"direct": direct, "via": via, "hold": hold, "rss_before_mb": float(sys.argv[4]),
               "added_p50_ms": round(via["p50_ms"] - direct["p50_ms"], 4), "added_p95_ms": round(via["p95_ms"] - direct["p95_ms"], 4),
               "added_p99_ms": round(via["p99_ms"] - direct["p99_ms"], 4), "added_max_ms": round(via["max_ms"] - direct["max_ms"], 4)},
              open(sys.argv[6], "w"), indent=1)
PY
