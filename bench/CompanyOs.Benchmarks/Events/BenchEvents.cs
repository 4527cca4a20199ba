using System.Text.Json;
using CompanyOs.Events;

namespace CompanyOs.Benchmarks.Events;

/// <summary>Event payloads shaped like an agent step (~300 bytes of data and metadata).</summary>
internal static class BenchEvents
{
    public const int BatchSize = 1000;
    public const int Concurrency = 16;

    private static readonly JsonElement Data = JsonElement.Parse(
        """{"step":"tool_finished","tool":"read_file","arguments":{"path":"docs/events.md"},"duration_ms":12,"result":"ok","tokens":{"input":1234,"output":56}}""");

    private static readonly EventMetadata Metadata = new() { OrgId = "org-bench", CorrelationId = "run-1", Actor = "agent:bench" };

    public static EventData One() => new(Guid.NewGuid(), "agent.tool_finished", Data, Metadata);

    /// <summary>One event of <paramref name="metadata"/>'s org (see <see cref="OrgMetadata"/>).</summary>
    public static EventData One(EventMetadata metadata) => new(Guid.NewGuid(), "agent.tool_finished", Data, metadata);

    /// <summary>The bench metadata for <paramref name="count"/> orgs ("org-bench-0" …): appends that interleave orgs.</summary>
    public static EventMetadata[] OrgMetadata(int count) =>
        [.. Enumerable.Range(0, count).Select(i => Metadata with { OrgId = count == 1 ? "org-bench" : $"org-bench-{i}" })];

    public static EventData[] Batch(int size) => [.. Enumerable.Range(0, size).Select(_ => One())];

    public static string DataText { get; } = Data.GetRawText();

    public static string TempDatabase() => Path.Combine(Path.GetTempPath(), "companyos-bench-" + Guid.NewGuid().ToString("N"), "events.db");

    public static void DeleteDatabase(string path)
    {
        var directory = Path.GetDirectoryName(path)!;
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
