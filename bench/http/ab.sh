#!/usr/bin/env bash
# Same-run A/B of server builds (issue #17): each LABEL=BINDIR (a Release output directory holding CompanyOs.Server, e.g.
# a copy of src/CompanyOs.Server/bin/Release/net10.0 made before a change) is started fresh, in turn, against one nginx
# and the bench configuration of run.sh (every policy on), and measured with wrk at each concurrency; the builds alternate
# for ROUNDS rounds, so that a shared machine's drift hits all of them alike. Prints per cell req/s and the latency
# percentiles p50 … p99.9 and max (ms), and the server's CPU time per request (µs; far less sensitive to other load than
# req/s); after each build's last cell, its RSS after load (VmRSS, and the anonymous and file-backed parts from
# /proc/PID/smaps_rollup) and thread count. The end prints each build's medians over the rounds. A build may carry
# environment settings: LABEL=BINDIR:VAR=VALUE[,VAR=VALUE…].
#
# Usage: bench/http/ab.sh before=/tmp/before after=src/CompanyOs.Server/bin/Release/net10.0
#        ROUNDS=3 CONCURRENCY="1 8 32" DURATION=5 WARMUP=2 bench/http/ab.sh …
#        SSE=1 bench/http/ab.sh …   (the SSE cell instead: streaming requests to the canned SSE upstream, as run.sh's)
#        DIRECT=1 bench/http/ab.sh …   (also nginx direct in every round, before the builds: the medians then give each
#                                       build's added p50 over it at the lowest concurrency)
#        PREWARM=20 bench/http/ab.sh …  (each build loaded at c=8 for that many seconds after start-up, unmeasured, before
#                                       its first cell: its steady state, as run.sh's PREWARM; default 0)
#        CELLS_OUT=FILE               (a copy of the raw cells: "LABEL C REQ/S CPU-µs p50=… p90=… p99=… p99.9=… max=…" and
#                                       "LABEL rss MB", one line per round; aot.sh reads it)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ROUNDS="${ROUNDS:-3}"
CONCURRENCY="${CONCURRENCY:-1 8 32}"
DURATION="${DURATION:-5}"
WARMUP="${WARMUP:-2}"
WORK="$(mktemp -d /tmp/companyos-bench-ab.XXXXXX)"
BENCH_TAG=ab
# shellcheck source=bench/http/lib.sh
source "$ROOT/bench/http/lib.sh"

[ $# -ge 1 ] || fail "usage: bench/http/ab.sh LABEL=BINDIR[:VAR=VALUE,…] …"
# The configuration of run.sh (lib.sh): RPM/TPM limits set high, an org budget, a key with --rpm and --budget-usd (made
# with the first build's `keys create`).
setup_builds "$@"
set -- "${BUILDS[@]}"
write_lua "$WORK/server.lua" "$BODY" "Authorization: Bearer $API_KEY"
# More percentiles than run.sh's RESULT line.
cat >>"$WORK/server.lua" <<'LUA'
local result_done = done
done = function(summary, latency, requests)
  result_done(summary, latency, requests)
  local t = {}
  for _, q in ipairs({50, 90, 99, 99.9}) do t[#t + 1] = string.format("p%s=%.3f", q, latency:percentile(q) / 1000) end
  io.write("PCT " .. table.concat(t, " ") .. string.format(" max=%.1f\n", latency.max / 1000))
end
LUA

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# smaps_mb PID FIELD: one field of /proc/PID/smaps_rollup in MB.
smaps_mb() { awk -v f="$2:" '$1 == f {printf "%.1f", $2 / 1024}' "/proc/$1/smaps_rollup"; }
: >"$WORK/cells.txt"
ticks=$(getconf CLK_TCK)
# cell LABEL PID C URL: a WARMUP-second warm-up and a DURATION-second measured wrk run at concurrency C; prints and records
# the cell (PID's CPU time per request; PID 0: none, for nginx direct, whose worker is not the process started).
cell() {
  local label="$1" pid="$2" c="$3" url="$4" t before=0 after=0 out n rps bad cpu pct
  t=$([ "$c" = 1 ] && echo 1 || echo 2)
  wrk -t"$t" -c"$c" -d"${WARMUP}s" -s "$WORK/server.lua" "$url" >/dev/null 2>&1
  [ "$pid" = 0 ] || before=$(cpu_ticks "$pid")
  out=$(wrk -t"$t" -c"$c" -d"${DURATION}s" -s "$WORK/server.lua" "$url" 2>&1)
  [ "$pid" = 0 ] || after=$(cpu_ticks "$pid")
  read -r _ n rps _ _ bad <<<"$(grep RESULT <<<"$out")"
  [ "${bad:-1}" = 0 ] || log "$label c=$c: $bad errors or non-2xx"
  cpu=$(( (after - before) * 1000000 / ticks / (n > 0 ? n : 1) ))
  pct=$(grep PCT <<<"$out" | cut -d' ' -f2-)
  printf '%-6s %-12s %4s %10s %s, cpu %s\n' "r$round" "$label" "$c" "$rps" "$pct" "$cpu"
  echo "$label $c $rps $cpu $pct" >>"$WORK/cells.txt"
}
DIRECT_URL="http://127.0.0.1:$UP_PORT/${SSE:+sse/}v1/chat/completions"
printf '%-6s %-12s %4s %10s %s\n' round build c "req/s" "latency ms (p50 p90 p99 p99.9 max), server CPU µs/request"
for round in $(seq 1 "$ROUNDS"); do
  if [ "${DIRECT:-0}" = 1 ]; then
    for c in $CONCURRENCY; do cell direct 0 "$c" "$DIRECT_URL"; done
  fi
  for build in "$@"; do
    start_build "$build"
    [ "${PREWARM:-0}" = 0 ] || wrk -t2 -c8 -d"${PREWARM}s" -s "$WORK/server.lua" "http://127.0.0.1:$port/v1/chat/completions" >/dev/null 2>&1
    for c in $CONCURRENCY; do
      cell "$label" "$pid" "$c" "http://127.0.0.1:$port/v1/chat/completions"
    done
    rss=$(awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$pid/status")
    printf '%-6s %-12s %4s %10s %s\n' "r$round" "$label" rss "$rss MB" "anonymous $(smaps_mb "$pid" Anonymous) MB, \
file $(( $(awk '$1 == "Rss:" {r = $2} $1 == "Anonymous:" {a = $2} END {print int((r - a) / 1024)}' "/proc/$pid/smaps_rollup") )) MB, \
threads $(awk '/^Threads/ {print $2}' "/proc/$pid/status")"
    echo "$label rss $rss" >>"$WORK/cells.txt"
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
done
[ -z "${CELLS_OUT:-}" ] || cp "$WORK/cells.txt" "$CELLS_OUT"

# Medians over the rounds, per build and cell (RSS: per build); with DIRECT=1, each build's added p50 over nginx direct.
python3 - "$HERE" "$WORK/cells.txt" "$@" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import cells
rows = cells.read(sys.argv[2])
labels = [b.split("=", 1)[0] for b in sys.argv[3:]]
if any(r[0] == "direct" for r in rows):
    labels.insert(0, "direct")
p50 = {}
print("\nmedians over the rounds:")
print(f"{'build':<12} {'c':>4} {'req/s':>10} {'p50':>7} {'p99':>7} {'p99.9':>7} {'cpu µs':>7}")
for label in labels:
    for c in cells.levels(rows, label):
        m = cells.cell(rows, label, c)
        p50[label, c] = m["p50"]
        print(f"{label:<12} {c:>4} {m['rps']:>10.0f} {m['p50']:>7.3f} {m['p99']:>7.2f} {m['p99.9']:>7.2f} {m['cpu_us']:>7.0f}")
    if label != "direct":
        print(f"{label:<12} {'rss':>4} {cells.rss(rows, label):>8.1f} MB")
if "direct" in labels:
    c = min(c for (label, c) in p50 if label == "direct")
    print(f"\nadded p50 over nginx direct at c={c} (median p50 − direct's median p50):")
    for label in labels[1:]:
        print(f"{label:<12} {p50.get((label, c), float('nan')) - p50['direct', c]:+.3f} ms")
PY
