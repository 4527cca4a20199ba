#!/usr/bin/env bash
# Issue #17's benchmarks in one entry point: runs each part, then prints one summary of every measured value against its
# target (bench/summary.py), also written to the results directory.
#
#   http    bench/http/run.sh: nginx direct vs the server (every policy on) vs bare YARP vs Portkey — req/s, p50/p99, RSS
#   stream  bench/http/stream.sh: per-chunk forwarding latency, concurrent streams held (RSS, threads, all completed)
#   inproc  BenchmarkDotNet: gateway pipeline overhead, wire (de)serialisation and SSE translation, pass-through usage
#           reading, cost and spend accounting (--job short, in process)
#   events  BenchmarkDotNet: SQLite event appends (single vs raw INSERT+COMMIT, 16 callers, 1000-event batches), then
#           single appends against raw INSERT+COMMIT in alternated rounds (sqlite-loop: the target's figure)
# Optional parts, run only when named (they start PostgreSQL/Redis themselves; issue 16's scale-out figures):
#   pgevents   BenchmarkDotNet: PostgreSQL event appends vs a raw autocommitted INSERT (bench/CompanyOs.Benchmarks)
#   scaleout   bench/http/two-instances.sh: one instance vs two behind nginx, shared state in PostgreSQL and Redis
#   aot        bench/http/aot.sh: the server published with Native AOT (once: 10–40 min of native compilation, kept in
#              RESULTS_DIR/aot-publish; AOT_BIN=PATH reuses a publish) checked end to end, then against the JIT build of
#              the same commit and bare YARP, alternated
#
# Usage: bench/run.sh [http] [stream] [inproc] [events] [pgevents] [scaleout] [aot]   (no part named: the first four)
#   QUICK=1        a fast sanity pass (short cells, fewer streams, fewer iterations): checks that everything runs; its
#                  figures are not for the record
#   RESULTS_DIR=D  where the logs, exports and summary go (default bench/results/<UTC time>; bench/results is git-ignored)
# Each part's own knobs still apply (DURATION, WARMUP, HOLD_STREAMS, ... see bench/http/README.md); QUICK sets them only
# when they are not set. Exits non-zero, naming the part, when a part fails; a target not met is reported, not a failure.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ALL_PARTS=(http stream inproc events)
QUICK="${QUICK:-0}"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RESULTS_DIR="${RESULTS_DIR:-$ROOT/bench/results/$STAMP}"

log() { printf '[bench/run] %s\n' "$*" >&2; }
fail() { printf '[bench/run] FAILED: %s\n' "$*" >&2; exit 1; }

usage() { sed -n '2,23p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

PARTS=()
for arg in "$@"; do
  case "$arg" in
    -h|--help) usage; exit 0 ;;
    http|stream|inproc|events|pgevents|scaleout|aot) PARTS+=("$arg") ;;
    *) usage >&2; fail "unknown part '$arg' (parts: ${ALL_PARTS[*]} pgevents scaleout aot)" ;;
  esac
done
[ ${#PARTS[@]} -gt 0 ] || PARTS=("${ALL_PARTS[@]}")

command -v python3 >/dev/null || fail "python3 is not installed (used to read the results)"
command -v dotnet >/dev/null || fail "dotnet is not installed"
mkdir -p "$RESULTS_DIR"
log "parts: ${PARTS[*]}; QUICK=$QUICK; results: $RESULTS_DIR"
{
  echo "date_utc=$(date -u '+%Y-%m-%d %H:%M')"
  echo "commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
  echo "machine=$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo)"
  echo "load_before=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "quick=$QUICK"
  echo "parts=${PARTS[*]}"
  echo "command=$([ "$QUICK" = 1 ] && echo 'QUICK=1 ')bench/run.sh $*"
} >"$RESULTS_DIR/run.env"

# run_part NAME CMD...: runs CMD with its output to the terminal and RESULTS_DIR/NAME.log; fails loudly, naming the part.
run_part() {
  local name="$1"; shift
  local started=$SECONDS status=0
  log "---- $name: $*"
  "$@" 2>&1 | tee "$RESULTS_DIR/$name.log" || status=$?
  [ "$status" -eq 0 ] || fail "part '$name' exited with $status (log: $RESULTS_DIR/$name.log)"
  log "---- $name done in $(( SECONDS - started )) s"
}

quick_default() { # VAR VALUE: sets VAR to VALUE in QUICK mode unless the caller set it
  [ "$QUICK" = 1 ] && [ -z "${!1:-}" ] && export "$1=$2"
  return 0
}

# ---------------------------------------------------------------- BenchmarkDotNet
BDN_PROJECT="$ROOT/bench/CompanyOs.Benchmarks"
BDN_DLL="$BDN_PROJECT/bin/Release/net10.0/CompanyOs.Benchmarks.dll"
bdn_built=0
build_bdn() {
  [ "$bdn_built" = 1 ] && return 0
  log "building bench/CompanyOs.Benchmarks (Release)"
  dotnet build "$BDN_PROJECT" -c Release -v q -nologo >"$RESULTS_DIR/build-benchmarks.log" 2>&1 \
    || { tail -30 "$RESULTS_DIR/build-benchmarks.log" >&2; fail "building bench/CompanyOs.Benchmarks (log: $RESULTS_DIR/build-benchmarks.log)"; }
  [ -f "$BDN_DLL" ] || fail "no benchmark assembly at $BDN_DLL"
  bdn_built=1
}

# The in-process suites: one short job, in process (BenchmarkDotNet's per-job rebuild times out on the shared machine).
INPROC_FILTERS=('*GatewayOverheadBenchmarks*' '*PassThroughWireBenchmarks*' '*ProviderWireBenchmarks*' '*CostAccountingBenchmarks*')
inproc_job() {
  if [ "$QUICK" = 1 ]; then
    echo --job short --inProcess --warmupCount 1 --iterationCount 3 --iterationTime 100
  else
    echo --job short --inProcess
  fi
}

for part in "${PARTS[@]}"; do
  case "$part" in
    http)
      quick_default DURATION 2; quick_default WARMUP 1; quick_default PREWARM 1; quick_default ROUNDS 1
      SUMMARY_JSON="$RESULTS_DIR/http.json" run_part http "$ROOT/bench/http/run.sh"
      ;;
    stream)
      quick_default LAT_STREAMS 3; quick_default LAT_CHUNKS 10; quick_default WARMUP_STREAMS 2; quick_default HOLD_STREAMS 100; quick_default HOLD_SECONDS 5
      SUMMARY_JSON="$RESULTS_DIR/stream.json" run_part stream "$ROOT/bench/http/stream.sh"
      ;;
    inproc)
      build_bdn
      # shellcheck disable=SC2046 # the job options are words on purpose
      (cd "$RESULTS_DIR" && run_part inproc dotnet "$BDN_DLL" --filter "${INPROC_FILTERS[@]}" $(inproc_job) \
        --exporters json --artifacts "$RESULTS_DIR/bdn-inproc")
      ;;
    events)
      build_bdn
      # Its own job (Events/EventBenchConfig.cs: in process, 2 warm-ups, 6 iterations; QUICK: 1 and 2 of 100 ms).
      (cd "$RESULTS_DIR" && COMPANYOS_BENCH_QUICK="$QUICK" run_part events dotnet "$BDN_DLL" --filter '*SqliteAppendBenchmarks*' \
        --exporters json --artifacts "$RESULTS_DIR/bdn-events")
      # The single-append target's figure: raw and store alternated in ~100-commit rounds in one process (ROTATE=1: the
      # order turns each round), so that both meet the same disk; the summary reads the median of the per-round ratios.
      loop_seconds=20; [ "$QUICK" = 1 ] && loop_seconds=3
      (cd "$RESULTS_DIR" && ROTATE=1 run_part events-loop dotnet "$BDN_DLL" sqlite-loop single full "$loop_seconds")
      ;;
    pgevents)
      build_bdn
      # A throw-away PostgreSQL unless COMPANYOS_TEST_POSTGRES names one; stopped again when the part ends.
      (
        # shellcheck source=scripts/postgres.sh
        source "$ROOT/scripts/postgres.sh"
        if [ -z "${COMPANYOS_TEST_POSTGRES:-}" ]; then
          start_test_postgres || fail "PostgreSQL did not start (part pgevents)"
          trap stop_test_postgres EXIT
        fi
        cd "$RESULTS_DIR" && COMPANYOS_BENCH_QUICK="$QUICK" run_part pgevents dotnet "$BDN_DLL" --filter '*PostgresAppendBenchmarks*' \
          --exporters json --artifacts "$RESULTS_DIR/bdn-pgevents"
      )
      ;;
    scaleout)
      quick_default DURATION 2; quick_default WARMUP 1
      run_part scaleout "$ROOT/bench/http/two-instances.sh"
      ;;
    aot)
      quick_default DURATION 2; quick_default WARMUP 1; quick_default PREWARM 1; quick_default ROUNDS 1
      [ -n "${AOT_BIN:-}" ] || export AOT_OUT="${AOT_OUT:-$RESULTS_DIR/aot-publish}"
      SUMMARY_JSON="$RESULTS_DIR/aot.json" run_part aot "$ROOT/bench/http/aot.sh"
      ;;
  esac
done

echo "load_after=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$RESULTS_DIR/run.env"
python3 "$ROOT/bench/summary.py" "$RESULTS_DIR" "${PARTS[@]}" | tee "$RESULTS_DIR/summary.md" \
  || fail "reading the results in $RESULTS_DIR (see above)"
log "summary: $RESULTS_DIR/summary.md"
