# Shared set-up for the bench/http scripts (run.sh, ab.sh, aot.sh, stream.sh, two-instances.sh); sourced, not run.
# Before sourcing, a script sets BENCH_TAG (log prefix) and WORK (its temp dir); it may define bench_extra_cleanup (run
# on exit after the processes are killed, e.g. to stop PostgreSQL). Provides: log/fail, process tracking with cleanup on
# exit, free ports, waits, the Release server build and launch, API key creation, the benchmark configuration (one
# definition, so that the scripts' same-run comparisons measure the same policies), the canned nginx upstream, nginx
# configs and wrk cells.
# shellcheck shell=bash disable=SC2034  # HERE, CANNED_JSON_BODY, REQ_BODY: used by the scripts that source this

ROOT="${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
HERE="$ROOT/bench/http"
: "${BENCH_TAG:=bench}"
: "${WORK:?set WORK (a temp dir) before sourcing bench/http/lib.sh}"
PIDS=()

log() { printf '[%s] %s\n' "$BENCH_TAG" "$*" >&2; }
fail() { printf '[%s] FAILED: %s\n' "$BENCH_TAG" "$*" >&2; exit 1; }

# ---------------------------------------------------------------- processes: every one started is killed on exit
bench_cleanup() {
  local pid
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  sleep 0.5
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
  done
  if declare -F bench_extra_cleanup >/dev/null; then bench_extra_cleanup || true; fi
  if [ "${KEEP_WORK:-0}" != 1 ]; then rm -rf "$WORK"; else log "kept $WORK"; fi
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

# start_bg NAME DIR CMD...: runs CMD in DIR in the background, output to $WORK/NAME.log; sets LAST_PID (the command's own
# pid: the subshell execs it) and tracks it for clean-up.
start_bg() {
  local name="$1" dir="$2"; shift 2
  (cd "$dir" && exec "$@") >"$WORK/$name.log" 2>&1 &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
}

# ---------------------------------------------------------------- ports
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# wait_port PORT NAME PID [SECONDS=30]: until 127.0.0.1:PORT accepts; fails when PID exits first or on time-out.
wait_port() {
  local port="$1" name="$2" pid="$3" seconds="${4:-30}" i
  for i in $(seq 1 $(( seconds * 5 ))); do
    kill -0 "$pid" 2>/dev/null || fail "$name exited during start-up (log: $WORK/$name.log): $(tail -5 "$WORK/$name.log" 2>/dev/null)"
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.2
  done
  fail "$name did not listen on 127.0.0.1:$port within $seconds s"
}

# ---------------------------------------------------------------- tools
# need_tools TOOL...: fails naming the first missing one.
need_tools() { local t; for t in "$@"; do command -v "$t" >/dev/null || fail "$t is not installed"; done; }

# need_nginx_wrk: installs nginx and wrk with apt-get when missing (apt-get update first only if that fails); sets NGINX.
need_nginx_wrk() {
  local missing=()
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
  command -v wrk >/dev/null 2>&1 || missing+=(wrk)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]} (apt-get)"
    apt-get install -y "${missing[@]}" >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y "${missing[@]}" >/dev/null; } \
      || fail "could not install ${missing[*]}"
  fi
  NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
  [ -x "$NGINX" ] || fail "nginx is not installed"
}

# ---------------------------------------------------------------- the gateway server: build and launch
# (Kept as two separate functions so that how the server is built or run — e.g. a published or AOT binary — changes here
# only.)

# release_build WHAT NAME PROJECT EXE: Release build of the project in PROJECT (its log in $WORK/build-NAME.log, shown if the
# build fails); sets RELEASE_BIN to its executable EXE, which must exist.
release_build() {
  local what="$1" name="$2" project="$3" exe="$4"
  log "building the $what (Release)"
  dotnet build "$project" -c Release -v q -nologo >"$WORK/build-$name.log" 2>&1 \
    || { cat "$WORK/build-$name.log" >&2; fail "$what build (log above)"; }
  RELEASE_BIN="$project/bin/Release/net10.0/$exe"
  [ -x "$RELEASE_BIN" ] || fail "no $what executable at $RELEASE_BIN"
}

# build_server: Release build of src/CompanyOs.Server; sets SERVER_BIN.
build_server() {
  release_build server server "$ROOT/src/CompanyOs.Server" CompanyOs.Server
  SERVER_BIN="$RELEASE_BIN"
}

# start_server NAME DIR PORT ARGS...: runs the server from DIR on 127.0.0.1:PORT with logging at Warning (a production
# setting; per-request Information logs are not what the policies cost), waits until it listens; sets LAST_PID.
start_server() {
  local name="$1" dir="$2" port="$3"; shift 3
  start_bg "$name" "$dir" "$SERVER_BIN" "$@" --urls "http://127.0.0.1:$port" --Logging:LogLevel:Default=Warning
  wait_port "$port" "$name" "$LAST_PID" "${SERVER_START_SECONDS:-30}"
}

# YARP_EXE: the bare YARP proxy's executable name (bench/http/YarpProxy's Release output), which ab.sh and maps.sh also take as
# a "build": it is started with --upstream at the canned nginx instead of the server's configuration.
YARP_EXE=CompanyOs.Benchmarks.YarpProxy

# build_yarp: Release build of the bare YARP proxy (bench/http/YarpProxy); sets YARP_BIN.
build_yarp() {
  release_build "YARP proxy" yarp "$HERE/YarpProxy" "$YARP_EXE"
  YARP_BIN="$RELEASE_BIN"
}

# resolve_builds BUILD...: checks each LABEL=BINDIR[:VAR=VALUE,…] (BINDIR must hold CompanyOs.Server, or the YARP proxy for
# a baseline) and sets BUILDS to them with BINDIR made absolute (the servers and `keys create` run from the work
# directory); see setup_builds.
resolve_builds() {
  local build rest dir
  BUILDS=()
  for build in "$@"; do
    rest="${build#*=}"; dir="${rest%%:*}"
    [ -x "$dir/CompanyOs.Server" ] || [ -x "$dir/$YARP_EXE" ] || fail "no CompanyOs.Server or $YARP_EXE in '$dir' (from '$build')"
    BUILDS+=("${build%%=*}=$(cd "$dir" && pwd)${rest:${#dir}}")
  done
}

# setup_builds BUILD...: the common start of ab.sh, alloc.sh and sends.sh — resolve_builds (sets BUILDS), a canned nginx
# upstream (SSE when $SSE is set) at UP_PORT, and run.sh's configuration with a key in $WORK/server (write_bench_config,
# made with the first build's `keys create`); sets BODY to the request body of that cell (JSON or SSE).
setup_builds() {
  local first build
  resolve_builds "$@"
  need_nginx_wrk
  UP_PORT=$(free_port)
  start_canned_nginx nginx "$WORK/nginx" "$UP_PORT" ${SSE:+sse}
  first=""
  for build in "${BUILDS[@]}"; do build="${build#*=}"; [ -x "${build%%:*}/CompanyOs.Server" ] && { first="${build%%:*}"; break; }; done
  [ -n "$first" ] || first="$(dirname "$(readlink -f "$ROOT/src/CompanyOs.Server/bin/Release/net10.0/CompanyOs.Server")")"
  SERVER_BIN="$first/CompanyOs.Server"
  [ -x "$SERVER_BIN" ] || fail "no server build to create the API key with (give one, or build src/CompanyOs.Server in Release)"
  write_bench_config "$WORK/server" "$UP_PORT" ${SSE:+sse}
  BODY=$([ -n "${SSE:-}" ] && echo "$SSE_REQ_BODY" || echo "$REQ_BODY")
}

# start_build BUILD: starts the server build BUILD (LABEL=BINDIR[:VAR=VALUE,…], as ab.sh and alloc.sh take them) fresh on a
# copy of $WORK/server's configuration and keys (write_bench_config) at a free port, with those environment settings, and
# waits until it listens; sets label, port and pid (for ab.sh and alloc.sh, which start each build once per round).
start_build() {
  local build="$1" rest dir envs=()
  label="${build%%=*}"; rest="${build#*=}"; dir="${rest%%:*}"
  [ "$rest" != "$dir" ] && IFS=',' read -r -a envs <<<"${rest#*:}"
  rm -rf "$WORK/run"; cp -r "$WORK/server" "$WORK/run"
  port=$(free_port)
  if [ -x "$dir/$YARP_EXE" ]; then
    start_bg "server-$label" "$WORK/run" env "${envs[@]}" "$dir/$YARP_EXE" --urls "http://127.0.0.1:$port" \
      --upstream "http://127.0.0.1:$UP_PORT/"
  else
    start_bg "server-$label" "$WORK/run" env "${envs[@]}" "$dir/CompanyOs.Server" --config "$WORK/run/llm.yaml" \
      --keys-db "$WORK/run/keys.db" --urls "http://127.0.0.1:$port" --Logging:LogLevel:Default=Warning
  fi
  pid=$LAST_PID
  wait_port "$port" "server-$label" "$pid"
}

# create_api_key DIR ARGS...: `keys create` for org bench (scope gateway, RPM and budget set high) run from DIR with the
# key-store ARGS (e.g. --keys-db FILE); sets API_KEY.
create_api_key() {
  local dir="$1"; shift
  (cd "$dir" && "$SERVER_BIN" keys create --org bench --scopes gateway --rpm 1000000000 --budget-usd 1000000 "$@") >"$WORK/keys.out" 2>&1 \
    || { cat "$WORK/keys.out" >&2; fail "keys create"; }
  API_KEY=$(grep -o 'cos_[A-Za-z0-9_-]*' "$WORK/keys.out" | tail -1)
  [ -n "$API_KEY" ] || { cat "$WORK/keys.out" >&2; fail "no key in the output of keys create"; }
}

# write_bench_config DIR UP_PORT [sse]: the benchmark configuration of every script that measures one server with every
# policy on (run.sh, ab.sh, aot.sh, stream.sh): DIR/llm.yaml with an `openai` provider at http://127.0.0.1:UP_PORT/v1
# (RPM/TPM limits set high, 30 s timeout, 2 retries) and an org budget for `bench`; with `sse`, also an `openai_sse`
# provider (same settings) at UP_PORT/sse/v1 (start_canned_nginx's SSE location). Exports a dummy OPENAI_API_KEY (the
# upstream is canned) and creates the key of create_api_key in DIR/keys.db with SERVER_BIN (sets API_KEY). The server
# then runs with `--config DIR/llm.yaml --keys-db DIR/keys.db`.
write_bench_config() {
  local dir="$1" up_port="$2" sse="${3:-}" name path
  [ -z "$sse" ] || [ "$sse" = sse ] || fail "write_bench_config: third argument must be 'sse' or absent, not '$sse'"
  mkdir -p "$dir"
  {
    echo "default_provider: openai"
    echo "providers:"
    for name in openai ${sse:+openai_sse}; do
      path=v1; [ "$name" = openai_sse ] && path=sse/v1
      echo "  $name:"
      [ "$name" = openai ] || echo "    type: openai"
      cat <<EOF
    enabled: true
    api_key: "\${OPENAI_API_KEY}"
    base_url: "http://127.0.0.1:$up_port/$path"
    default_model: "gpt-4o"
    rate_limit_rpm: 1000000000
    rate_limit_tpm: 1000000000
    timeout_seconds: 30
    max_retries: 2
EOF
    done
    echo "budgets:"
    echo "  orgs: { bench: { usd: 1000000, tokens: 1000000000000 } }"
  } >"$dir/llm.yaml"
  export OPENAI_API_KEY="sk-bench-dummy-not-a-real-key"
  create_api_key "$dir" --keys-db "$dir/keys.db"
}

# ---------------------------------------------------------------- canned upstream (nginx, one worker)
CANNED_JSON_BODY='{"id":"chatcmpl-bench","object":"chat.completion","created":1764547200,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant","content":"Hello from the canned upstream."},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":21,"completion_tokens":7,"total_tokens":28},"system_fingerprint":"fp_bench"}'
REQ_BODY='{"model":"gpt-4o","messages":[{"role":"user","content":"Say hello."}],"max_tokens":16}'
# The streaming request of the SSE cells, to the server's openai_sse provider (write_bench_config DIR PORT sse).
SSE_REQ_BODY='{"model":"openai_sse/gpt-4o","messages":[{"role":"user","content":"Say hello."}],"max_tokens":16,"stream":true,"stream_options":{"include_usage":true}}'
# The SSE variant of CANNED_JSON_BODY: same usage, as chat.completion.chunks ending in [DONE] (\n: nginx's escape).
CANNED_SSE_BODY='data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1764547200,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}\n\ndata: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1764547200,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"content":"Hello from"},"finish_reason":null}]}\n\ndata: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1764547200,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"content":" the canned upstream."},"finish_reason":null}]}\n\ndata: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1764547200,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1764547200,"model":"gpt-4o-2024-08-06","choices":[],"usage":{"prompt_tokens":21,"completion_tokens":7,"total_tokens":28}}\n\ndata: [DONE]\n\n'

# nginx_conf DIR HTTP_BODY: writes DIR/nginx.conf (1 worker, foreground, no access log, temp paths in DIR) with HTTP_BODY
# (server/upstream blocks) inside its http block.
nginx_conf() {
  mkdir -p "$1"
  cat >"$1/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $1/nginx.pid;
error_log $1/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $1/body; proxy_temp_path $1/proxy; fastcgi_temp_path $1/fastcgi; uwsgi_temp_path $1/uwsgi; scgi_temp_path $1/scgi;
  keepalive_requests 1000000;
  $2
}
EOF
}

# start_nginx NAME DIR PORT: starts nginx with DIR/nginx.conf, waits for PORT; sets LAST_PID (the master).
start_nginx() {
  start_bg "$1" "$2" "$NGINX" -c "$2/nginx.conf" -p "$2"
  wait_port "$3" "$1" "$LAST_PID"
}

# start_canned_nginx NAME DIR PORT [sse]: the canned OpenAI upstream (every POST body is read and discarded) on
# 127.0.0.1:PORT, its config and logs in DIR: POST /v1/chat/completions answers CANNED_JSON_BODY; with `sse`, also
# POST /sse/v1/chat/completions answers CANNED_SSE_BODY. Sets LAST_PID (the master).
start_canned_nginx() {
  local name="$1" dir="$2" port="$3" sse="${4:-}" locations
  [ -z "$sse" ] || [ "$sse" = sse ] || fail "start_canned_nginx: fourth argument must be 'sse' or absent, not '$sse'"
  locations="location = /v1/chat/completions { default_type application/json; return 200 '$CANNED_JSON_BODY'; }"
  [ -n "$sse" ] && locations+="
    location = /sse/v1/chat/completions { default_type text/event-stream; return 200 '$CANNED_SSE_BODY'; }"
  nginx_conf "$dir" "server {
    listen 127.0.0.1:$port;
    $locations
  }"
  start_nginx "$name" "$dir" "$port"
}

# ---------------------------------------------------------------- wrk
# write_lua FILE BODY HEADERS: a wrk script POSTing BODY (JSON) with HEADERS ("Name: value;Name: value") that prints
# "RESULT requests req/s p50ms p99ms errors" (errors: non-2xx, connect, read, write and time-outs).
write_lua() {
  python3 - "$1" "$2" "$3" <<'PY'
import json, sys
path, body, headers = sys.argv[1], sys.argv[2], sys.argv[3]
lines = ['wrk.method = "POST"', "wrk.body = %s" % json.dumps(body), 'wrk.headers["Content-Type"] = "application/json"']
for h in filter(None, headers.split(";")):
    k, v = h.split(":", 1)
    lines.append("wrk.headers[%s] = %s" % (json.dumps(k.strip()), json.dumps(v.strip())))
lines.append("""
done = function(summary, latency, requests)
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %d %.1f %.3f %.3f %d\\n", summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, bad))
end""")
open(path, "w").write("\n".join(lines) + "\n")
PY
}

# wrk_cell NAME C URL LUA: a WARMUP-second warm-up, then a DURATION-second measured run at concurrency C (1 wrk thread at
# c=1, else 2); prints the measured "requests req/s p50ms p99ms errors".
wrk_cell() {
  local name="$1" c="$2" url="$3" lua="$4" threads out r
  threads=$(( c < 2 ? 1 : 2 ))
  wrk -t"$threads" -c"$c" -d"${WARMUP}s" -s "$lua" "$url" >/dev/null 2>&1 || true
  out=$(wrk -t"$threads" -c"$c" -d"${DURATION}s" --timeout 10s -s "$lua" "$url" 2>&1) || fail "wrk against $name: $out"
  r=$(grep '^RESULT' <<<"$out") || fail "wrk against $name printed no result: $out"
  echo "${r#RESULT }"
}

# proc_rss_kb PID / proc_threads PID: VmRSS (kB) and thread count from /proc/PID/status.
proc_rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
proc_threads() { awk '/^Threads/ {print $2}' "/proc/$1/status"; }
