using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using Perfolizer.Horology;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace CompanyOs.Benchmarks.Events;

/// <summary>
/// One short in-process job: the appends are I/O-bound (fsync), so a few iterations suffice, and running in process
/// avoids BenchmarkDotNet's per-job rebuild, which times out on the shared 2-core machine. With
/// <c>COMPANYOS_BENCH_QUICK=1</c> (<c>QUICK=1 bench/run.sh</c>): 1 warm-up and 2 iterations of 100 ms, a sanity pass whose
/// figures are not for the record.
/// </summary>
internal sealed class EventBenchConfig : ManualConfig
{
    public EventBenchConfig()
    {
        var quick = Environment.GetEnvironmentVariable("COMPANYOS_BENCH_QUICK") == "1";
        var job = Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(quick ? 1 : 2)
            .WithIterationCount(quick ? 2 : 6)
            .WithId("events");
        AddJob(quick ? job.WithIterationTime(TimeInterval.FromMilliseconds(100)) : job);
        AddDiagnoser(MemoryDiagnoser.Default);
    }
}
