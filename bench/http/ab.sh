#!/usr/bin/env bash
# Same-run A/B of server builds (and optionally bare YARP) against bench/http's nginx upstream, alternated round by round,
# so that a shared, noisy machine loads each build alike. Per build and round: a fresh copy of the work dir's server
# directory (llm.yaml, keys.db: every policy on), 3 s warm-up at c=8, then for each concurrency 1 s warm-up and 5 s
# measured with wrk; prints wrk's "RESULT requests req/s p50ms p99ms errors" and the server's CPU time per request (µs,
# utime+stime from /proc over the measured 5 s), which other processes on the machine inflate far less than req/s.
#
# Usage: WORK=/tmp/companyos-bench-http.XXXX bench/http/ab.sh ROUNDS LABEL=BIN_DIR[,ENV=VALUE...] ...
#   WORK: a work dir kept by `KEEP_WORK=1 bench/http/run.sh` (its nginx.conf, server/, *.lua are reused)
#   LUA=FILE: another wrk script for the server (e.g. a larger body); YARP=BIN: also measure the bare YARP proxy each round
set -euo pipefail
: "${WORK:?set WORK to a dir kept by KEEP_WORK=1 bench/http/run.sh}"
ROUNDS=${1:?rounds}; shift
UP_PORT=$(grep -oE 'listen 127.0.0.1:[0-9]+' "$WORK/nginx/nginx.conf" | head -1 | cut -d: -f2)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
OUT=$(mktemp -d /tmp/companyos-ab.XXXXXX)
nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" >"$OUT/nginx.log" 2>&1 &
NG=$!
trap 'kill $NG 2>/dev/null; rm -rf "$OUT"' EXIT
sleep 1
NGW=$(pgrep -P $NG | head -1)
cpu() { awk '{print $14+$15}' "/proc/$1/stat"; }
run_wrk() { # PID C URL LUA
  local t; t=$([ "$2" = 1 ] && echo 1 || echo 2)
  wrk -t"$t" -c"$2" -d1s -s "$4" "$3" >/dev/null 2>&1
  local c0 r c1 n; c0=$(cpu "$1"); r=$(wrk -t"$t" -c"$2" -d5s -s "$4" "$3" 2>&1 | grep RESULT); c1=$(cpu "$1")
  n=$(echo "$r" | awk '{print $2}')
  echo "$r cpu_us_per_req=$(python3 -c "print(round(($c1-$c0)*10000/max($n,1),1))") load=$(cut -d' ' -f1 /proc/loadavg)"
}
for round in $(seq "$ROUNDS"); do
  echo "round $round direct c=1 $(run_wrk "$NGW" 1 "http://127.0.0.1:$UP_PORT/v1/chat/completions" "$WORK/direct.lua")"
  if [ -n "${YARP:-}" ]; then
    "$YARP" --urls "http://127.0.0.1:$PORT" --upstream "http://127.0.0.1:$UP_PORT/" >"$OUT/yarp.log" 2>&1 &
    YP=$!
    for _ in $(seq 100); do curl -s -o /dev/null -X POST "http://127.0.0.1:$PORT/v1/chat/completions" && break; sleep 0.2; done
    wrk -t2 -c8 -d3s -s "$WORK/yarp.lua" "http://127.0.0.1:$PORT/v1/chat/completions" >/dev/null 2>&1
    for c in 1 8 32; do echo "round $round yarp c=$c $(run_wrk $YP $c "http://127.0.0.1:$PORT/v1/chat/completions" "$WORK/yarp.lua")"; done
    kill $YP; wait $YP 2>/dev/null || true
  fi
  for spec in "$@"; do
    label=${spec%%=*}; rest=${spec#*=}; bin=${rest%%,*}; envs=(); [ "$rest" != "$bin" ] && IFS=, read -ra envs <<<"${rest#*,}"
    rm -rf "$OUT/srv"; cp -r "$WORK/server" "$OUT/srv"
    (cd "$OUT/srv" && exec env OPENAI_API_KEY=sk-bench "${envs[@]}" "$bin/CompanyOs.Server" --config "$OUT/srv/llm.yaml" --keys-db "$OUT/srv/keys.db" \
      --urls "http://127.0.0.1:$PORT" --Logging:LogLevel:Default=Warning) >"$OUT/server-$label.log" 2>&1 &
    PID=$!
    for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.2; done
    wrk -t2 -c8 -d3s -s "${LUA:-$WORK/server.lua}" "http://127.0.0.1:$PORT/v1/chat/completions" >/dev/null 2>&1
    for c in 1 8 32; do echo "round $round $label c=$c $(run_wrk $PID $c "http://127.0.0.1:$PORT/v1/chat/completions" "${LUA:-$WORK/server.lua}")"; done
    echo "round $round $label rss_kb $(grep VmRSS "/proc/$PID/status" | awk '{print $2}')"
    kill $PID; wait $PID 2>/dev/null || true
  done
done
