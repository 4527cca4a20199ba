using BenchmarkDotNet.Running;
using CompanyOs.Benchmarks.Events;

namespace CompanyOs.Benchmarks;

internal static class BenchmarkProgram
{
    /// <summary>
    /// BenchmarkDotNet's switcher, <c>pg-writers [seconds] [rounds]</c>: PostgreSQL appends/s by writer count, or
    /// <c>gateway-loop [case] [seconds]</c>: one gateway overhead case in a tight loop (<see cref="Gateway.GatewayOverheadLoop"/>). Exits 1 when
    /// a benchmark failed (threw, or a validation error stopped its type), so scripts such as <c>bench/run.sh</c> fail loudly.
    /// </summary>
    private static int Main(string[] args)
    {
        if (args is ["pg-writers", .. var rest])
        {
            return PostgresWriterScaling.RunAsync(rest).GetAwaiter().GetResult();
        }

        if (args is ["sqlite-loop", .. var sqlite])
        {
            return SqliteAppendLoop.RunAsync(sqlite).GetAwaiter().GetResult();
        }

        if (args is ["gateway-loop", .. var loop])
        {
            return Gateway.GatewayOverheadLoop.Run(loop);
        }

        var summaries = BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args).ToList();
        var failed = summaries.Where(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)).Select(s => s.Title).ToList();
        if (failed.Count > 0)
        {
            Console.Error.WriteLine($"Benchmarks FAILED in: {string.Join(", ", failed)} (see the log above).");
            return 1;
        }

        return 0;
    }
}
