"""Groups a `perf script -F comm,tid,period,ip,sym,dso` profile of a server build (or bare YARP) by where its CPU goes.

Usage: cpu_groups.py PERF_SCRIPT_OUTPUT REQUESTS  (bench/http/cpu.sh runs it)

Each sample (perf record -F 999: ≈ 1.001 ms of one thread's CPU) goes to one group: the JIT and GC threads by the thread's
name; a sample whose top frame is in the kernel to the kernel; any other to the assembly of its nearest managed frame that is
not the runtime's own (CoreLib, collections, threading), so async machinery, allocation and casts count for the code that
called them. Samples owned by CompanyOs code are split again by pipeline stage. Printed in µs per request and % of samples.
"""
import collections
import re
import sys

RUNTIME = re.compile(r'^(System\.Private\.CoreLib|System\.Collections(\.Concurrent|\.Immutable)?|System\.Runtime|System\.Memory'
                     r'|System\.Linq|System\.Threading)$')
GROUPS = [
    ('our code: CompanyOs.*', r'^CompanyOs\.'),
    ('OpenTelemetry (metric recording)', r'^OpenTelemetry'),
    ('ASP.NET Core hosting (request context, http.server metrics)', r'Microsoft\.AspNetCore\.Hosting'),
    ('System.Text.Json (request scan, usage read)', r'System\.Text\.Json'),
    ('Polly (retry, circuit breaker)', r'^Polly'),
    ('SQLite (usage log, spend ledger)', r'Sqlite|SQLitePCL|e_sqlite3'),
    ('OpenSSL (API key SHA-256)', r'libcrypto|Cryptography'),
    ('Kestrel, sockets, pipelines', r'Kestrel|System\.Net\.Sockets|System\.IO\.Pipelines|libSystem\.Native'),
    ('HttpClient', r'System\.Net\.Http'),
    ('YARP', r'Yarp|System\.Private\.Uri'),
    ('routing, auth, other ASP.NET Core and extensions', r'Microsoft\.AspNetCore|Microsoft\.Extensions|Microsoft\.Net'),
]
STAGES = [
    ('usage log writer (background)', r'UsageRecorder\+<(Linger|Write|TryAppend)|UsageLog'),
    ('spend ledger writer (background)', r'DurableSpendStore\+<(WriteLoop|Write)Async|SpendLedger'),
    ('usage record hand-off', r'UsageRecorder'),
    ('request read: endpoint, body, JSON scan', r'ChatCompletionsApi|MessagesApi|Generated|RequestView|MessagesView|RequestBody|RequestReader|ProviderBytes'),
    ('auth: API key, key RPM', r'ApiKey|Caller|KeyRateLimits'),
    ('response headers (x-ratelimit-*, x-companyos-*)', r'RateLimitHeaders|GatewayHeaders|RoutedProvider'),
    ('budgets: reserve, settle, spend store', r'Budget|DurableSpendStore|SpendStore'),
    ('rate limits: provider RPM/TPM', r'RateLimit|SlidingWindow|WindowLease'),
    ('token estimate', r'Tiktoken|TokenCounter'),
    ('cost', r'CostCalculator|CostOf'),
    ('accounting: stats, metrics, call info', r'CallAccounting|StatsCounters|GatewayMetrics|GatewayTelemetry|LlmCallInfo'),
    ('resilience stage (ours)', r'Resilience'),
    ('routing', r'Routing|ModelRouter'),
    ('provider call, pass-through, usage read', r'ProviderCall|ProviderChatClient|TimeoutSources|InnerCall|PassThrough|CompletionFacts|ProviderHttp|Dialect'),
]


def owner(frames):
    """(assembly or native library, method) of the nearest frame that is not the runtime's, or None."""
    for frame in frames:
        parsed = re.match(r'(\S+) (.*) \((.*)\)$', frame)
        symbol, dso = (parsed.group(2), parsed.group(3)) if parsed else (frame, '')
        managed = re.search(r'\[([\w.]+)\] (\S+?)(\(|$)', symbol)
        if managed:
            if not RUNTIME.match(managed.group(1)):
                return managed.group(1), managed.group(2)
            continue
        library = dso.split('/')[-1]
        if re.search(r'libcrypto|e_sqlite3|libSystem\.Native|libSystem\.Security', library):
            return library, symbol
    return None


def main(path, requests):
    groups, stages = collections.Counter(), collections.Counter()
    total = 0

    def add(comm, frames):
        nonlocal total
        if not frames:
            return
        total += 1
        thread = re.sub(r'\s*\d+$', '', comm.strip())
        if 'Tiered Com' in thread:
            groups['JIT (tiered compilation thread)'] += 1
        elif 'GC' in thread:
            groups['GC threads'] += 1
        elif 'kallsyms' in frames[0]:
            groups['kernel (network stack, scheduler, syscalls)'] += 1
        elif (found := owner(frames)) is None:
            groups['runtime with no owner frame (thread pool, async machinery, libc)'] += 1
        else:
            assembly, method = found
            groups[next((name for name, pattern in GROUPS if re.search(pattern, assembly)), 'other: ' + assembly)] += 1
            if assembly.startswith('CompanyOs.'):
                stages[next((name for name, pattern in STAGES if re.search(pattern, method)), 'other')] += 1

    comm, frames = '', []
    with open(path, errors='replace') as lines:
        for line in lines:
            if not line.strip():
                add(comm, frames)
                comm, frames = '', []
            elif line[0] not in '\t ':
                comm, frames = line[:16], []
            else:
                frames.append(line.strip())
    add(comm, frames)

    us = lambda count: count * 1.001e3 / requests
    print(f"  {'all samples':62s} {us(total):7.1f} µs  100.0 %  ({total} samples, {requests} requests)")
    for name, count in groups.most_common():
        print(f"  {name:62s} {us(count):7.1f} µs  {count * 100 / total:5.1f} %")
    if stages:
        print("  our code by stage:")
        for name, count in stages.most_common():
            print(f"    {name:60s} {us(count):7.2f} µs  {count * 100 / total:5.2f} %")


if __name__ == '__main__':
    main(sys.argv[1], int(sys.argv[2]))
