using BenchmarkDotNet.Attributes;
using CompanyOs.Agents.Definitions;
using CompanyOs.Agents.Runs;
using CompanyOs.Agents.Runtime;
using CompanyOs.Benchmarks.Events;
using CompanyOs.Events;
using CompanyOs.Events.InMemory;
using CompanyOs.Events.Sqlite;
using CompanyOs.Tools.Registry;

namespace CompanyOs.Benchmarks.Agents;

/// <summary>
/// The agent runtime's own cost per step, excluding LLM and tool time: a run of <see cref="Steps"/> model steps (each but
/// the last calls one instant tool) with an instant chat client. Baseline in the same run: the very events that run wrote,
/// replayed into the same kind of store with the same batching (one append per runtime append, same expected versions).
/// (run − replay) / steps is what the runtime adds per step on top of storing its events.
/// </summary>
[MemoryDiagnoser]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet releases resources in [GlobalCleanup].")]
public class AgentStepOverheadBenchmark
{
    private IEventStore _store = null!;
    private AgentRuntime _runtime = null!;
    private List<IReadOnlyList<EventData>> _appends = null!;
    private string? _path;
    private int _stream;

    /// <summary>
    /// Where the events go: a SQLite file with the default durability (WAL, synchronous=FULL: fsync per commit), the same
    /// with synchronous=NORMAL (survives kill -9, not power loss), or the in-memory store (the runtime's CPU cost alone).
    /// </summary>
    [Params("sqlite-full", "sqlite-normal", "memory")]
    public string Store { get; set; } = "sqlite-full";

    /// <summary>Model steps per run: Steps − 1 tool-call steps and the final answer.</summary>
    [Params(5)]
    public int Steps { get; set; } = 5;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        if (Store.StartsWith("sqlite", StringComparison.Ordinal))
        {
            _path = BenchEvents.TempDatabase();
            var durability = Store == "sqlite-normal" ? SqliteDurability.Normal : SqliteDurability.Full;
            _store = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { DatabasePath = _path, Durability = durability });
        }
        else
        {
            _store = new InMemoryEventStore();
        }

        // One recorded run gives the replay baseline its exact batches; it also checks the run does what is measured.
        var recorder = new RecordingEventStore(_store);
        await using (var recording = CreateRuntime(recorder))
        {
            var check = await RunAsync(recording);
            if (check.State.Status != RunStatus.Completed || check.State.Calls.Count != Steps - 1 || check.State.Iterations != Steps)
            {
                throw new InvalidOperationException($"The benchmark run did not take {Steps} steps: {check.State.Status}, {check.State.Iterations} iterations.");
            }
        }

        _appends = recorder.Appends;
        Console.WriteLine($"// {Store}: a {Steps}-step run writes {_appends.Sum(a => a.Count)} events in {_appends.Count} appends");
        _runtime = CreateRuntime(_store);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _runtime.DisposeAsync();
        if (_store is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }

        if (_path is not null)
        {
            BenchEvents.DeleteDatabase(_path);
        }
    }

    [Benchmark(Baseline = true, Description = "Replay: the run's events, same batches, straight into the store")]
    public async Task ReplayAsync()
    {
        var stream = "replay-" + Interlocked.Increment(ref _stream);
        long version = -1;
        foreach (var batch in _appends)
        {
            var fresh = new EventData[batch.Count];
            for (var i = 0; i < fresh.Length; i++)
            {
                fresh[i] = batch[i] with { EventId = Guid.NewGuid() };
            }

            await _store.AppendAsync(stream, version < 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exactly(version), fresh);
            version += fresh.Length;
        }
    }

    [Benchmark(Description = "AgentRuntime.RunAsync: the whole run")]
    public Task<AgentRunResult> AgentRunAsync() => RunAsync(_runtime);

    private static Task<AgentRunResult> RunAsync(AgentRuntime runtime) =>
        runtime.RunAsync(new AgentRunRequest { AgentType = "researcher", Task = "Find X", OrgId = "org-bench", TaskId = "t" });

    private AgentRuntime CreateRuntime(IEventStore store)
    {
        var tools = new ToolRegistry();
        tools.Register(new InstantTool());
        var definition = new AgentDefinition
        {
            Type = "researcher",
            PersonaPrompt = "researcher/persona",
            Tools = ["echo"],
            Autonomy = AutonomyLevel.Autonomous,
            MaxIterations = Steps + 1,
            Budget = AgentBudget.Unlimited,
        };
        return new AgentRuntime(
            new InstantChatClient(Steps - 1), store, tools, new BenchPromptLibrary(), new Dictionary<string, AgentDefinition> { ["researcher"] = definition });
    }
}
