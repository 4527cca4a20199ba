#!/usr/bin/env bash
# Native AOT vs JIT (issue #17): the gateway server published with Native AOT against the ordinary Release (JIT) build,
# in the same run, with the same nginx upstream, llm.yaml (every policy on, as in bench/http/run.sh) and API key.
# Prints req/s, p50 and p99 at each concurrency and each build's RSS after start-up and after the load. The two builds run
# one after the other, alternated ROUNDS times (JIT, AOT, JIT, AOT...), each with a fresh copy of the keys database.
#
# Usage: bench/http/aot.sh   (DURATION=5 WARMUP=2 CONCURRENCY="1 8 32" ROUNDS=1 may be overridden; AOT_BIN=PATH skips
#                             the publish and uses that binary)
# The publish (`dotnet publish src/CompanyOs.Server -c Release -r linux-x64 -p:PublishAot=true`) needs clang and
# zlib1g-dev (installed with apt-get when missing) and takes minutes of native compilation on 2 cores.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DURATION="${DURATION:-5}"
WARMUP="${WARMUP:-2}"
CONCURRENCY="${CONCURRENCY:-1 8 32}"
ROUNDS="${ROUNDS:-1}"
WORK="$(mktemp -d /tmp/companyos-bench-aot.XXXXXX)"
BENCH_TAG=bench-aot
# shellcheck source=bench/http/lib.sh
source "$ROOT/bench/http/lib.sh"

need_nginx_wrk
command -v python3 >/dev/null || fail "python3 is not installed"
build_server
JIT_BIN="$SERVER_BIN"
if [ -z "${AOT_BIN:-}" ]; then
  if ! command -v clang >/dev/null || [ ! -f /usr/include/zlib.h ]; then
    log "installing clang and zlib1g-dev (apt-get) for the native link"
    apt-get install -y clang zlib1g-dev >"$WORK/apt.log" 2>&1 || { cat "$WORK/apt.log" >&2; fail "apt-get install clang zlib1g-dev"; }
  fi
  log "publishing the server with Native AOT (minutes)"
  dotnet publish "$ROOT/src/CompanyOs.Server" -c Release -r linux-x64 -p:PublishAot=true -o "$WORK/aot" -v q -nologo \
    >"$WORK/publish-aot.log" 2>&1 || { tail -40 "$WORK/publish-aot.log" >&2; fail "Native AOT publish (log: $WORK/publish-aot.log)"; }
  AOT_BIN="$WORK/aot/CompanyOs.Server"
fi
[ -x "$AOT_BIN" ] || fail "no AOT executable at $AOT_BIN"

UP_PORT=$(free_port)
start_canned_nginx nginx "$WORK/nginx" "$UP_PORT"
# The configuration of run.sh (lib.sh), copied fresh for each build's run; the key is made with the JIT build.
write_bench_config "$WORK/template" "$UP_PORT"
write_lua "$WORK/server.lua" "$REQ_BODY" "Authorization: Bearer $API_KEY"

RESULTS="$WORK/results.txt"
: >"$RESULTS"
run_build() { # NAME BINARY ROUND
  local name="$1" round="$3" dir="$WORK/$1-$3" port pid c cell
  SERVER_BIN="$2"
  cp -r "$WORK/template" "$dir"
  port=$(free_port)
  start_server "$name-$round" "$dir" "$port" --config "$dir/llm.yaml" --keys-db "$dir/keys.db"
  pid=$LAST_PID
  echo "$name $round start_rss_kb $(proc_rss_kb "$pid")" >>"$RESULTS"
  for c in $CONCURRENCY; do
    cell=$(wrk_cell "$name" "$c" "http://127.0.0.1:$port/v1/chat/completions" "$WORK/server.lua")
    echo "$name $round c=$c $cell" >>"$RESULTS"
    log "$name (round $round) c=$c: $cell"
  done
  echo "$name $round rss_kb $(proc_rss_kb "$pid")" >>"$RESULTS"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}
for round in $(seq 1 "$ROUNDS"); do
  run_build jit "$JIT_BIN" "$round"
  run_build aot "$AOT_BIN" "$round"
done

python3 - "$RESULTS" "$CONCURRENCY" <<'PY'
import collections, sys
rows = collections.defaultdict(lambda: collections.defaultdict(list))
for line in open(sys.argv[1]):
    name, _, key, *rest = line.split()
    rows[name][key].append([float(x) for x in rest])
levels = sys.argv[2].split()
head = "| build | " + " | ".join(f"c={c} req/s | c={c} p50 ms | c={c} p99 ms" for c in levels) + " | RSS start | RSS after load | errors |"
print(head)
print("|---" * (head.count("|") - 1) + "|")
for name in ("jit", "aot"):
    r = rows[name]
    med = lambda xs: sorted(xs)[len(xs) // 2]
    cells, errors = [], 0
    for c in levels:
        runs = r[f"c={c}"]
        errors += sum(x[4] for x in runs)
        cells += [f"{med([x[1] for x in runs]):,.0f}", f"{med([x[2] for x in runs]):.3f}", f"{med([x[3] for x in runs]):.2f}"]
    start = med([x[0] for x in r["start_rss_kb"]]) / 1024
    after = med([x[0] for x in r["rss_kb"]]) / 1024
    print(f"| {name} | " + " | ".join(cells) + f" | {start:.0f} MB | {after:.0f} MB | {errors:.0f} |")
PY
