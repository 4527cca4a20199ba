#!/usr/bin/env bash
# Bytes allocated per request (issue #17), same run: each LABEL=BINDIR (a Release output directory holding CompanyOs.Server,
# as for ab.sh; LABEL=BINDIR:VAR=VALUE[,VAR=VALUE…] adds environment settings) is started fresh against one nginx and the
# bench configuration (every policy on), warmed up, then `dotnet-trace` records the runtime's GCAllocationTick events
# (one per ~100 KB allocated, charged to the type that crossed it) over a whole `wrk` run: the sampled bytes divided by
# wrk's exact request count is the bytes per request; then the run's GC pauses (suspension, collection, bytes promoted by
# root kind: GC events of the same trace) and the types with the most bytes per request. Builds alternate
# for ROUNDS rounds. Needs dotnet-trace (`dotnet tool install -g dotnet-trace`).
#
# Usage: bench/http/alloc.sh before=/tmp/before after=src/CompanyOs.Server/bin/Release/net10.0
#        ROUNDS=2 C=8 DURATION=8 WARMUP=15 TOP=25 bench/http/alloc.sh …
#        SSE=1 bench/http/alloc.sh …   (bytes per streaming request: the canned SSE upstream, as run.sh's SSE cell)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ROUNDS="${ROUNDS:-2}"; C="${C:-8}"; DURATION="${DURATION:-8}"; WARMUP="${WARMUP:-15}"; TOP="${TOP:-25}"
WORK="$(mktemp -d /tmp/companyos-bench-alloc.XXXXXX)"
BENCH_TAG=alloc
# shellcheck source=bench/http/lib.sh
source "$ROOT/bench/http/lib.sh"

[ $# -ge 1 ] || fail "usage: bench/http/alloc.sh LABEL=BINDIR[:VAR=VALUE,…] …"
TRACE_TOOL="${DOTNET_TRACE:-$(command -v dotnet-trace || echo "$HOME/.dotnet/tools/dotnet-trace")}"
[ -x "$TRACE_TOOL" ] || fail "dotnet-trace not found: dotnet tool install -g dotnet-trace (or set DOTNET_TRACE)"
log "building the trace reader"
dotnet build "$ROOT/bench/http/AllocTrace" -c Release -v q -nologo >"$WORK/build-reader.log" 2>&1 \
  || fail "building bench/http/AllocTrace failed: $WORK/build-reader.log"
READER="$ROOT/bench/http/AllocTrace/bin/Release/net10.0/CompanyOs.Benchmarks.AllocTrace"

setup_builds "$@"
set -- "${BUILDS[@]}"
write_lua "$WORK/server.lua" "$BODY" "Authorization: Bearer $API_KEY"

for round in $(seq 1 "$ROUNDS"); do
  for build in "$@"; do
    start_build "$build"
    wrk -t2 -c"$C" -d"${WARMUP}s" -s "$WORK/server.lua" "http://127.0.0.1:$port/v1/chat/completions" >/dev/null 2>&1
    trace="$WORK/$label-r$round.nettrace"
    # The trace starts before and ends after the measured run, so that every request of it is in the trace.
    timeout $((DURATION + 40)) "$TRACE_TOOL" collect -p "$pid" --providers Microsoft-Windows-DotNETRuntime:0x1:5 \
      --duration "00:00:00:$(printf '%02d' $((DURATION + 6)))" -o "$trace" >"$WORK/trace-$label.log" 2>&1 &
    tracer=$!
    sleep 3
    out=$(wrk -t2 -c"$C" -d"${DURATION}s" -s "$WORK/server.lua" "http://127.0.0.1:$port/v1/chat/completions" 2>&1)
    wait "$tracer" || fail "dotnet-trace failed: $WORK/trace-$label.log"
    read -r _ n rps _ _ bad <<<"$(grep RESULT <<<"$out")"
    [ "${bad:-1}" = 0 ] || log "$label: $bad errors or non-2xx"
    printf '== round %s, %s: c=%s, %s requests, %s req/s\n' "$round" "$label" "$C" "$n" "$rps"
    "$READER" "$trace" "$n" "$TOP"
    kill "$pid"; wait "$pid" 2>/dev/null || true
    [ "${KEEP_WORK:-0}" = 1 ] || rm -f "$trace"   # KEEP_WORK=1 keeps the traces with the work directory
  done
done
