using System.Diagnostics;
using System.Globalization;
using CompanyOs.Events.Sqlite;

namespace CompanyOs.Benchmarks.Events;

/// <summary>
/// <c>sqlite-loop [single|batch|concurrent] [full|normal] [seconds]</c> (<c>concurrent</c>: the store's 16 callers against
/// raw single commits; <c>ORGS=n</c>: the store's single appends pick one of n orgs at random): alternates rounds of <see cref="SqliteAppendBenchmarks"/>'
/// store case with its raw baselines (raw, and raw rows into the store's schema) in one process, for the given time, and
/// prints each variant's median per event and the median of the per-round ratios to raw. On a shared machine, where
/// BenchmarkDotNet's short runs meet different load for each row, alternated rounds compare variants under the same load.
/// Also prints the WAL pages each variant wrote per commit (<c>sqlite3_db_status</c>'s cache writes). <c>ROTATE=1</c> rotates
/// the order of the variants from round to round. Also prints the calling thread's CPU per event (<c>/proc/thread-self/schedstat</c>)
/// (and the bytes it allocates per event) and the background checkpointer thread's CPU per store commit; <c>WAL_PAGES=n</c> sets the store's checkpoint threshold.
/// </summary>
internal static class SqliteAppendLoop
{
    public static async Task<int> RunAsync(string[] args)
    {
        var batch = args.Length > 0 && args[0] == "batch";
        var concurrent = args.Length > 0 && args[0] == "concurrent";
        var durability = args.Length > 1 && args[1] == "normal" ? SqliteDurability.Normal : SqliteDurability.Full;
        var seconds = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 20;
        var benchmarks = new SqliteAppendBenchmarks { Durability = durability };
        if (Environment.GetEnvironmentVariable("ORGS") is { Length: > 0 } orgs)
        {
            benchmarks.Orgs = int.Parse(orgs, CultureInfo.InvariantCulture);
        }

        if (Environment.GetEnvironmentVariable("WAL_PAGES") is { Length: > 0 } walPages)
        {
            benchmarks.WalCheckpointPages = int.Parse(walPages, CultureInfo.InvariantCulture);
        }

        await benchmarks.SetupAsync();
        try
        {
            // Each round: about 100 ms of each variant.
            var perRound = batch ? 10 : durability == SqliteDurability.Full ? 100 : 1000;
            (string Name, Func<Task> Call, int Events)[] variants = batch
                ?
                [
                    ("raw", () => { benchmarks.RawBatch(); return Task.CompletedTask; }, BenchEvents.BatchSize),
                    ("raw-indexed", () => { benchmarks.RawIndexedBatch(); return Task.CompletedTask; }, BenchEvents.BatchSize),
                    ("store", benchmarks.BatchAppend, BenchEvents.BatchSize),
                ]
                : concurrent
                ?
                [
                    ("raw", () => { benchmarks.RawSingleCommit(); return Task.CompletedTask; }, 1),
                    ("store", benchmarks.ConcurrentSingleAppends, BenchEvents.Concurrency),
                ]
                :
                [
                    ("raw", () => { benchmarks.RawSingleCommit(); return Task.CompletedTask; }, 1),
                    ("raw-indexed", () => { benchmarks.RawIndexedSingleCommit(); return Task.CompletedTask; }, 1),
                    ("store", benchmarks.SingleAppend, 1),
                ];
            if (Environment.GetEnvironmentVariable("ONLY") is { Length: > 0 } only)
            {
                variants = [.. variants.Where(v => v.Name == only)];
            }

            var times = variants.Select(_ => new List<double>()).ToArray();
            var cpu = variants.Select(_ => new List<double>()).ToArray();
            var callerCpu = variants.Select(_ => new List<double>()).ToArray();
            var allocated = variants.Select(_ => new List<double>()).ToArray();
            var pages = new long[variants.Length];
            var commits = new long[variants.Length];
            for (var v = 0; v < variants.Length; v++)
            {
                await Round(variants[v].Call, perRound); // warm-up
            }

            // ROTATE=1: round r starts with variant r mod n, so that no variant always follows the store (whose background
            // checkpoint, woken by its commits, otherwise always overlaps the next variant's round: raw's).
            var rotate = Environment.GetEnvironmentVariable("ROTATE") == "1";
            var end = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
            while (Stopwatch.GetTimestamp() < end || times[0].Count < 3)
            {
                var first = rotate ? times[0].Count % variants.Length : 0;
                for (var k = 0; k < variants.Length; k++)
                {
                    var v = (first + k) % variants.Length;
                    var before = benchmarks.PagesWritten(variants[v].Name);
                    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                    var (thread, threadCpuBefore) = (Environment.CurrentManagedThreadId, ThreadCpuNanoseconds("/proc/thread-self"));
                    var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
                    times[v].Add(await Round(variants[v].Call, perRound) / variants[v].Events);
                    cpu[v].Add((Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMicroseconds / perRound / variants[v].Events);
                    if (Environment.CurrentManagedThreadId == thread)
                    {
                        callerCpu[v].Add((ThreadCpuNanoseconds("/proc/thread-self") - threadCpuBefore) / 1e3 / perRound / variants[v].Events);
                        allocated[v].Add((double)(GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / perRound / variants[v].Events);
                    }
                    pages[v] += benchmarks.PagesWritten(variants[v].Name) - before;
                    commits[v] += perRound;
                }
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"sqlite-loop {(batch ? "batch" : concurrent ? "concurrent" : "single")} {durability}, orgs {benchmarks.Orgs}, {times[0].Count} rounds{(rotate ? " (rotated)" : "")}, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
            var storeIndex = Array.FindIndex(variants, x => x.Name == "store");
            var storeCommits = storeIndex < 0 ? 0 : commits[storeIndex];
            var (background, caller) = benchmarks.Checkpoints;
            // The background checkpointer's thread ("SQLite checkpointer", 15 characters of it in comm): its CPU over all store commits.
            var checkpointer = Directory.GetDirectories("/proc/self/task").FirstOrDefault(t => File.ReadAllText(Path.Combine(t, "comm")).Trim() == "SQLite checkpoi");
            if (checkpointer is not null && storeIndex >= 0)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  checkpointer thread CPU {ThreadCpuNanoseconds(checkpointer) / 1e3 / (commits[storeIndex] + perRound):F2} us per store commit (incl. warm-up)"));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  store checkpoints: {background} in the background, {caller} on the caller's path (all commits; {storeCommits} measured after warm-up; threshold {benchmarks.WalCheckpointPages?.ToString(CultureInfo.InvariantCulture) ?? "default"})"));
            for (var v = 0; v < variants.Length; v++)
            {
                var ratio = LoopMath.Median(times[0].Zip(times[v], (raw, x) => raw / x));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {variants[v].Name,-12} median {LoopMath.Median(times[v]):F2} us/event ({1e6 / LoopMath.Median(times[v]):F0}/s), {ratio * 100:F1} % of raw (median of rounds), {(double)pages[v] / commits[v]:F2} WAL pages/commit, CPU {LoopMath.Median(cpu[v]):F2} us/event (process, median of rounds), caller thread {(callerCpu[v].Count > 0 ? LoopMath.Median(callerCpu[v]) : double.NaN):F2} us/event ({callerCpu[v].Count} rounds), {(allocated[v].Count > 0 ? LoopMath.Median(allocated[v]) : double.NaN):F0} B allocated/event on it"));
            }
        }
        finally
        {
            benchmarks.Cleanup();
        }

        return 0;
    }

    /// <summary>CPU time a thread has run (its <c>schedstat</c>'s first field), e.g. of <c>/proc/thread-self</c>.</summary>
    private static long ThreadCpuNanoseconds(string task) =>
        long.Parse(File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ')[0], CultureInfo.InvariantCulture);

    /// <summary>Microseconds per call over <paramref name="calls"/> sequential calls.</summary>
    private static async Task<double> Round(Func<Task> call, int calls)
    {
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < calls; i++)
        {
            await call();
        }

        return Stopwatch.GetElapsedTime(started).TotalMicroseconds / calls;
    }
}
