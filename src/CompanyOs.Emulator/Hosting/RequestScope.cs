using CompanyOs.Emulator.Faults;
using CompanyOs.Emulator.Model;
using Microsoft.AspNetCore.Http;

namespace CompanyOs.Emulator.Hosting;

/// <summary>One request after faults, latency and auth have been resolved.</summary>
internal sealed record RequestScope(
    HttpContext Context,
    EmulatorState State,
    EmulatorRoute Route,
    IErrorFormat Errors,
    string Body,
    IReadOnlyList<Fault> Faults,
    TimeSpan ChunkDelay,
    CacheHint Cache,
    string? Tag,
    RecordedResponse Progress)
{
    public CancellationToken Aborted => Context.RequestAborted;

    public Fault? Find(FaultKind kind) => Faults.FirstOrDefault(f => f.Kind == kind);
}
