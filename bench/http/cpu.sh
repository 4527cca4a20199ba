#!/usr/bin/env bash
# Where a build's CPU per request goes (issue #17), for the server builds and the bare YARP proxy alike: each LABEL=BINDIR (as
# for ab.sh; LABEL=BINDIR:VAR=VALUE[,VAR=VALUE…] adds environment settings) is started fresh against one canned nginx and the
# bench configuration (every policy on) and loaded with wrk at C (default 32) for WARM seconds, then:
#  1. syscalls per request by name (`perf trace -s` over a D-second wrk run; the tracing slows the process, the counts
#     per request do not depend on it),
#  2. syscalls, context switches and task-clock per request (`perf stat` over a D-second run; task-clock depends on the load),
#  3. a CPU profile (`perf record -F 999 -g` over a PD-second run, managed frames named through the perf map) grouped by
#     cpu_groups.py into where the time goes: the kernel, Kestrel, HttpClient, our pipeline by stage, OpenTelemetry,
#     SQLite, OpenSSL, JIT and GC threads… in µs per request (samples × 1.001 ms / requests) and in % of the samples.
# Compare shares and counts, not the absolute µs: they follow the machine's load. Needs perf (apt-get install linux-perf).
#
# Usage: bench/http/cpu.sh before=/tmp/before after=src/CompanyOs.Server/bin/Release/net10.0 yarp=bench/http/YarpProxy/bin/Release/net10.0
#        C=8 WARM=30 PD=20 KEEP_WORK=1 bench/http/cpu.sh …      (KEEP_WORK keeps perf-LABEL.data and the perf script output)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/bench/http"
C="${C:-32}"; D="${D:-5}"; PD="${PD:-12}"; WARM="${WARM:-20}"
WORK="$(mktemp -d /tmp/companyos-bench-cpu.XXXXXX)"
BENCH_TAG=cpu
# shellcheck source=bench/http/lib.sh
source "$HERE/lib.sh"

[ $# -ge 1 ] || fail "usage: bench/http/cpu.sh LABEL=BINDIR[:VAR=VALUE,…] …"
need_tools perf wrk python3
# Managed frames by name: a perf map, and no double-mapped (W^X) code, whose addresses perf cannot match with the map.
builds=()
for build in "$@"; do
  case "$build" in *:*) builds+=("$build,DOTNET_PerfMapEnabled=1,DOTNET_EnableWriteXorExecute=0") ;;
                   *) builds+=("$build:DOTNET_PerfMapEnabled=1,DOTNET_EnableWriteXorExecute=0") ;; esac
done
setup_builds "${builds[@]}"
write_lua "$WORK/req.lua" "$BODY" "Authorization: Bearer $API_KEY"

measured() { wrk -t2 -c"$C" -d"$1"s -s "$WORK/req.lua" "$url" 2>&1 | awk '/^RESULT/ {print $2}'; }

for build in "${BUILDS[@]}"; do
  start_build "$build"
  url="http://127.0.0.1:$port/v1/chat/completions"
  wrk -t2 -c"$C" -d"${WARM}"s -s "$WORK/req.lua" "$url" >/dev/null 2>&1 || true

  perf trace -s -p "$pid" -o "$WORK/trace-$label.txt" 2>/dev/null & tracer=$!; sleep 1
  n=$(measured "$D"); kill -INT "$tracer"; wait "$tracer" || true
  log "$label: syscalls per request by name ($n requests under perf trace)"
  python3 - "$WORK/trace-$label.txt" "$n" <<'PY'
import collections, re, sys
calls = collections.Counter()
for line in open(sys.argv[1]):
    m = re.match(r'\s+(\w+)\s+(\d+)\s+\d+\s+', line)
    if m and m.group(1) != 'syscall':
        calls[m.group(1)] += int(m.group(2))
n = int(sys.argv[2])
print(f"  all        {sum(calls.values()) / n:7.2f}")
for name, count in calls.most_common(12):
    print(f"  {name:10s} {count / n:7.3f}")
PY

  perf stat -e raw_syscalls:sys_enter,context-switches,task-clock -p "$pid" -o "$WORK/stat-$label.txt" & stat=$!; sleep 0.5
  n=$(measured "$D"); kill -INT "$stat"; wait "$stat" || true
  log "$label: per request over $n requests (perf stat)"
  awk -v n="$n" '/raw_syscalls|context-switches/ { gsub(",", "", $1); printf "  %-26s %8.2f\n", $2, $1 / n }
    /task-clock/ { gsub(",", "", $1); printf "  %-26s %8.1f µs\n", "task-clock", $1 * 1000 / n }' "$WORK/stat-$label.txt"

  perf record -F 999 -g -p "$pid" -o "$WORK/perf-$label.data" 2>/dev/null & recorder=$!; sleep 0.5
  n=$(measured "$PD"); kill -INT "$recorder"; wait "$recorder" || true
  perf script -i "$WORK/perf-$label.data" -F comm,tid,period,ip,sym,dso 2>/dev/null >"$WORK/perf-$label.txt"
  log "$label: CPU by where it goes ($n requests profiled)"
  python3 "$HERE/cpu_groups.py" "$WORK/perf-$label.txt" "$n"
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
