#!/usr/bin/env bash
# What the card table makes a gen0 GC keep (issue #17, GC pauses): one server build (LABEL=BINDIR[:VAR=VALUE,…], as for
# ab.sh) is started against one nginx with the bench configuration (every policy on), loaded with `wrk -c$C` for WARMUP
# seconds, then, while the load goes on, bench/http/CardRoots attaches to it DUMPS times (the process is suspended while
# it reads the heap, ~1 s) and prints the objects outside gen0 that reference gen0 objects (the holders a gen0 GC marks
# from, alive or not) and the gen0 objects kept only by dead holders. Needs ptrace (root).
#
# Usage: bench/http/cardroots.sh base=src/CompanyOs.Server/bin/Release/net10.0
#        C=32 WARMUP=15 DUMPS=2 TOP=25 bench/http/cardroots.sh …
#        PRE_GC=1 bench/http/cardroots.sh …   (an induced full GC between the warm-up and the measured load, while idle)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
C="${C:-32}"; WARMUP="${WARMUP:-15}"; DUMPS="${DUMPS:-2}"; TOP="${TOP:-25}"
WORK="$(mktemp -d /tmp/companyos-bench-cardroots.XXXXXX)"
BENCH_TAG=cardroots
# shellcheck source=bench/http/lib.sh
source "$ROOT/bench/http/lib.sh"

[ $# -eq 1 ] || fail "usage: bench/http/cardroots.sh LABEL=BINDIR[:VAR=VALUE,…]"
log "building the heap reader"
dotnet build "$ROOT/bench/http/CardRoots" -c Release -v q -nologo >"$WORK/build-reader.log" 2>&1 \
  || fail "building bench/http/CardRoots failed: $WORK/build-reader.log"
READER="$ROOT/bench/http/CardRoots/bin/Release/net10.0/CompanyOs.Benchmarks.CardRoots"

setup_builds "$@"
write_lua "$WORK/server.lua" "$BODY" "Authorization: Bearer $API_KEY"
start_build "${BUILDS[0]}"
wrk -t2 -c"$C" -d"${WARMUP}s" -s "$WORK/server.lua" "http://127.0.0.1:$port/v1/chat/completions" >/dev/null 2>&1
if [ "${PRE_GC:-0}" = 1 ]; then
  GCDUMP="$(command -v dotnet-gcdump || echo "$HOME/.dotnet/tools/dotnet-gcdump")"
  [ -x "$GCDUMP" ] || fail "PRE_GC=1 needs dotnet-gcdump (dotnet tool install -g dotnet-gcdump): its collection induces the full GC"
  "$GCDUMP" collect -p "$pid" -o "$WORK/pre.gcdump" >/dev/null 2>&1 || fail "dotnet-gcdump collect failed"
fi
wrk -t2 -c"$C" -d"$(( DUMPS * 6 + 4 ))s" -s "$WORK/server.lua" "http://127.0.0.1:$port/v1/chat/completions" >"$WORK/wrk.out" 2>&1 &
load=$!
for i in $(seq 1 "$DUMPS"); do
  sleep 4
  printf '== %s, dump %s during wrk -c%s\n' "$label" "$i" "$C"
  "$READER" "$pid" "$TOP"
done
wait "$load"
read -r _ n rps _ _ bad <<<"$(grep RESULT "$WORK/wrk.out")"
printf '== %s: %s requests, %s req/s, %s errors\n' "$label" "$n" "$rps" "$bad"
