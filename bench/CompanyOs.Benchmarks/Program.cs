using BenchmarkDotNet.Running;
using CompanyOs.Benchmarks.Events;

namespace CompanyOs.Benchmarks;

internal static class BenchmarkProgram
{
    /// <summary>BenchmarkDotNet's switcher, or <c>pg-writers [seconds] [rounds]</c>: PostgreSQL appends/s by writer count.</summary>
    private static int Main(string[] args)
    {
        if (args is ["pg-writers", .. var rest])
        {
            return PostgresWriterScaling.RunAsync(rest).GetAwaiter().GetResult();
        }

        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args);
        return 0;
    }
}
