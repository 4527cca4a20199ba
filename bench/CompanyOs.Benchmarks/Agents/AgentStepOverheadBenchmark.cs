using BenchmarkDotNet.Attributes;
using CompanyOs.Agents.Definitions;
using CompanyOs.Agents.Runs;
using CompanyOs.Agents.Runtime;
using CompanyOs.Benchmarks.Events;
using CompanyOs.Events;
using CompanyOs.Events.Sqlite;
using CompanyOs.Tools.Registry;

namespace CompanyOs.Benchmarks.Agents;

/// <summary>
/// Agent runtime overhead with an instant chat client and an instant tool over SQLite on a temp file: one run = two model
/// steps (a tool call, then the answer) = 10 journal events. Baseline in the same run: the same number of single-event
/// appends to SqliteEventStore with nothing around them.
/// </summary>
[MemoryDiagnoser]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet releases resources in [GlobalCleanup].")]
public class AgentStepOverheadBenchmark
{
    private const int EventsPerRun = 10;
    private SqliteEventStore _store = null!;
    private AgentRuntime _runtime = null!;
    private string _path = null!;
    private int _stream;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _path = BenchEvents.TempDatabase();
        _store = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { DatabasePath = _path });
        var tools = new ToolRegistry();
        tools.Register(new InstantTool());
        var definition = new AgentDefinition
        {
            Type = "researcher",
            PersonaPrompt = "researcher/persona",
            Tools = ["echo"],
            Autonomy = AutonomyLevel.Autonomous,
            MaxIterations = 5,
            Budget = AgentBudget.Unlimited,
        };
        _runtime = new AgentRuntime(new InstantChatClient(), _store, tools, new BenchPromptLibrary(), new Dictionary<string, AgentDefinition> { ["researcher"] = definition });
        var check = await AgentRunAsync();
        if (check.State.Status != RunStatus.Completed || check.State.Calls.Count != 1)
        {
            throw new InvalidOperationException($"The benchmark run did not complete with one tool call: {check.State.Status}.");
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _runtime.DisposeAsync();
        await _store.DisposeAsync();
        BenchEvents.DeleteDatabase(_path);
    }

    [Benchmark(Baseline = true, Description = "SqliteEventStore: 10 single-event appends")]
    public async Task BareAppendsAsync()
    {
        var stream = "bench-" + Interlocked.Increment(ref _stream);
        for (var i = 0; i < EventsPerRun; i++)
        {
            await _store.AppendAsync(stream, i == 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exactly(i - 1), [BenchEvents.One()]);
        }
    }

    [Benchmark(Description = "AgentRuntime: run of 2 steps (tool call + answer), 10 events")]
    public async Task<AgentRunResult> AgentRunAsync() =>
        await _runtime.RunAsync(new AgentRunRequest { AgentType = "researcher", Task = "Find X", OrgId = "org-bench", TaskId = "t" });
}
