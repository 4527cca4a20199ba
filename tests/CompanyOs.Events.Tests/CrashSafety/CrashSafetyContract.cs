namespace CompanyOs.Events.Tests.CrashSafety;

/// <summary>
/// Crash safety: a child process appends from several tasks and reports each acknowledged event; it is killed with
/// SIGKILL at random moments (several trials on the same storage). After each kill the store must open, hold every
/// acknowledged event, and be consistent (gap-free positions, gap-free versions, stream versions matching).
/// </summary>
public abstract class CrashSafetyContract : IAsyncLifetime
{
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Arguments of CompanyOs.Events.CrashWriter for this test's storage.</summary>
    protected abstract string[] ChildArguments { get; }

    protected abstract Task<IEventStore> OpenStoreAsync();

    /// <summary>
    /// False where an append killed after taking its positions leaves a permanent gap (PostgreSQL: positions come from a
    /// sequence); positions must then still ascend, and no reader may see a gap fill later.
    /// </summary>
    protected virtual bool DensePositions => true;

    /// <summary>Backend-level checks of the storage after a crash (e.g. SQLite's integrity_check).</summary>
    protected virtual Task AssertStorageIntactAsync() => Task.CompletedTask;

    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Every_acknowledged_event_survives_kill_9_at_random_moments()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var acknowledged = new HashSet<Guid>();
        for (var trial = 0; trial < 4; trial++)
        {
            var killAfter = random.Next(1, 400);
            var acks = await CrashWriterProcess.RunAndKillAsync(ChildArguments, killAfter, null, Ct);
            Assert.True(acks.Count >= killAfter, $"trial {trial} (seed {seed}): only {acks.Count} of {killAfter} acknowledgements seen");
            acknowledged.UnionWith(acks);

            await AssertStorageIntactAsync();
            var store = await OpenStoreAsync();
            try
            {
                await AssertConsistentAsync(store, acknowledged, $"trial {trial} (seed {seed}, killed after {killAfter} acks)");
            }
            finally
            {
                if (store is IAsyncDisposable disposable)
                {
                    await disposable.DisposeAsync();
                }
            }
        }
    }

    [Fact]
    public async Task Another_process_writing_the_same_store_does_not_disturb_this_ones_appends_or_reads()
    {
        var mine = new List<Guid>();
        var seenPositions = 0L;
        var store = await OpenStoreAsync();
        try
        {
            var acks = await CrashWriterProcess.RunAndKillAsync(
                ChildArguments,
                killAfterAcks: 50,
                whileRunning: async () =>
                {
                    for (var i = 0; i < 60; i++)
                    {
                        var e = new EventData(Guid.NewGuid(), "mine", System.Text.Json.JsonElement.Parse("{}"), EventMetadata.Empty);
                        var expected = i == 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exactly(i - 1);
                        await store.AppendAsync("parent-process", expected, [e], Ct);
                        mine.Add(e.EventId);
                        var fresh = await store.ReadAllAsync(seenPositions, cancellationToken: Ct).ToListAsync(Ct);
                        AssertPositions(fresh, seenPositions, "incremental read");
                        seenPositions = fresh.Count > 0 ? fresh[^1].Position : seenPositions;
                    }
                },
                Ct);
            await AssertConsistentAsync(store, [.. acks, .. mine], "two processes");
            Assert.Equal(mine, await store.ReadStreamAsync("parent-process", cancellationToken: Ct).Select(e => e.EventId).ToListAsync(Ct));
        }
        finally
        {
            if (store is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync();
            }
        }
    }

    private void AssertPositions(List<RecordedEvent> events, long after, string context)
    {
        for (var i = 0; i < events.Count; i++)
        {
            var previous = i == 0 ? after : events[i - 1].Position;
            Assert.True(
                DensePositions ? events[i].Position == previous + 1 : events[i].Position > previous,
                $"{context}: position {events[i].Position} at index {i} after {previous}");
        }
    }

    private async Task AssertConsistentAsync(IEventStore store, HashSet<Guid> acknowledged, string context)
    {
        var all = await store.ReadAllAsync(cancellationToken: Ct).ToListAsync(Ct);
        AssertPositions(all, 0, context);

        var ids = all.Select(e => e.EventId).ToHashSet();
        var missing = acknowledged.Where(id => !ids.Contains(id)).ToList();
        Assert.True(missing.Count == 0, $"{context}: {missing.Count} acknowledged events missing, e.g. {missing.FirstOrDefault()}");
        foreach (var stream in all.GroupBy(e => e.StreamId))
        {
            var versions = stream.Select(e => e.Version).ToList();
            Assert.Equal(Enumerable.Range(0, versions.Count).Select(v => (long)v), versions);
            Assert.Equal(versions[^1], await store.GetStreamVersionAsync(stream.Key, Ct));
        }

        Assert.Equal(all.Count, ids.Count);
        var result = await store.AppendAsync("after-crash", ExpectedVersion.Any, [new EventData(Guid.NewGuid(), "after", System.Text.Json.JsonElement.Parse("{}"), EventMetadata.Empty)], Ct);
        if (DensePositions)
        {
            Assert.Equal(all.Count + 1, result.LastPosition);
        }
        else
        {
            Assert.True(result.LastPosition > (all.Count > 0 ? all[^1].Position : 0), $"{context}: appended at {result.LastPosition}");
            Assert.Equal(result.LastPosition, (await store.ReadAllAsync(all.Count > 0 ? all[^1].Position : 0, cancellationToken: Ct).SingleAsync(Ct)).Position);
        }
    }
}
