using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace CompanyOs.Benchmarks.Events;

/// <summary>
/// One short in-process job: the appends are I/O-bound (fsync), so a few iterations suffice, and running in process
/// avoids BenchmarkDotNet's per-job rebuild, which times out on the shared 2-core machine.
/// </summary>
internal sealed class EventBenchConfig : ManualConfig
{
    public EventBenchConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(2)
            .WithIterationCount(6)
            .WithId("events"));
        AddDiagnoser(MemoryDiagnoser.Default);
    }
}
