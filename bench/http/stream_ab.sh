#!/usr/bin/env bash
# Same-run A/B of server builds on the streaming path (issue #17): per-chunk forwarding latency of each LABEL=BINDIR (a
# Release output directory holding CompanyOs.Server, e.g. a copy of src/CompanyOs.Server/bin/Release/net10.0 made before a
# change) against the upstream called directly, all in ONE interleaved run: every round streams once directly and once
# through each build, the order rotated each round (bench/http/sse_bench.py interleave), so a shared machine's noise
# falls on all of them alike. The builds run side by side, each with stream.sh's configuration (every policy on) and its
# own key store, against one upstream (sse_bench.py). Prints per target p50/p95/p99/max of the chunk's arrival after the
# upstream wrote it, and what each build adds over direct. With HOLD_STREAMS > 0, each build then holds that many
# concurrent streams for HOLD_SECONDS, one build at a time (the others idle), and its RSS and threads are reported.
# A build may carry environment settings: LABEL=BINDIR:VAR=VALUE[,VAR=VALUE…] (e.g. the same build with a runtime knob).
#
# Usage: bench/http/stream_ab.sh before=/tmp/before after=src/CompanyOs.Server/bin/Release/net10.0
#        LAT_STREAMS=40 LAT_CHUNKS=50 WARMUP_STREAMS=10 HOLD_STREAMS=1000 HOLD_SECONDS=60 bench/http/stream_ab.sh …
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LAT_STREAMS="${LAT_STREAMS:-40}"
LAT_CHUNKS="${LAT_CHUNKS:-50}"
WARMUP_STREAMS="${WARMUP_STREAMS:-10}"
HOLD_STREAMS="${HOLD_STREAMS:-0}"
HOLD_SECONDS="${HOLD_SECONDS:-60}"
WORK="$(mktemp -d /tmp/companyos-bench-stream-ab.XXXXXX)"
BENCH_TAG=stream-ab
# shellcheck source=bench/http/lib.sh
source "$ROOT/bench/http/lib.sh"

[ $# -ge 1 ] || fail "usage: bench/http/stream_ab.sh LABEL=BINDIR[:VAR=VALUE,…] …"
for build in "$@"; do
  dir="${build#*=}"; dir="${dir%%:*}"
  [ -x "$dir/CompanyOs.Server" ] || fail "no CompanyOs.Server in '$dir' (from '$build')"
  [ "${build%%=*}" != direct ] || fail "'direct' names the upstream itself; pick another label"
done
need_tools python3 curl
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

UP_PORT=$(free_port)
start_bg upstream "$WORK" python3 "$HERE/sse_bench.py" upstream "$UP_PORT"
wait_port "$UP_PORT" upstream "$LAST_PID"

targets="direct=http://127.0.0.1:$UP_PORT/v1/chat/completions"
declare -A PORT PID
first_label=""
for build in "$@"; do
  label="${build%%=*}"; rest="${build#*=}"; dir="${rest%%:*}"; envs=()
  [ "$rest" != "$dir" ] && IFS=',' read -r -a envs <<<"${rest#*:}"
  # Absolute: the servers and `keys create` run from the work directory.
  SERVER_BIN="$(cd "$dir" && pwd)/CompanyOs.Server"
  # One configuration and key for all builds (lib.sh's, as in stream.sh): the first build writes them, the others copy.
  if [ -z "${first_label:-}" ]; then
    write_bench_config "$WORK/$label" "$UP_PORT"
    first_label="$label"
  else
    mkdir -p "$WORK/$label"
    cp "$WORK/$first_label/llm.yaml" "$WORK/$first_label/keys.db" "$WORK/$label/"
  fi
  PORT[$label]=$(free_port)
  start_bg "server-$label" "$WORK/$label" env "${envs[@]}" "$SERVER_BIN" --config "$WORK/$label/llm.yaml" \
    --keys-db "$WORK/$label/keys.db" --urls "http://127.0.0.1:${PORT[$label]}" --Logging:LogLevel:Default=Warning
  wait_port "${PORT[$label]}" "server-$label" "$LAST_PID" "${SERVER_START_SECONDS:-30}"
  PID[$label]=$LAST_PID
  targets+=",$label=http://127.0.0.1:${PORT[$label]}/v1/chat/completions"
done
AUTH="Authorization: Bearer $API_KEY"

log "warm-up: $WARMUP_STREAMS streams x 50 chunks through each target"
python3 "$HERE/sse_bench.py" interleave "$WARMUP_STREAMS" 50 "$targets" "$AUTH" >/dev/null \
  || fail "a target does not stream (logs in $WORK)"
log "chunk latency: $LAT_STREAMS rounds x $LAT_CHUNKS chunks, targets interleaved: ${targets//http:\/\/127.0.0.1:/:}"
lat=$(python3 "$HERE/sse_bench.py" interleave "$LAT_STREAMS" "$LAT_CHUNKS" "$targets" "$AUTH")

holds="{}"
if [ "$HOLD_STREAMS" -gt 0 ]; then
  for build in "$@"; do
    label="${build%%=*}"
    log "hold: $HOLD_STREAMS concurrent streams for $HOLD_SECONDS s through $label"
    before=$(awk '/^VmRSS/ {printf "%.1f", $2/1024}' "/proc/${PID[$label]}/status")
    hold=$(python3 "$HERE/sse_bench.py" hold "http://127.0.0.1:${PORT[$label]}/v1/chat/completions" "$HOLD_STREAMS" "$HOLD_SECONDS" "${PID[$label]}" "$AUTH")
    holds=$(python3 -c 'import json,sys; h=json.loads(sys.argv[1]); h[sys.argv[2]]=dict(json.loads(sys.argv[3]), rss_before_mb=float(sys.argv[4])); print(json.dumps(h))' \
      "$holds" "$label" "$hold" "$before")
  done
fi

python3 - "$lat" "$holds" <<'PY'
import json, sys
lat, holds = json.loads(sys.argv[1]), json.loads(sys.argv[2])
d = lat["direct"]
print("\n| Chunk arrival after the upstream wrote it | chunks | p50 ms | p95 ms | p99 ms | max ms | added p50 | added p95 | added p99 | added max |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for name, r in lat.items():
    added = "| | |" if name == "direct" else " | ".join(f"{r[k] - d[k]:+.3f}" for k in ("p50_ms", "p95_ms", "p99_ms", "max_ms"))
    print(f"| {name} | {r['chunks']} | {r['p50_ms']:.3f} | {r['p95_ms']:.3f} | {r['p99_ms']:.3f} | {r['max_ms']:.3f} | {added} |")
print("\n| Of which | first chunk of each stream: p50 ms | max ms | later chunks: p99 ms | added: first p50 | later p99 |")
print("|---|---:|---:|---:|---:|---:|")
for name, r in lat.items():
    added = "| " if name == "direct" else f"{r['first_p50_ms'] - d['first_p50_ms']:+.3f} | {r['later_p99_ms'] - d['later_p99_ms']:+.3f}"
    print(f"| {name} | {r['first_p50_ms']:.3f} | {r['first_max_ms']:.3f} | {r['later_p99_ms']:.3f} | {added} |")
if holds:
    print("\n| Hold | streams | completed | failed | seconds | chunks | RSS before | max RSS | RSS after | max threads |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, h in holds.items():
        print(f"| {name} | {h['streams']} | {h['completed']} | {h['failed']} | {h['seconds']} | {h['chunks']} | {h['rss_before_mb']} MB | "
              f"{h['max_rss_mb']} MB | {h['rss_after_mb']} MB | {h['max_threads']} |")
        if h["errors"]:
            print(f"  {name} errors:", h["errors"])
PY
