using System.Diagnostics;
using System.Globalization;

namespace CompanyOs.Benchmarks.Gateway;

/// <summary>
/// <c>gateway-loop [default|limits|bare|pass] [seconds]</c>: calls one <see cref="GatewayOverheadBenchmarks"/> case in
/// 200,000-call rounds for the given time and prints the best and median round (ns per call) and the bytes allocated per call.
/// On a machine shared with other work, where BenchmarkDotNet's short runs are noise, the best round of several alternated runs
/// is the least disturbed figure (docs/benchmarks.md, "Limits and budgets path: round three").
/// </summary>
internal static class GatewayOverheadLoop
{
    public static int Run(string[] args)
    {
        var which = args.Length > 0 ? args[0] : "limits";
        var seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        using var benchmarks = new GatewayOverheadBenchmarks();
        benchmarks.Setup();
        Func<Task> call = which switch
        {
            "default" => benchmarks.Gateway_default,
            "limits" => benchmarks.Gateway_with_limits_and_budgets,
            "bare" => benchmarks.Bare_provider,
            "pass" => benchmarks.Gateway_server_config_pass_through,
            _ => throw new ArgumentException($"Unknown case '{which}': default, limits, bare or pass.", nameof(args)),
        };

        const int Calls = 200_000;
        Round(call, Calls); // warm-up: tiered compilation, caches
        var rounds = new List<double>();
        long allocated = 0;
        var end = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < end || rounds.Count < 3)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            rounds.Add(Round(call, Calls));
            allocated = (GC.GetAllocatedBytesForCurrentThread() - before) / Calls;
        }

        rounds.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{which}: best {rounds[0]:F0} ns, median {rounds[rounds.Count / 2]:F0} ns, {allocated} B/call, rounds {rounds.Count}"));
        return 0;
    }

    /// <summary>Nanoseconds per call over <paramref name="calls"/> calls (every case completes synchronously).</summary>
    private static double Round(Func<Task> call, int calls)
    {
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < calls; i++)
        {
            call().GetAwaiter().GetResult();
        }

        return Stopwatch.GetElapsedTime(started).TotalNanoseconds / calls;
    }
}
