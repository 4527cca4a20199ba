#!/usr/bin/env python3
"""Reads what bench/run.sh left in a results directory and prints one Markdown summary: every issue-17 measure against
its target (met / NOT MET / no target), per part. Inputs: http.json and stream.json (SUMMARY_JSON of bench/http/run.sh and
stream.sh), and BenchmarkDotNet's JSON exports under bdn-inproc/ and bdn-events/ (never its text output).

Usage: bench/summary.py RESULTS_DIR PART...    (parts: http stream inproc events pgevents scaleout aot)
pgevents reads bdn-pgevents/; scaleout reads the ratio lines of scaleout.log (bench/http/two-instances.sh); neither has an
issue-17 target, so their rows are reference figures. aot reads aot.json (SUMMARY_JSON of bench/http/aot.sh): the Native AOT
build beside the JIT build and bare YARP of the same run, also reference figures (the targets are the default JIT
server's, shown for comparison).
Exits 1, saying what is missing, when a part's results or an expected benchmark are absent.
"""
import glob, json, math, os, re, sys

results_dir, parts = sys.argv[1], sys.argv[2:]
problems = []
rows = []  # (part, measure, value text, target text, verdict)


def env():
    path = os.path.join(results_dir, "run.env")
    if not os.path.exists(path):
        return {}
    return dict(line.rstrip("\n").split("=", 1) for line in open(path) if "=" in line)


def add(part, measure, value, target="", ok=None):
    verdict = "—" if ok is None else ("met" if ok else "**NOT MET**")
    rows.append((part, measure, value, target, verdict))


def num(x):
    return x is not None and not (isinstance(x, float) and math.isnan(x))


def load_json(name):
    path = os.path.join(results_dir, name)
    if not os.path.exists(path):
        problems.append(f"{name} is missing in {results_dir} (the part did not finish)")
        return None
    return json.load(open(path))


def bdn(subdir):
    """Benchmark (Type, Method, Parameters) -> {mean_ns, alloc_b}; from every *-report*.json export under subdir."""
    found = {}
    files = glob.glob(os.path.join(results_dir, subdir, "results", "*-report*.json"))
    if not files:
        problems.append(f"no BenchmarkDotNet JSON export under {os.path.join(results_dir, subdir, 'results')}")
    for path in files:
        for b in json.load(open(path))["Benchmarks"]:
            stats = b.get("Statistics") or {}
            memory = b.get("Memory") or {}
            found[(b["Type"], b["Method"], b.get("Parameters") or "")] = {
                "mean_ns": stats.get("Mean"), "alloc_b": memory.get("BytesAllocatedPerOperation")}
    return found


def need(found, typ, method, params=""):
    r = found.get((typ, method, params))
    if r is None or not num(r["mean_ns"]):
        problems.append(f"no result for {typ}.{method}{' (' + params + ')' if params else ''} (it failed or was not run)")
        return None
    return r


def fmt_ns(ns):
    return f"{ns / 1000:,.2f} µs" if ns < 1_000_000 else f"{ns / 1_000_000:,.2f} ms"


def fmt_b(b):
    return "n/a" if b is None else f"{b:,.0f} B"


quick = env().get("quick") == "1"

# ---------------------------------------------------------------- http
if "http" in parts and (h := load_json("http.json")):
    p = "HTTP four-way"
    def rounds(key, fmt):  # each round's value (bench/http/run.sh runs the cells in rounds; the value is their median)
        vals = h.get(key) or []
        return f" (rounds: {' / '.join(fmt.format(x) for x in vals)})" if len(vals) > 1 else ""
    v = h["server_over_yarp_c8"]
    add(p, "server / bare YARP req/s at c=8", (f"{v:.2f}" if num(v) else "n/a") + rounds("server_over_yarp_c8_rounds", "{:.2f}"),
        "≥ 0.90", num(v) and v >= 0.90)
    v = h["server_over_portkey_c8"]
    add(p, "server / Portkey req/s at c=8", (f"{v:.1f}" if num(v) else "n/a") + rounds("server_over_portkey_c8_rounds", "{:.1f}"),
        "≥ 15", num(v) and v >= 15)
    v = h["added_p50_c1_ms"]["server"]
    add(p, "server: added p50 over nginx direct at c=1", f"{v:+.3f} ms" if num(v) else "n/a", "≤ 0.12 ms", num(v) and v <= 0.12)
    v = h["added_p50_c1_ms"]["yarp"]
    add(p, "bare YARP: added p50 over nginx direct at c=1 (reference)", f"{v:+.3f} ms" if num(v) else "n/a")
    v = h["server_p99_c32_ms"]
    add(p, "server p99 at c=32", (f"{v:.2f} ms" if num(v) else "n/a") + rounds("server_p99_c32_rounds_ms", "{:.2f}"),
        "≤ 5 ms", num(v) and v <= 5)
    v = h["server_rss_mb"]
    add(p, "server RSS after load", f"{v:.1f} MB" + rounds("server_rss_rounds_mb", "{:.1f}"), "≤ 100 MB", v <= 100)
    add(p, "RSS after load: bare YARP / Portkey (reference)", f"{h['rss_mb'].get('yarp', float('nan')):.1f} / {h['rss_mb'].get('portkey', float('nan')):.1f} MB")
    c8 = {(c["target"], c["load"]): c for c in h["cells"] if c["c"] == 8}
    add(p, "req/s at c=8: direct / server / YARP / Portkey",
        " / ".join(f"{c8[(t, 'json')]['rps']:,.0f}" if (t, "json") in c8 else "n/a" for t in ["direct", "server", "yarp", "portkey"]))
    errors = sum(c["bad"] for c in h["cells"])
    add(p, "non-2xx / socket errors in all cells", f"{errors}", "0", errors == 0)
    if h["sse_failed"]:
        add(p, "SSE cells not measured (target failed to stream)", ", ".join(h["sse_failed"]))

# ---------------------------------------------------------------- stream
if "stream" in parts and (s := load_json("stream.json")):
    p = "Streaming"
    add(p, f"added per-chunk latency p50 ({s['via']['chunks']} chunks)", f"{s['added_p50_ms']:+.3f} ms", "≤ 1 ms", s["added_p50_ms"] <= 1)
    add(p, "added per-chunk latency p99", f"{s['added_p99_ms']:+.3f} ms", "≤ 1 ms", s["added_p99_ms"] <= 1)
    hold = s["hold"]
    held = f"{hold['completed']} of {hold['streams']} for {hold['seconds']} s"
    full = hold["streams"] >= 1000 and hold["seconds"] >= 60
    add(p, "concurrent streams completed with [DONE]", held, "1,000 of 1,000 for 60 s" if full else "all (a reduced run: 1,000 for 60 s is the target)",
        hold["completed"] == hold["streams"] and hold["failed"] == 0)
    add(p, "server RSS before / max / after the hold", f"{s['rss_before_mb']} / {hold['max_rss_mb']} / {hold['rss_after_mb']} MB", "bounded (reported)")
    add(p, "server max threads during the hold", f"{hold['max_threads']}", "bounded (reported)")

# ---------------------------------------------------------------- inproc
if "inproc" in parts:
    f = bdn("bdn-inproc")
    p = "In-process"
    g = "GatewayOverheadBenchmarks"
    bare = need(f, g, "Bare_provider")
    d = need(f, g, "Gateway_default")
    if d:
        add(p, "default pipeline: allocated per call", fmt_b(d["alloc_b"]), "≤ 1 KB", d["alloc_b"] is not None and d["alloc_b"] <= 1024)
        add(p, "default pipeline: time per call" + (f" (bare provider {fmt_ns(bare['mean_ns'])})" if bare else ""), fmt_ns(d["mean_ns"]),
            "≤ 2 µs (quiet machine)", d["mean_ns"] <= 2000)
    lim = need(f, g, "Gateway_with_limits_and_budgets")
    if lim:
        add(p, "limits + budgets: time per call", fmt_ns(lim["mean_ns"]), "≤ 3 µs (quiet machine)", lim["mean_ns"] <= 3000)
        add(p, "limits + budgets: allocated per call", fmt_b(lim["alloc_b"]))
    for method, label in [("Gateway_default_metered", "default + metrics listener"), ("Gateway_with_limits_and_budgets_new_prompt", "limits + budgets, new prompt each call"),
                          ("Gateway_default_streaming", "default, streaming (bare: {})")]:
        r = need(f, g, method)
        if r:
            if "{}" in label:
                b = need(f, g, "Bare_provider_streaming")
                label = label.format(fmt_ns(b["mean_ns"]) if b else "n/a")
            add(p, label, f"{fmt_ns(r['mean_ns'])}, {fmt_b(r['alloc_b'])}")

    def versus(typ, baseline, others, what):
        b = need(f, typ, baseline)
        for method, label in others:
            r = need(f, typ, method)
            if r and b:
                add(p, f"{what}: {label}", f"{fmt_ns(r['mean_ns'])}, {fmt_b(r['alloc_b'])}",
                    f"(no target) {r['mean_ns'] / b['mean_ns']:.2f}× of {baseline} ({fmt_ns(b['mean_ns'])})")

    versus("PassThroughWireBenchmarks", "Request_JsonDocument", [("Request_PassThrough_scan", "request scan (PassThroughRequest)")], "pass-through")
    versus("PassThroughWireBenchmarks", "Response_JsonDocument_usage", [("Response_CompletionFacts", "usage from chat.completion (CompletionFacts)")], "pass-through")
    versus("PassThroughWireBenchmarks", "Sse_StreamReader_JsonDocument", [("Sse_SseDataReader_CompletionFacts", "SSE events + usage (SseDataReader)")], "pass-through")
    versus("ProviderWireBenchmarks", "Http_only", [("OpenAI_converting", "OpenAI converting"), ("OpenAI_pass_through", "OpenAI pass-through"),
                                                   ("Anthropic_converting", "Anthropic converting")], "provider call, JSON")
    versus("ProviderWireBenchmarks", "Http_only_sse", [("OpenAI_converting_sse", "OpenAI converting"), ("OpenAI_pass_through_sse", "OpenAI pass-through"),
                                                       ("Anthropic_converting_sse", "Anthropic converting")], "provider call, SSE")
    versus("CostAccountingBenchmarks", "Cost_inline_arithmetic", [("Cost_CostCalculator", "CostCalculator.Compute"),
                                                                  ("Cost_CostCalculator_alias_only", "CostCalculator.Compute via alias")], "cost")
    versus("CostAccountingBenchmarks", "Spend_inline_totals", [("Spend_reserve_and_settle", "reserve + settle, 3 scopes")], "spend")

# ---------------------------------------------------------------- events
if "events" in parts:
    f = bdn("bdn-events")
    p = "Event store (SQLite)"
    t = "SqliteAppendBenchmarks"
    full = "Durability=Full"
    raw, single = need(f, t, "RawSingleCommit", full), need(f, t, "SingleAppend", full)
    # The target's row: sqlite-loop (events-loop.log) alternates ~100-commit rounds of raw and store in one process, so
    # both meet the same disk; BenchmarkDotNet runs all of raw's iterations, then all of the store's, and a one-fsync-per-
    # commit rate moved 2x between such rows (docs/benchmarks.md).
    loop = {}
    path = os.path.join(results_dir, "events-loop.log")
    if os.path.exists(path):
        for line in open(path, encoding="utf-8"):
            m = re.match(r"\s+(raw|raw-indexed|store)\s+median ([\d.]+) us/event \((\d+)/s\), ([\d.]+) % of raw", line)
            if m:
                loop[m.group(1)] = (int(m.group(3)), float(m.group(4)))
            m = re.match(r"sqlite-loop single Full, .*?(\d+) rounds", line)
            if m:
                loop["rounds"] = int(m.group(1))
    if "store" in loop and "raw" in loop:
        rate, pct = loop["store"]
        add(p, f"single appends (FULL) / raw INSERT+COMMIT, alternated rounds (median of {loop.get('rounds', '?')} per-round ratios)",
            f"{rate:,}/s vs {loop['raw'][0]:,}/s = {pct:.0f} %", "≥ 85 % (within 15 %)", pct >= 85)
    else:
        add(p, "single appends (FULL) / raw, alternated rounds", "n/a (events-loop.log missing or unreadable)", "≥ 85 % (within 15 %)", False)
    if raw and single:
        ratio = raw["mean_ns"] / single["mean_ns"]
        add(p, "single appends (FULL) / raw INSERT+COMMIT (BenchmarkDotNet, rows one after the other; reference)",
            f"{1e9 / single['mean_ns']:,.0f}/s vs {1e9 / raw['mean_ns']:,.0f}/s = {ratio:.0%}")
    minimal = f.get((t, "RawSingleCommitMinimal", full))
    if minimal and single:
        add(p, "single appends (FULL) / the previous raw baseline (4-column row, reference)",
            f"{1e9 / single['mean_ns']:,.0f}/s vs {1e9 / minimal['mean_ns']:,.0f}/s = {minimal['mean_ns'] / single['mean_ns']:.0%}")
    # The split of that gap (reference): raw rows into a file with the store's schema (its indexes, no store code).
    indexed = f.get((t, "RawIndexedSingleCommit", full))
    if raw and single and indexed:
        add(p, "single appends (FULL): the gap split — raw no indexes / raw into the store's schema / store (reference)",
            f"{1e9 / raw['mean_ns']:,.0f} / {1e9 / indexed['mean_ns']:,.0f} / {1e9 / single['mean_ns']:,.0f}/s: "
            f"the schema keeps {raw['mean_ns'] / indexed['mean_ns']:.0%} of raw's rate, the store's code {indexed['mean_ns'] / single['mean_ns']:.0%} of the schema's")
    conc = need(f, t, "ConcurrentSingleAppends", full)
    if conc:
        add(p, "16 concurrent callers (FULL, group commit)", f"{1e9 / conc['mean_ns']:,.0f} events/s", "≥ 8,000/s", 1e9 / conc["mean_ns"] >= 8000)
    batch, rawbatch = need(f, t, "BatchAppend", full), need(f, t, "RawBatch", full)
    if batch:
        add(p, "1000-event batches (FULL)", f"{1e9 / batch['mean_ns']:,.0f} events/s" + (f" (raw inserts {1e9 / rawbatch['mean_ns']:,.0f}/s)" if rawbatch else ""),
            "≥ 100,000/s", 1e9 / batch["mean_ns"] >= 100_000)
    indexedbatch = f.get((t, "RawIndexedBatch", full))
    if batch and rawbatch and indexedbatch:
        add(p, "1000-event batches (FULL): raw no indexes / raw into the store's schema / store (reference)",
            f"{1e9 / rawbatch['mean_ns']:,.0f} / {1e9 / indexedbatch['mean_ns']:,.0f} / {1e9 / batch['mean_ns']:,.0f} events/s")
    rawbatchmin = f.get((t, "RawBatchMinimal", full))
    if batch and rawbatchmin:
        add(p, "1000-event batches (FULL): the previous raw baseline (4-column rows, reference)", f"raw inserts {1e9 / rawbatchmin['mean_ns']:,.0f}/s")
    normal = [(m, need(f, t, m, "Durability=Normal")) for m in ["SingleAppend", "ConcurrentSingleAppends", "BatchAppend"]]
    if all(r for _, r in normal):
        add(p, "synchronous=NORMAL: single / 16 callers / batch (reference)", " / ".join(f"{1e9 / r['mean_ns']:,.0f}/s" for _, r in normal))

# ---------------------------------------------------------------- optional: PostgreSQL appends, two instances
if "pgevents" in parts:
    f = bdn("bdn-pgevents")
    t = "PostgresAppendBenchmarks"
    raw = need(f, t, "RawSingleInsert")
    for method, what in [("SingleAppend", "single appends"), ("ConcurrentSingleAppends", "16 concurrent callers"), ("BatchAppend", "1000-event batches")]:
        r = need(f, t, method)
        if r:
            add("Event store (PostgreSQL)", what, f"{1e9 / r['mean_ns']:,.0f} events/s" + (f" (raw INSERT {1e9 / raw['mean_ns']:,.0f}/s)" if raw and method == "SingleAppend" else ""))

if "scaleout" in parts:
    path = os.path.join(results_dir, "scaleout.log")
    ratios = [line.strip() for line in open(path)] if os.path.exists(path) else []
    ratios = [line for line in ratios if line.startswith("two / one behind the balancer")]
    if not ratios:
        problems.append(f"no 'two / one' ratio in {path} (the scaleout part did not finish)")
    for line in ratios:
        measure, value = line.rsplit(":", 1)
        add("Scale-out (two instances)", measure, value.strip())

if "aot" in parts and (a := load_json("aot.json")):
    p = "Native AOT (same run)"
    b = a["builds"]
    names = [n for n in ("aot", "jit", "yarp") if n in b]
    both = lambda f: " / ".join(f(b[n]) for n in names)
    what = " / ".join({"aot": "AOT", "jit": "JIT", "yarp": "YARP"}[n] for n in names)
    add(p, f"req/s at c=8: {what}", both(lambda x: f"{x['rps'].get('8', math.nan):,.0f}"))
    add(p, f"added p50 over nginx direct at c=1: {what}", both(lambda x: f"{x['added_p50_ms']:+.3f}") + " ms", "(server: ≤ 0.12 ms)")
    add(p, f"p99 at c=32: {what}", both(lambda x: f"{x['p99_ms'].get('32', math.nan):.2f}") + " ms", "(server: ≤ 5 ms)")
    add(p, f"RSS after load: {what}", both(lambda x: f"{x['rss_mb']:.1f}") + " MB", "(server: ≤ 100 MB)")
    add(p, f"CPU µs per request at c=32: {what}", both(lambda x: f"{x['cpu_us'].get('32', math.nan):.0f}"))

# ---------------------------------------------------------------- print
e = env()
print(f"# Issue 17 benchmark summary ({e.get('date_utc', '?')} UTC)\n")
print(f"Command: `{e.get('command', 'bench/run.sh').strip()}`; commit {e.get('commit', '?')}; machine: {e.get('machine', '?')}; "
      f"load average before {e.get('load_before', '?')}, after {e.get('load_after', '?')}.")
if quick:
    print("\n**QUICK mode: a sanity pass with short cells and few iterations — these figures are not for the record.**")
print("\n| Part | Measure | Value | Target | |")
print("|---|---|---:|---|---|")
for r in rows:
    print("| " + " | ".join(r) + " |")
met = sum(r[4] == "met" for r in rows)
missed = [r[1] for r in rows if r[4] != "met" and r[4] != "—"]
print(f"\nTargets met: {met} of {met + len(missed)}." + (f" Not met: {'; '.join(missed)}." if missed else ""))
if problems:
    print()
    for m in problems:
        print(f"MISSING: {m}")
    sys.exit(1)
