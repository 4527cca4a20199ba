#!/usr/bin/env bash
# HTTP benchmark (issue #17): the same wrk load, in the same run, against
#   (a) nginx answering directly (the canned upstream),
#   (b) the CompanyOS gateway server (Release) with every policy on, its OpenAI provider pointing at nginx,
#   (c) a bare YARP pass-through to nginx (bench/http/YarpProxy), the .NET ceiling,
#   (d) the Portkey open-source gateway (@portkey-ai/gateway) with nginx as its custom OpenAI host.
# Prints req/s, p50, p99 per concurrency, each process's RSS after load, and the ratios the issue's targets use.
# Installs what is missing (nginx, wrk via apt-get; Portkey via npm into bench/http/.portkey). Bounded: about
# 4 targets x (PREWARM + ROUNDS x (3 concurrencies + 1 streaming) x (WARMUP + DURATION)) seconds plus start-up (~7 min
# at the defaults). Every target first gets the same PREWARM seconds of load at c=8 (JSON), so that the cells measure each
# process in its steady state: a JIT runtime compiles its hot methods again at higher tiers during its first ~10-30 s
# of load (the gateway server has far more code to tier up than bare YARP), and a 2 s warm-up per cell measured part
# of that. The cells run in ROUNDS rounds (default 3), the four targets one after another in each round, and every cell's
# figure is the median of its rounds (each round's value is printed beside it): on this shared 2-core VM one 5 s cell
# can move by 20-40 % with the host, and a ratio of two single cells taken minutes apart moved more than any change
# measured; interleaved rounds put every target under the same drift.
#
# Usage: bench/http/run.sh            (DURATION=5 WARMUP=2 PREWARM=20 ROUNDS=3 CONCURRENCY="1 8 32" STREAM_CONCURRENCY=8
#                                      may be overridden; SUMMARY_JSON=FILE also writes the measures as JSON, for
#                                      bench/run.sh)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DURATION="${DURATION:-5}"
WARMUP="${WARMUP:-2}"
PREWARM="${PREWARM:-20}"
ROUNDS="${ROUNDS:-3}"
CONCURRENCY="${CONCURRENCY:-1 8 32}"
STREAM_CONCURRENCY="${STREAM_CONCURRENCY:-8}"
PORTKEY_VERSION="1.15.2"
WORK="$(mktemp -d /tmp/companyos-bench-http.XXXXXX)"
BENCH_TAG=bench
# shellcheck source=bench/http/lib.sh
source "$ROOT/bench/http/lib.sh"

# ---------------------------------------------------------------- prerequisites
need_nginx_wrk
command -v node >/dev/null || fail "node is not installed (needed for the Portkey gateway)"
command -v python3 >/dev/null || fail "python3 is not installed (used to check bodies and print the table)"

PORTKEY_DIR="$HERE/.portkey"
PORTKEY_START="$PORTKEY_DIR/node_modules/@portkey-ai/gateway/build/start-server.js"
if [ ! -f "$PORTKEY_START" ]; then
  log "installing @portkey-ai/gateway@$PORTKEY_VERSION (npm) into $PORTKEY_DIR"
  mkdir -p "$PORTKEY_DIR"
  (cd "$PORTKEY_DIR" && { [ -f package.json ] || printf '{"name":"companyos-bench-portkey","private":true}\n' >package.json; } && npm i --no-audit --no-fund "@portkey-ai/gateway@$PORTKEY_VERSION" >/dev/null)
fi
[ -f "$PORTKEY_START" ] || fail "Portkey's start-server.js not found at $PORTKEY_START"

build_server
build_yarp

UP_PORT=$(free_port); SERVER_PORT=$(free_port); YARP_PORT=$(free_port); PORTKEY_PORT=$(free_port)

# ---------------------------------------------------------------- upstream: nginx, 1 worker
# The canned OpenAI answer at /v1/chat/completions and its SSE variant at /sse/v1/chat/completions (lib.sh).
start_canned_nginx nginx "$WORK/nginx" "$UP_PORT" sse
NGINX_MASTER=$LAST_PID
NGINX_WORKER=$(pgrep -P "$NGINX_MASTER" | head -1)

# ---------------------------------------------------------------- (b) the gateway server, every policy on
# The benchmark configuration shared with ab.sh, aot.sh and stream.sh (lib.sh), with the openai_sse provider.
write_bench_config "$WORK/server" "$UP_PORT" sse
KEYS_DB="$WORK/server/keys.db"
start_server server "$WORK/server" "$SERVER_PORT" --config "$WORK/server/llm.yaml" --keys-db "$KEYS_DB"
SERVER_PID=$LAST_PID

# ---------------------------------------------------------------- (c) bare YARP
start_bg yarp "$WORK" "$YARP_BIN" --urls "http://127.0.0.1:$YARP_PORT" --upstream "http://127.0.0.1:$UP_PORT/"
YARP_PID=$LAST_PID
wait_port "$YARP_PORT" yarp "$YARP_PID"

# ---------------------------------------------------------------- (d) Portkey
start_bg portkey "$WORK" node "$PORTKEY_START" --port="$PORTKEY_PORT"
PORTKEY_PID=$LAST_PID
wait_port "$PORTKEY_PORT" portkey "$PORTKEY_PID"

# ---------------------------------------------------------------- targets: name|url|extra headers (;-separated)|pid
STREAM_BODY='{"model":"gpt-4o","messages":[{"role":"user","content":"Say hello."}],"max_tokens":16,"stream":true,"stream_options":{"include_usage":true}}'
SERVER_STREAM_BODY=$SSE_REQ_BODY
TARGETS=(
  "direct|http://127.0.0.1:$UP_PORT/v1/chat/completions|Authorization: Bearer $OPENAI_API_KEY|$NGINX_WORKER"
  "server|http://127.0.0.1:$SERVER_PORT/v1/chat/completions|Authorization: Bearer $API_KEY|$SERVER_PID"
  "yarp|http://127.0.0.1:$YARP_PORT/v1/chat/completions|Authorization: Bearer $OPENAI_API_KEY|$YARP_PID"
  "portkey|http://127.0.0.1:$PORTKEY_PORT/v1/chat/completions|Authorization: Bearer $OPENAI_API_KEY;x-portkey-provider: openai;x-portkey-custom-host: http://127.0.0.1:$UP_PORT/v1|$PORTKEY_PID"
)
stream_url() { # name url -> the streaming URL of that target
  case "$1" in
    direct|yarp) echo "${2/\/v1\//\/sse\/v1\/}" ;;
    *) echo "$2" ;;
  esac
}
stream_headers() { # name headers
  case "$1" in
    portkey) echo "${2/\/v1/\/sse\/v1}" ;;
    *) echo "$2" ;;
  esac
}
stream_body() { [ "$1" = server ] && echo "$SERVER_STREAM_BODY" || echo "$STREAM_BODY"; }

curl_headers() { local IFS=';' h; for h in $1; do printf -- '-H\n%s\n' "$h"; done; }

verify() { # name url headers body kind(json|sse)
  local args=() line
  while IFS= read -r line; do args+=("$line"); done < <(curl_headers "$3")
  local code
  code=$(curl -sS -m 10 -o "$WORK/verify-$1-$5.out" -w '%{http_code}' -X POST "$2" -H 'Content-Type: application/json' "${args[@]}" --data "$4") \
    || { log "FAILED: $1 ($5): request failed"; return 1; }
  [ "$code" = 200 ] || { log "FAILED: $1 ($5): HTTP $code: $(head -c 400 "$WORK/verify-$1-$5.out")"; return 1; }
  python3 - "$WORK/verify-$1-$5.out" "$5" <<'PY' || { log "FAILED: $1 ($5): invalid body: $(head -c 400 "$WORK/verify-$1-$5.out")"; return 1; }
import json, sys
text = open(sys.argv[1], encoding="utf-8").read()
if sys.argv[2] == "json":
    b = json.loads(text)
    assert b["object"] == "chat.completion", b
    assert b["choices"][0]["message"]["content"], b
    assert b["usage"]["total_tokens"] > 0, b
else:
    datas = [l[6:] for l in text.splitlines() if l.startswith("data: ")]
    assert datas and datas[-1] == "[DONE]", datas[-3:]
    chunks = [json.loads(d) for d in datas[:-1]]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert "".join(ch["delta"].get("content") or "" for c in chunks for ch in c["choices"]), "no content"
    assert any((c.get("usage") or {}).get("total_tokens") for c in chunks), "no usage chunk"
PY
}

NO_SSE=""
for t in "${TARGETS[@]}"; do
  IFS='|' read -r name url headers pid <<<"$t"
  verify "$name" "$url" "$headers" "$REQ_BODY" json || fail "$name does not answer a chat completion (see above)"
  if verify "$name" "$(stream_url "$name" "$url")" "$(stream_headers "$name" "$headers")" "$(stream_body "$name")" sse; then
    log "$name answers 200 with a valid chat.completion and a valid SSE stream"
  elif [ "$name" = portkey ]; then
    # Portkey 1.15.2 on this Node answers streams with 500 (its log: "TypeError: immutable" in updateHeaders); the
    # comparison goes on without its streaming row rather than hiding the failure: the table says so.
    NO_SSE+=" $name"; log "portkey: streaming FAILS (last lines of its log below); its SSE row is left out"
    tail -3 "$WORK/portkey.log" | cut -c1-200 >&2
  else
    fail "$name does not answer a valid SSE stream (see above)"
  fi
done

case "$ROUNDS" in ''|*[!0-9]*|0) fail "ROUNDS must be a whole number of at least 1 (got '$ROUNDS')" ;; esac

run_wrk() { # round name kind c url lua -> appends a row
  local r
  r=$(wrk_cell "$2" "$4" "$5" "$6")
  echo "$1 $2 $3 $4 $r" >>"$WORK/results.txt"
  log "round $1: $2 $3 c=$4: $r (requests req/s p50ms p99ms errors)"
}

: >"$WORK/results.txt"; : >"$WORK/rss.txt"
for round in $(seq 1 "$ROUNDS"); do
  for t in "${TARGETS[@]}"; do
    IFS='|' read -r name url headers pid <<<"$t"
    if [ "$round" = 1 ]; then
      write_lua "$WORK/$name.lua" "$REQ_BODY" "$headers"
      write_lua "$WORK/$name-sse.lua" "$(stream_body "$name")" "$(stream_headers "$name" "$headers")"
      if [ "$PREWARM" -gt 0 ]; then
        log "$name: ${PREWARM} s of load at c=8 before its cells (steady state)"
        wrk -t2 -c8 -d"${PREWARM}s" -s "$WORK/$name.lua" "$url" >/dev/null 2>&1 || true
      fi
    fi
    for c in $CONCURRENCY; do run_wrk "$round" "$name" json "$c" "$url" "$WORK/$name.lua"; done
    case " $NO_SSE " in *" $name "*) ;; *) run_wrk "$round" "$name" sse "$STREAM_CONCURRENCY" "$(stream_url "$name" "$url")" "$WORK/$name-sse.lua" ;; esac
    echo "$round $name $(proc_rss_kb "$pid") $(proc_threads "$pid")" >>"$WORK/rss.txt"
  done
done

# The server must still be healthy and must have accounted the calls (usage log) after the load.
stats=$(curl -sS -m 10 -H "Authorization: Bearer $API_KEY" "http://127.0.0.1:$SERVER_PORT/v1/stats") || fail "GET /v1/stats after load"
log "server /v1/stats after load: $(head -c 300 <<<"$stats")"

# ---------------------------------------------------------------- table
PREWARM="$PREWARM" python3 - "$WORK/results.txt" "$WORK/rss.txt" "$DURATION" "$WARMUP" "$STREAM_CONCURRENCY" "$NO_SSE" "${SUMMARY_JSON:-}" <<'PY'
import json, operator, os, statistics, sys
cells = {}   # (name, kind, c) -> one dict per round
for line in open(sys.argv[1]):
    rnd, name, kind, c, n, rps, p50, p99, bad = line.split()
    cells.setdefault((name, kind, int(c)), []).append(dict(n=int(n), rps=float(rps), p50=float(p50), p99=float(p99), bad=int(bad)))
# Each cell: the median of its rounds for req/s, p50 and p99 (each taken on its own), requests and errors summed.
rows = {k: dict(n=sum(r["n"] for r in v), bad=sum(r["bad"] for r in v),
                **{f: statistics.median(r[f] for r in v) for f in ("rps", "p50", "p99")},
                rounds={f: [r[f] for r in v] for f in ("rps", "p50", "p99")}) for k, v in cells.items()}
rss_rounds = {}
for l in open(sys.argv[2]):
    rnd, name, kb, threads = l.split()
    rss_rounds.setdefault(name, []).append((int(kb) / 1024, int(threads)))
rss = {n: v[-1] for n, v in rss_rounds.items()}   # after the last round's load
nrounds = max(len(v) for v in cells.values())
names = ["direct", "server", "yarp", "portkey"]
label = {"direct": "nginx direct", "server": "CompanyOS server (all policies)", "yarp": "bare YARP", "portkey": "Portkey gateway"}
def each(vals, fmt): return " / ".join(fmt.format(v) for v in vals)
print(f"\nDuration {sys.argv[3]} s per cell after a {sys.argv[4]} s warm-up (each target first loaded {os.environ.get('PREWARM', '20')} s at c=8);"
      f" {nrounds} rounds, the four targets in turn in each; each figure is the median of its rounds (rounds in brackets);"
      " p50/p99 in ms; RSS after the last round's load.\n")
print("| Target | Load | c | req/s | p50 ms | p99 ms | non-2xx/errors |")
print("|---|---|---:|---:|---:|---:|---:|")
for nm in names:
    for (n, kind, c), r in sorted(rows.items(), key=lambda kv: (kv[0][1] != "json", kv[0][2])):
        if n != nm: continue
        rr = r["rounds"]
        print(f"| {label[nm]} | {'JSON' if kind == 'json' else 'SSE'} | {c} | {r['rps']:,.0f} ({each(rr['rps'], '{:,.0f}')}) |"
              f" {r['p50']:.3f} ({each(rr['p50'], '{:.3f}')}) | {r['p99']:.3f} ({each(rr['p99'], '{:.2f}')}) | {r['bad']} |")
print("\n| Target | RSS after load (MB), each round | threads |")
print("|---|---:|---:|")
for nm in names:
    print(f"| {label[nm]} | {rss[nm][0]:.1f} ({each([v[0] for v in rss_rounds[nm]], '{:.1f}')}) | {rss[nm][1]} |")
def g(n, k, c, f):
    r = rows.get((n, k, c)); return r[f] if r else float("nan")
def per_round(a, b, k, c, f, op=operator.truediv):   # a/b (or op(a, b)) round by round (same round: same host state)
    ra, rb = rows.get((a, k, c)), rows.get((b, k, c))
    return [op(x, y) for x, y in zip(ra["rounds"][f], rb["rounds"][f])] if ra and rb else []
print("\n| Measure (JSON) | Value (medians) | each round | Target |")
print("|---|---:|---|---|")
print(f"| server / YARP req/s at c=8 | {g('server','json',8,'rps') / g('yarp','json',8,'rps'):.2f} | {each(per_round('server','yarp','json',8,'rps'), '{:.2f}')} | ≥ 0.90 |")
print(f"| server / Portkey req/s at c=8 | {g('server','json',8,'rps') / g('portkey','json',8,'rps'):.1f} | {each(per_round('server','portkey','json',8,'rps'), '{:.1f}')} | ≥ 15 |")
for nm in ["server", "yarp", "portkey"]:
    added = per_round(nm, 'direct', 'json', 1, 'p50', operator.sub)
    print(f"| {label[nm]}: added p50 over direct at c=1 | {g(nm,'json',1,'p50') - g('direct','json',1,'p50'):+.3f} ms | {each(added, '{:+.3f}')} | server ≤ 0.12 ms |")
r32 = rows.get(('server', 'json', 32))
print(f"| server p99 at c=32 | {g('server','json',32,'p99'):.3f} ms | {each(r32['rounds']['p99'] if r32 else [], '{:.2f}')} | ≤ 5 ms |")
print(f"| server RSS after load | {rss['server'][0]:.1f} MB | {each([v[0] for v in rss_rounds['server']], '{:.1f}')} | ≤ 100 MB |")
sc = int(sys.argv[5])
for nm in sys.argv[6].split():
    print(f"| {label[nm]}: SSE | fails (HTTP 500), not measured | | |")
print(f"| server / YARP req/s, SSE at c={sc} | {g('server','sse',sc,'rps') / g('yarp','sse',sc,'rps'):.2f} | {each(per_round('server','yarp','sse',sc,'rps'), '{:.2f}')} | (no target) |")
if sys.argv[7]:
    # The measures for bench/run.sh's summary (NaN, e.g. a concurrency not run, becomes null).
    def num(x): return None if x != x else round(x, 4)
    json.dump({
        "duration_s": int(sys.argv[3]), "warmup_s": int(sys.argv[4]), "prewarm_s": int(os.environ.get("PREWARM", "20")),
        "rounds": nrounds,
        "cells": [dict(target=n, load=k, c=c, **r) for (n, k, c), r in sorted(rows.items())],
        "rss_mb": {n: round(v[0], 1) for n, v in rss.items()}, "threads": {n: v[1] for n, v in rss.items()},
        "server_over_yarp_c8": num(g('server','json',8,'rps') / g('yarp','json',8,'rps')),
        "server_over_yarp_c8_rounds": [round(x, 3) for x in per_round('server','yarp','json',8,'rps')],
        "server_over_portkey_c8": num(g('server','json',8,'rps') / g('portkey','json',8,'rps')),
        "server_over_portkey_c8_rounds": [round(x, 2) for x in per_round('server','portkey','json',8,'rps')],
        "added_p50_c1_ms": {n: num(g(n,'json',1,'p50') - g('direct','json',1,'p50')) for n in ["server", "yarp", "portkey"]},
        "server_p99_c32_ms": num(g('server','json',32,'p99')),
        "server_p99_c32_rounds_ms": r32["rounds"]["p99"] if r32 else [],
        "server_rss_mb": round(rss['server'][0], 1),
        "server_rss_rounds_mb": [round(v[0], 1) for v in rss_rounds['server']],
        "sse_failed": sys.argv[6].split(),
    }, open(sys.argv[7], "w"), indent=1)
PY
