#!/usr/bin/env bash
# Native AOT vs JIT (issue #17): the gateway server published with Native AOT against the ordinary Release (JIT) build of
# the same commit, and bare YARP as the ceiling, in one run. First each server build is checked end to end with every
# policy on (run.sh's configuration plus its SSE provider): a chat completion, a streamed one, /v1/messages (plain and
# streamed) and its count_tokens, the calls in the usage log (/v1/stats, with tokens and cost) and the gateway's metrics
# at /metrics; a path that fails in one build stops the script, naming it. Then bench/http/ab.sh measures them, alternated
# ROUNDS times with nginx direct (DIRECT=1): req/s, p50/p99, CPU µs per request, RSS after load, and the added p50 over
# nginx direct. The medians are printed as one table (and written as JSON with SUMMARY_JSON=FILE, what bench/run.sh's
# `aot` part reads).
#
# Usage: bench/http/aot.sh          (ROUNDS=3 CONCURRENCY="1 8 32" DURATION=5 WARMUP=5 PREWARM=20 may be overridden;
#                                    PREWARM: seconds of unmeasured c=8 load after each start, so that the JIT build is
#                                    measured tiered up, as in run.sh)
#   AOT_BIN=PATH   skip the publish and measure that AOT executable (its folder must hold libe_sqlite3.so too)
#   AOT_OUT=DIR    publish into DIR and keep it (default: the temp dir, removed on exit)
#   JIT_DIR=DIR    skip the Release build and measure that JIT build folder (e.g. a copy made at the same commit)
#   YARP=0         leave bare YARP out
# The publish (`dotnet publish src/CompanyOs.Server -c Release -r linux-x64 -p:PublishAot=true`, run with `nice`) needs
# a C toolchain for the native link (clang, or gcc, which the .NET 10 ILCompiler falls back to) and zlib1g-dev (installed
# with apt-get when missing); it takes 10–40 min of native compilation on 2 shared cores.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export ROUNDS="${ROUNDS:-3}" CONCURRENCY="${CONCURRENCY:-1 8 32}" DURATION="${DURATION:-5}" WARMUP="${WARMUP:-5}" PREWARM="${PREWARM:-20}"
WORK="$(mktemp -d /tmp/companyos-bench-aot.XXXXXX)"
BENCH_TAG=bench-aot
# shellcheck source=bench/http/lib.sh
source "$ROOT/bench/http/lib.sh"

need_nginx_wrk
need_tools python3 curl
if [ -n "${JIT_DIR:-}" ]; then
  SERVER_BIN="$JIT_DIR/CompanyOs.Server"
  [ -x "$SERVER_BIN" ] || fail "no CompanyOs.Server in JIT_DIR=$JIT_DIR"
else
  build_server
fi
# A copy, so that a build of the worktree during the run does not change the JIT build being measured.
cp -r "$(dirname "$SERVER_BIN")" "$WORK/jit"
SERVER_BIN="$WORK/jit/CompanyOs.Server"
if [ -z "${AOT_BIN:-}" ]; then
  if ! command -v clang >/dev/null && ! command -v gcc >/dev/null || [ ! -f /usr/include/zlib.h ]; then
    log "installing clang and zlib1g-dev (apt-get) for the native link"
    apt-get install -y clang zlib1g-dev >"$WORK/apt.log" 2>&1 || { cat "$WORK/apt.log" >&2; fail "apt-get install clang zlib1g-dev"; }
  fi
  AOT_OUT="${AOT_OUT:-$WORK/aot}"
  log "publishing the server with Native AOT into $AOT_OUT (minutes)"
  nice -n 10 dotnet publish "$ROOT/src/CompanyOs.Server" -c Release -r linux-x64 -p:PublishAot=true -o "$AOT_OUT" -nologo \
    >"$WORK/publish-aot.log" 2>&1 || { tail -40 "$WORK/publish-aot.log" >&2; fail "Native AOT publish (log above)"; }
  # The analyzers' and the native compiler's warnings: ours are errors in the ordinary build; the packages' are listed in
  # src/CompanyOs.Server/CompanyOs.Server.csproj. A new one shows here.
  grep -oE 'warning (IL|NETSDK)[0-9]+: [^[]*' "$WORK/publish-aot.log" | sort -u | sed 's/^/  /' >&2 || true
  AOT_BIN="$AOT_OUT/CompanyOs.Server"
fi
[ -x "$AOT_BIN" ] || fail "no AOT executable at $AOT_BIN"
AOT_DIR="$(cd "$(dirname "$AOT_BIN")" && pwd)"
BUILDS=("jit=$WORK/jit" "aot=$AOT_DIR")
if [ "${YARP:-1}" = 1 ]; then
  build_yarp
  cp -r "$(dirname "$YARP_BIN")" "$WORK/yarp"
  BUILDS+=("yarp=$WORK/yarp")
fi

# ---------------------------------------------------------------- end to end, every policy on
UP_PORT=$(free_port)
start_canned_nginx nginx "$WORK/nginx" "$UP_PORT" sse
NGINX_PID=$LAST_PID
write_bench_config "$WORK/template" "$UP_PORT" sse

# post NAME URL BODY [HEADER…]: POSTs BODY with the API key; fails unless 200; the body goes to $WORK/NAME.out.
post() {
  local name="$1" url="$2" body="$3" code; shift 3
  code=$(curl -sS -m 10 -o "$WORK/$name.out" -w '%{http_code}' -X POST "$url" -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $API_KEY" "$@" --data "$body") || fail "$name: request failed"
  [ "$code" = 200 ] || fail "$name: HTTP $code: $(head -c 400 "$WORK/$name.out")"
}

# check_build LABEL DIR: starts DIR's server on a copy of the configuration and checks every path above.
check_build() {
  local label="$1" dir="$2" port pid base anthropic
  rm -rf "$WORK/check-$label"; cp -r "$WORK/template" "$WORK/check-$label"
  port=$(free_port)
  SERVER_BIN="$dir/CompanyOs.Server"
  start_server "check-$label" "$WORK/check-$label" "$port" --config "$WORK/check-$label/llm.yaml" --keys-db "$WORK/check-$label/keys.db"
  pid=$LAST_PID
  base="http://127.0.0.1:$port"
  anthropic=(-H 'anthropic-version: 2023-06-01')
  post "$label-chat" "$base/v1/chat/completions" "$REQ_BODY"
  post "$label-chat-stream" "$base/v1/chat/completions" "$SSE_REQ_BODY"
  post "$label-messages" "$base/v1/messages" \
    '{"model":"gpt-4o","max_tokens":16,"messages":[{"role":"user","content":"Say hello."}]}' "${anthropic[@]}"
  post "$label-messages-stream" "$base/v1/messages" \
    '{"model":"openai_sse/gpt-4o","max_tokens":16,"stream":true,"messages":[{"role":"user","content":"Say hello."}]}' "${anthropic[@]}"
  post "$label-count-tokens" "$base/v1/messages/count_tokens" \
    '{"model":"gpt-4o","messages":[{"role":"user","content":"Say hello."}]}' "${anthropic[@]}"
  curl -sS -m 10 -f -o "$WORK/$label-stats.out" -H "Authorization: Bearer $API_KEY" "$base/v1/stats?group_by=provider" \
    || fail "$label: GET /v1/stats"
  curl -sS -m 10 -f -o "$WORK/$label-metrics.out" "$base/metrics" || fail "$label: GET /metrics"
  python3 - "$WORK" "$label" <<'PY' || fail "$label: a path answered wrongly (above)"
import json, os, sys
work, label = sys.argv[1], sys.argv[2]
read = lambda name: open(os.path.join(work, f"{label}-{name}.out"), encoding="utf-8").read()
def sse(text):
    return [l[6:] for l in text.splitlines() if l.startswith("data: ")]
b = json.loads(read("chat"))
assert b["object"] == "chat.completion" and b["choices"][0]["message"]["content"] and b["usage"]["total_tokens"] > 0, ("chat", b)
datas = sse(read("chat-stream"))
assert datas and datas[-1] == "[DONE]", ("chat stream", datas[-3:])
chunks = [json.loads(d) for d in datas[:-1]]
assert "".join(ch["delta"].get("content") or "" for c in chunks for ch in c["choices"]), ("chat stream: no content", chunks)
assert any((c.get("usage") or {}).get("total_tokens") for c in chunks), ("chat stream: no usage chunk", chunks)
m = json.loads(read("messages"))
assert m["type"] == "message" and m["content"][0]["text"] and m["usage"]["input_tokens"] > 0, ("messages", m)
events = [json.loads(d) for d in sse(read("messages-stream"))]
kinds = [e["type"] for e in events]
assert kinds[0] == "message_start" and kinds[-1] == "message_stop", ("messages stream", kinds)
assert "".join(e["delta"].get("text") or "" for e in events if e["type"] == "content_block_delta"), ("messages stream: no text", events)
assert json.loads(read("count-tokens"))["input_tokens"] > 0, ("count_tokens", read("count-tokens"))
totals = json.loads(read("stats"))["totals"]
# Every call above but count_tokens is charged and logged: 4, with tokens and a cost (gpt-4o is priced).
assert totals["calls"] == 4 and totals["input_tokens"] > 0 and totals["cost_usd"] > 0, ("stats", totals)
metrics = read("metrics")
for name in ("companyos_llm_requests", "gen_ai_client_token_usage", "http_server_request_duration"):
    assert name in metrics, ("metrics: no " + name, metrics[:400])
print(f"  {label}: chat, chat stream, messages, messages stream, count_tokens, stats {totals['calls']} calls "
      f"${totals['cost_usd']}, metrics ok")
PY
  kill "$pid"; wait "$pid" 2>/dev/null || true
}
log "checking each server build end to end (every policy on)"
check_build jit "$WORK/jit"
check_build aot "$AOT_DIR"
kill "$NGINX_PID"; wait "$NGINX_PID" 2>/dev/null || true

# ---------------------------------------------------------------- measured: ab.sh, alternated, with nginx direct
log "measuring ${BUILDS[*]} with nginx direct, $ROUNDS rounds alternated (bench/http/ab.sh)"
DIRECT=1 CELLS_OUT="$WORK/cells.txt" bash "$HERE/ab.sh" "${BUILDS[@]}" | tee "$WORK/ab.out"

python3 - "$HERE" "$WORK/cells.txt" "$CONCURRENCY" "${SUMMARY_JSON:-}" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[1])
import cells
rows = cells.read(sys.argv[2])
levels = [int(c) for c in sys.argv[3].split()]
names = [n for n in ("jit", "aot", "yarp") if any(x[0] == n for x in rows)]
low = min(levels)
direct = cells.cell(rows, "direct", low)["p50"]
out = {"rounds": len([x for x in rows if x[0] == "jit" and x[1] == "rss"]), "direct_p50_ms": direct, "builds": {}}
head = "| build | " + " | ".join(f"c={c} req/s" for c in levels) + f" | added p50 c={low} | p99 c={max(levels)} | CPU µs/req c={max(levels)} | RSS after load |"
print("\nmedians over the rounds (same run, alternated):\n" + head + "\n" + "|---" * (head.count("|") - 1) + "|")
for n in names:
    by_c = {c: cells.cell(rows, n, c) for c in levels}
    rss = cells.rss(rows, n)
    b = out["builds"][n] = {"rps": {str(c): by_c[c]["rps"] for c in levels}, "p50_ms": {str(c): by_c[c]["p50"] for c in levels},
                            "p99_ms": {str(c): by_c[c]["p99"] for c in levels}, "cpu_us": {str(c): by_c[c]["cpu_us"] for c in levels},
                            "added_p50_ms": by_c[low]["p50"] - direct, "rss_mb": rss}
    print(f"| {n} | " + " | ".join(f"{by_c[c]['rps']:,.0f}" for c in levels)
          + f" | {b['added_p50_ms']:+.3f} ms | {by_c[max(levels)]['p99']:.2f} ms | {by_c[max(levels)]['cpu_us']:.0f} | {rss:.1f} MB |")
if sys.argv[4]:
    json.dump(out, open(sys.argv[4], "w"), indent=1)
PY
