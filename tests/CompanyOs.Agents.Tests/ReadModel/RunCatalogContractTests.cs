using CompanyOs.Agents.Journal;
using CompanyOs.Agents.ReadModel;
using CompanyOs.Agents.Runs;
using CompanyOs.Agents.Tests.TestDoubles;
using CompanyOs.Events;

namespace CompanyOs.Agents.Tests.ReadModel;

/// <summary>The run read model's rules, run on every event store implementation (in-memory, SQLite, PostgreSQL).</summary>
public abstract class RunCatalogContractTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly List<RunCatalog> _catalogs = [];
    private TestStore? _store;

    private protected IEventStore Store => _store!.Store;

    private RunEventWriter Writer => new(Store);

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _store = await OpenAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (var catalog in _catalogs)
        {
            await catalog.DisposeAsync();
        }

        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    private protected abstract Task<TestStore> OpenAsync();

    private RunCatalog Catalog(RunCatalogOptions? options = null, TimeProvider? time = null)
    {
        var catalog = RunCatalog.For(Store, options, time);
        _catalogs.Add(catalog);
        return catalog;
    }

    private async Task<RunState> FoldAsync(string runId)
    {
        var events = new List<RecordedEvent>();
        await foreach (var e in Store.ReadStreamAsync(RunEventCodec.StreamId(runId), 0, Ct))
        {
            events.Add(e);
        }

        return RunState.From(events);
    }

    private static async Task<List<RunSummary>> AllAsync(RunCatalog catalog, RunQuery? query = null)
    {
        var all = new List<RunSummary>();
        query ??= new RunQuery();
        for (var page = 0; page < 1000; page++)
        {
            var result = await catalog.ListRunsAsync(query, Ct);
            all.AddRange(result.Items);
            if (result.NextCursor is null)
            {
                return all;
            }

            query = query with { After = result.NextCursor };
        }

        throw new InvalidOperationException("paging did not end");
    }

    [Fact]
    public async Task Runs_are_listed_newest_first_with_the_totals_of_their_fold()
    {
        var w = Writer;
        var a = await w.StartAsync("org-1", "researcher", T0, task: new string('x', 500), ct: Ct);
        await w.LlmCallAsync(a, "org-1", 1, 100, 20, 0.0015m, T0.AddSeconds(1), Ct);
        await w.LlmCallAsync(a, "org-1", 2, 300, 40, null, T0.AddSeconds(2), Ct);
        var b = await w.StartAsync("org-1", "architect", T0.AddSeconds(3), ct: Ct);
        await w.LlmCallAsync(b, "org-1", 1, 10, 5, 0.25m, T0.AddSeconds(4), Ct);
        await w.CompleteAsync(b, "org-1", T0.AddSeconds(5), Ct);

        var page = await Catalog().ListRunsAsync(new RunQuery { OrgId = "org-1" }, Ct);

        Assert.Equal([b, a], page.Items.Select(r => r.RunId));
        Assert.Null(page.NextCursor);
        foreach (var summary in page.Items)
        {
            var state = await FoldAsync(summary.RunId);
            Assert.Equal(
                (state.Status, state.Iterations, state.InputTokens, state.OutputTokens, state.TotalTokens, state.CostUsd, state.CostIncomplete, state.StartedAt, state.UpdatedAt, state.EndedAt, state.Version),
                (summary.Status, summary.Iterations, summary.InputTokens, summary.OutputTokens, summary.TotalTokens, summary.CostUsd, summary.CostIncomplete, summary.CreatedAt, summary.UpdatedAt, summary.EndedAt, summary.Version));
        }

        var first = page.Items[1];
        Assert.Equal((400L, 60L, 0.0015m, true, RunStatus.Running, "researcher"), (first.InputTokens, first.OutputTokens, first.CostUsd, first.CostIncomplete, first.Status, first.AgentType));
        Assert.Equal(RunSummary.MaxTaskLength, first.Task.Length);
        Assert.EndsWith("…", first.Task, StringComparison.Ordinal);
        Assert.Equal(("researcher/persona", "1.0.0"), (first.PromptName, first.PromptVersion));
        Assert.Equal(T0.AddSeconds(5), page.Items[0].EndedAt);
    }

    [Fact]
    public async Task Filters_select_by_org_status_agent_and_creation_time()
    {
        var w = Writer;
        var r1 = await w.StartAsync("org-1", "researcher", T0, ct: Ct);
        var r2 = await w.StartAsync("org-1", "architect", T0.AddMinutes(1), ct: Ct);
        await w.CompleteAsync(r2, "org-1", T0.AddMinutes(2), Ct);
        var r3 = await w.StartAsync("org-2", "researcher", T0.AddMinutes(3), ct: Ct);
        var r4 = await w.StartAsync("org-1", "researcher", T0.AddMinutes(4), ct: Ct);
        var catalog = Catalog();

        async Task<string[]> Ids(RunQuery q) => [.. (await AllAsync(catalog, q)).Select(r => r.RunId)];

        Assert.Equal([r4, r2, r1], await Ids(new RunQuery { OrgId = "org-1" }));
        Assert.Equal([r3], await Ids(new RunQuery { OrgId = "org-2" }));
        Assert.Equal([r4, r3, r2, r1], await Ids(new RunQuery()));
        Assert.Equal([r2], await Ids(new RunQuery { OrgId = "org-1", Status = RunStatus.Completed }));
        Assert.Equal([r4, r1], await Ids(new RunQuery { OrgId = "org-1", AgentType = "researcher" }));
        Assert.Equal([r4, r3], await Ids(new RunQuery { Status = RunStatus.Running, From = T0.AddMinutes(3) }));
        Assert.Equal([r2, r1], await Ids(new RunQuery { OrgId = "org-1", To = T0.AddMinutes(3) }));
        Assert.Empty(await Ids(new RunQuery { OrgId = "org-3" }));
    }

    [Fact]
    public async Task Cursor_pages_neither_skip_nor_repeat_when_runs_start_between_pages()
    {
        var w = Writer;
        var old = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            old.Add(await w.StartAsync("org-1", "researcher", T0.AddSeconds(i), ct: Ct));
        }

        var catalog = Catalog();
        var first = await catalog.ListRunsAsync(new RunQuery { OrgId = "org-1", Limit = 2 }, Ct);
        Assert.Equal([old[4], old[3]], first.Items.Select(r => r.RunId));

        var newer = await w.StartAsync("org-1", "researcher", T0.AddSeconds(10), ct: Ct);
        var rest = await AllAsync(catalog, new RunQuery { OrgId = "org-1", Limit = 2, After = first.NextCursor });

        Assert.Equal([old[2], old[1], old[0]], rest.Select(r => r.RunId));
        Assert.Equal(newer, (await catalog.ListRunsAsync(new RunQuery { OrgId = "org-1", Limit = 1 }, Ct)).Items.Single().RunId);
    }

    [Fact]
    public async Task A_reader_sees_a_run_and_its_steps_right_after_they_are_written()
    {
        var catalog = Catalog();
        Assert.Empty((await catalog.ListRunsAsync(new RunQuery(), Ct)).Items);

        var run = await Writer.StartAsync("org-1", "researcher", T0, ct: Ct);
        Assert.Equal(RunStatus.Running, (await catalog.GetSummaryAsync(run, Ct))!.Status);

        await Writer.LlmCallAsync(run, "org-1", 1, 7, 3, 0.01m, T0.AddSeconds(1), Ct);
        await Writer.CompleteAsync(run, "org-1", T0.AddSeconds(2), Ct);
        var summary = (await catalog.ListRunsAsync(new RunQuery { OrgId = "org-1" }, Ct)).Items.Single();
        Assert.Equal((RunStatus.Completed, 10L, 0.01m), (summary.Status, summary.TotalTokens, summary.CostUsd));
        Assert.Null(await catalog.GetSummaryAsync("run_missing", Ct));
    }

    [Fact]
    public async Task Pending_decisions_are_listed_per_org_across_runs_and_leave_when_decided_ended_or_expired()
    {
        var w = Writer;
        var a = await w.StartAsync("org-1", "researcher", T0, ct: Ct);
        await w.WaitForApprovalAsync(a, "org-1", "call_a", T0.AddSeconds(1), ct: Ct);
        var b = await w.StartAsync("org-1", "implementer", T0.AddSeconds(2), ct: Ct);
        await w.WaitForApprovalAsync(b, "org-1", "call_b", T0.AddSeconds(3), expiresAt: T0.AddMinutes(10), ct: Ct);
        var c = await w.StartAsync("org-2", "researcher", T0.AddSeconds(4), ct: Ct);
        await w.WaitForApprovalAsync(c, "org-2", "call_c", T0.AddSeconds(5), ct: Ct);
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(T0.AddMinutes(1));
        var catalog = Catalog(time: time);

        var pending = await catalog.ListPendingDecisionsAsync("org-1", Ct);
        Assert.Equal([("call_a", a), ("call_b", b)], pending.Select(p => (p.CallId, p.RunId)));
        Assert.Equal(("appr_call_a", "write_file", "high risk", "org-1", "researcher"), (pending[0].Id, pending[0].ToolName, pending[0].Reason, pending[0].OrgId, pending[0].AgentType));
        Assert.Equal("""{"path":"a.txt"}""", pending[0].ProposedArguments.GetRawText());
        Assert.Equal(1, (await catalog.GetSummaryAsync(a, Ct))!.PendingCount);
        Assert.Equal(RunStatus.AwaitingApproval, (await catalog.GetSummaryAsync(a, Ct))!.Status);
        Assert.Equal(3, (await catalog.ListPendingDecisionsAsync(null, Ct)).Count);

        await w.ApproveAsync(a, "org-1", "call_a", T0.AddSeconds(6), Ct);
        Assert.Equal(["call_b"], (await catalog.ListPendingDecisionsAsync("org-1", Ct)).Select(p => p.CallId));
        Assert.Equal((0, RunStatus.Running), ((await catalog.GetSummaryAsync(a, Ct))!.PendingCount, (await catalog.GetSummaryAsync(a, Ct))!.Status));

        time.Advance(TimeSpan.FromMinutes(10));
        Assert.Empty(await catalog.ListPendingDecisionsAsync("org-1", Ct));

        await w.CancelAsync(c, "org-2", T0.AddSeconds(7), Ct);
        Assert.Empty(await catalog.ListPendingDecisionsAsync("org-2", Ct));
        Assert.Equal(0, (await catalog.GetSummaryAsync(c, Ct))!.PendingCount);
    }

    [Fact]
    public async Task Rebuilding_drops_the_rows_and_projects_every_event_again_to_the_same_result()
    {
        var w = Writer;
        for (var i = 0; i < 7; i++)
        {
            var run = await w.StartAsync(i % 2 == 0 ? "org-1" : "org-2", "researcher", T0.AddSeconds(i), ct: Ct);
            await w.LlmCallAsync(run, "org-1", 1, i, 1, 0.001m * i, T0.AddSeconds(i), Ct);
            if (i % 3 == 0)
            {
                await w.WaitForApprovalAsync(run, "org-1", "call_" + i, T0.AddSeconds(i), ct: Ct);
            }
        }

        // Small batches and a catch-up bound of one event per query: only RebuildAsync itself can bring every row back.
        var catalog = Catalog(new RunCatalogOptions { BatchSize = 2, MaxCatchUpEvents = 1 });
        var head = await catalog.CatchUpAsync(cancellationToken: Ct);
        var before = await AllAsync(catalog);
        var pendingBefore = await catalog.ListPendingDecisionsAsync(null, Ct);
        Assert.Equal(7, before.Count);

        Assert.Equal(head, await catalog.RebuildAsync(Ct));

        Assert.Equal(before, await AllAsync(catalog));
        Assert.Equal(pendingBefore.Select(p => (p.Id, p.RunId)), (await catalog.ListPendingDecisionsAsync(null, Ct)).Select(p => (p.Id, p.RunId)));
    }

    [Fact]
    public async Task Concurrent_writers_and_projectors_lose_no_run_and_count_no_event_twice()
    {
        var projectors = new[] { Catalog(new RunCatalogOptions { BatchSize = 3 }), Catalog(new RunCatalogOptions { BatchSize = 5 }) };
        using var writing = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var runs = new System.Collections.Concurrent.ConcurrentBag<string>();
        var writers = Enumerable.Range(0, 4).Select(n => Task.Run(async () =>
        {
            var w = Writer;
            for (var i = 0; i < 8; i++)
            {
                var run = await w.StartAsync("org-1", "researcher", T0.AddSeconds(i), ct: Ct);
                runs.Add(run);
                await w.LlmCallAsync(run, "org-1", 1, 10, 1, 0.5m, T0.AddSeconds(i), Ct);
                await w.LlmCallAsync(run, "org-1", 2, 20, 2, 0.25m, T0.AddSeconds(i), Ct);
            }
        }, Ct)).ToArray();
        var readers = projectors.Select(p => Task.Run(async () =>
        {
            for (var i = 0; i < 200 && !writers.All(t => t.IsCompleted); i++)
            {
                await p.CatchUpAsync(cancellationToken: Ct);
                await p.ListRunsAsync(new RunQuery { OrgId = "org-1", Limit = 5 }, Ct);
            }
        }, Ct)).ToArray();
        await Task.WhenAll(writers);
        await Task.WhenAll(readers);

        foreach (var projector in projectors)
        {
            var all = await AllAsync(projector, new RunQuery { OrgId = "org-1", Limit = 7 });
            Assert.Equal(runs.Order(StringComparer.Ordinal), all.Select(r => r.RunId).Order(StringComparer.Ordinal));
            Assert.All(all, r => Assert.Equal((33L, 0.75m, 2), (r.TotalTokens, r.CostUsd, r.Iterations)));
        }
    }

    /// <summary>For the stores that keep the projection in their database: a new catalog (another process) continues from the stored rows and checkpoint.</summary>
    private protected async Task A_new_catalog_continues_from_the_stored_rows_and_checkpoint()
    {
        var first = await Writer.StartAsync("org-1", "researcher", T0, ct: Ct);
        var head = await Catalog().CatchUpAsync(cancellationToken: Ct);
        var second = await Writer.StartAsync("org-1", "researcher", T0.AddSeconds(1), ct: Ct);

        // One event per query: only rows stored by the first catalog can bring the older run.
        var other = Catalog(new RunCatalogOptions { MaxCatchUpEvents = 1 });
        Assert.Equal(head, await other.CatchUpAsync(0, Ct));
        Assert.Equal([second, first], (await other.ListRunsAsync(new RunQuery(), Ct)).Items.Select(r => r.RunId));
    }

    [Fact]
    public async Task A_foreign_cursor_or_a_bad_limit_is_refused_naming_what_is_wrong()
    {
        var catalog = Catalog();

        var cursor = await Assert.ThrowsAsync<ArgumentException>(() => catalog.ListRunsAsync(new RunQuery { After = "not-a-cursor" }, Ct));
        Assert.Contains("RunQuery.After", cursor.Message, StringComparison.Ordinal);
        var limit = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => catalog.ListRunsAsync(new RunQuery { Limit = 0 }, Ct));
        Assert.Contains("RunQuery.Limit", limit.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => catalog.ListRunsAsync(new RunQuery { From = T0, To = T0.AddDays(-1) }, Ct));
    }
}

public sealed class InMemoryRunCatalogTests : RunCatalogContractTests
{
    private protected override Task<TestStore> OpenAsync() => Task.FromResult(TestStore.InMemory());
}

public sealed class SqliteRunCatalogTests : RunCatalogContractTests
{
    private protected override Task<TestStore> OpenAsync() => TestStore.SqliteAsync(Ct);

    [Fact]
    public Task The_projection_is_kept_in_the_store_file() => A_new_catalog_continues_from_the_stored_rows_and_checkpoint();

    [Fact]
    public async Task A_table_of_an_older_layout_is_dropped_and_rebuilt_from_the_events()
    {
        var run = await new RunEventWriter(Store).StartAsync("org-1", "researcher", new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), ct: Ct);
        await using (var catalog = RunCatalog.For(Store))
        {
            await catalog.CatchUpAsync(cancellationToken: Ct);
        }

        var path = ((Events.Sqlite.SqliteEventStore)Store).DatabasePath;
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE run_summaries SET agent_type = 'stale'; UPDATE run_summaries_checkpoint SET layout = 0";
            command.ExecuteNonQuery();
        }

        await using var upgraded = RunCatalog.For(Store);
        var summary = await upgraded.GetSummaryAsync(run, Ct);

        Assert.Equal("researcher", summary!.AgentType);
    }
}

/// <summary>Needs the throw-away PostgreSQL that scripts/test.sh starts (COMPANYOS_TEST_POSTGRES); missing, the tests fail.</summary>
public sealed class PostgresRunCatalogTests : RunCatalogContractTests
{
    private protected override Task<TestStore> OpenAsync() => TestStore.PostgresAsync(Ct);

    [Fact]
    public Task The_projection_is_kept_in_the_stores_schema() => A_new_catalog_continues_from_the_stored_rows_and_checkpoint();
}
