#!/usr/bin/env bash
# Socket syscalls per request of each server build (issue #17), counted exactly with `strace -c`: each LABEL=BINDIR (as for
# ab.sh; LABEL=BINDIR:VAR=VALUE[,VAR=VALUE…] adds environment settings) is started fresh against one canned nginx and the
# bench configuration (every policy on), warmed up with 50 requests, then N sequential `curl` requests are counted
# (sendto, sendmsg, writev, write, recvfrom, recvmsg, read over all the server's threads). SSE=1 sends run.sh's streaming
# request to the canned SSE upstream (all its chunks in one upstream write) instead of the JSON one. Not a timing: the
# counts are exact and do not depend on the machine's load. Needs strace.
#
# Usage: bench/http/sends.sh before=/tmp/before after=src/CompanyOs.Server/bin/Release/net10.0
#        SSE=1 N=200 bench/http/sends.sh …
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
N="${N:-200}"
WORK="$(mktemp -d /tmp/companyos-bench-sends.XXXXXX)"
BENCH_TAG=sends
# shellcheck source=bench/http/lib.sh
source "$ROOT/bench/http/lib.sh"

[ $# -ge 1 ] || fail "usage: bench/http/sends.sh LABEL=BINDIR[:VAR=VALUE,…] …"
need_tools strace curl
setup_builds "$@"
set -- "${BUILDS[@]}"

requests() { # count port
  local i
  for i in $(seq 1 "$1"); do
    curl -sS -o /dev/null -H "Authorization: Bearer $API_KEY" -H 'Content-Type: application/json' -d "$BODY" \
      "http://127.0.0.1:$2/v1/chat/completions" || fail "request $i to $label failed"
  done
}

for build in "$@"; do
  start_build "$build"
  requests 50 "$port"
  strace -f -c -e trace=sendto,sendmsg,writev,write,recvfrom,recvmsg,read -p "$pid" -o "$WORK/strace-$label.txt" 2>/dev/null &
  tracer=$!
  sleep 1
  requests "$N" "$port"
  sleep 0.5
  kill -INT "$tracer"; wait "$tracer" || true
  # strace -c rows: % time, seconds, usecs/call, calls, [errors], syscall.
  awk -v n="$N" -v label="$label" '$NF ~ /^[a-z]+$/ && $1 ~ /^[0-9.]+$/ && $NF != "total" {
      calls = $4; printf "%-12s %-10s %6.2f per request (%d calls)\n", label, $NF, calls / n, calls }' "$WORK/strace-$label.txt"
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
