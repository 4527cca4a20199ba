using BenchmarkDotNet.Attributes;
using CompanyOs.Agents.Journal;
using CompanyOs.Agents.ReadModel;
using CompanyOs.Agents.Runs;
using CompanyOs.Events;
using CompanyOs.Events.Sqlite;
using Microsoft.Data.Sqlite;

namespace CompanyOs.Benchmarks.Agents;

/// <summary>
/// Listing the newest 50 runs from the run read model over a SQLite store of <see cref="Runs"/> runs (each: started, one LLM
/// call, completed), through <see cref="IRunCatalog.ListRunsAsync"/> — which first checks the store for events to catch up
/// with. Baselines in the same run: the same rows by a raw <c>SELECT … LIMIT 50</c> on one connection (the floor), and the
/// listing this replaced — list every run stream, fold each, sort, take 50 — over a store of only <see cref="FoldRuns"/> runs.
/// The stores are built once per machine under the temp directory and reused (building 100,000 runs takes minutes).
/// </summary>
[MemoryDiagnoser]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet releases resources in [GlobalCleanup].")]
public class RunListingBenchmark
{
    public const int Runs = 100_000;
    public const int FoldRuns = 1_000;

    private SqliteEventStore _store = null!;
    private SqliteEventStore _small = null!;
    private RunCatalog _catalog = null!;
    private SqliteConnection _raw = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _store = await OpenFilledAsync(Runs);
        _small = await OpenFilledAsync(FoldRuns);
        _catalog = RunCatalog.For(_store);
        await _catalog.CatchUpAsync();
        _raw = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _store.DatabasePath, Mode = SqliteOpenMode.ReadOnly }.ToString());
        _raw.Open();
        var page = await ReadModel_newest_50();
        if (page.Items.Count != 50 || page.Items[0].Status != RunStatus.Completed || await Raw_select_newest_50() != 50 || (await Fold_newest_50_of_1000()).Count != 50)
        {
            throw new InvalidOperationException("the benchmark does not measure what it claims.");
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _raw.DisposeAsync();
        await _catalog.DisposeAsync();
        await _store.DisposeAsync();
        await _small.DisposeAsync();
    }

    [Benchmark(Baseline = true)]
    public async Task<int> Raw_select_newest_50()
    {
        await using var command = _raw.CreateCommand();
        command.CommandText = "SELECT run_id, org_id, agent_type, status, task, total_tokens, cost_usd, created_at FROM run_summaries ORDER BY start_position DESC LIMIT 50";
        await using var reader = await command.ExecuteReaderAsync();
        var count = 0;
        while (await reader.ReadAsync())
        {
            count++;
        }

        return count;
    }

    [Benchmark]
    public Task<RunPage> ReadModel_newest_50() => _catalog.ListRunsAsync(new RunQuery { Limit = 50 });

    [Benchmark]
    public Task<RunPage> ReadModel_newest_50_of_org_completed() =>
        _catalog.ListRunsAsync(new RunQuery { OrgId = "org-3", Status = RunStatus.Completed, Limit = 50 });

    /// <summary>The listing before the read model (<c>companyos runs</c>, <c>ListPendingApprovalsAsync</c>): fold every run.</summary>
    [Benchmark]
    public async Task<List<RunState>> Fold_newest_50_of_1000()
    {
        var runs = new List<RunState>();
        await foreach (var stream in _small.ListStreamsAsync(RunEventCodec.StreamPrefix))
        {
            var events = new List<RecordedEvent>();
            await foreach (var e in _small.ReadStreamAsync(stream.StreamId))
            {
                events.Add(e);
            }

            runs.Add(RunState.From(events));
        }

        return [.. runs.OrderByDescending(r => r.StartedAt).Take(50)];
    }

    private static async Task<SqliteEventStore> OpenFilledAsync(int runs)
    {
        var path = Path.Combine(Path.GetTempPath(), $"companyos-bench-runs-{runs}", "events.db");
        var ready = path + ".ready";
        if (!File.Exists(ready) && Directory.Exists(Path.GetDirectoryName(path)))
        {
            // A half-built store from an interrupted setup: start over.
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }

        var store = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { DatabasePath = path, Durability = SqliteDurability.Normal });
        if (!File.Exists(ready))
        {
            var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
            // Concurrent appends: the SQLite writer commits whatever waits in one transaction (group commit).
            await Parallel.ForAsync(0, runs, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, ct) =>
            {
                var runId = $"run_{i:D8}";
                var org = $"org-{i % 10}";
                var at = start.AddSeconds(i);
                RunEvent[] events =
                [
                    new RunStarted
                    {
                        RunId = runId, OrgId = org, AgentType = i % 3 == 0 ? "architect" : "researcher", Task = $"Task number {i}",
                        SystemPrompt = "You are a benchmark.", UserMessage = $"Task: Task number {i}", Settings = new RunSettings { Autonomy = "supervised" }, At = at,
                    },
                    new LlmCallCompleted { Iteration = 1, InputTokens = 1200, OutputTokens = 300, TotalTokens = 1500, CostUsd = 0.0042m, Model = "m", At = at },
                    new RunCompleted { Result = "done", CompletedBy = "model", At = at },
                ];
                await store.AppendAsync(
                    RunEventCodec.StreamId(runId),
                    ExpectedVersion.NoStream,
                    [.. events.Select(e => RunEventCodec.ToEventData(e, new EventMetadata { OrgId = org }))],
                    ct);
            });
            await using (var catalog = RunCatalog.For(store))
            {
                await catalog.CatchUpAsync();
            }

            await File.WriteAllTextAsync(ready, "ok");
        }

        return store;
    }
}
