using System.Collections.Concurrent;
using System.Text.Json;
using CompanyOs.Events.Postgres;
using Npgsql;

namespace CompanyOs.Events.Tests.Postgres;

/// <summary>
/// Positions from a sequence: appends on different streams commit in parallel, so positions are taken in one order and
/// committed in another. Readers must stop at the safe position: never skip an event that commits late with a lower
/// position, never wait forever on a position whose append rolled back.
/// </summary>
public sealed class PostgresPositionTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _schema = TestPostgres.NewSchema();
    private readonly List<PostgresEventStore> _stores = [];
    private NpgsqlDataSource _raw = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _raw = NpgsqlDataSource.Create(TestPostgres.ConnectionString);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        await _raw.DisposeAsync();
        await TestPostgres.DropSchemaAsync(_schema);
    }

    [Fact]
    public async Task An_event_that_commits_late_with_a_lower_position_is_read_before_the_later_ones_never_skipped()
    {
        var store = await OpenAsync(TimeSpan.FromMilliseconds(200));
        await using var slow = await InFlightAppendAsync();
        var later = await store.AppendAsync("fast", ExpectedVersion.NoStream, [Numbered(2)], Ct);
        Assert.True(later.LastPosition > slow.Position);

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(Patience);
        var seen = new ConcurrentQueue<RecordedEvent>();
        var subscriber = Task.Run(
            async () =>
            {
                await foreach (var e in store.SubscribeAsync(0, null, cts.Token))
                {
                    seen.Enqueue(e);
                }
            },
            cts.Token);

        // The slow append holds a lower position: nothing after it may be read yet, however often we look.
        for (var i = 0; i < 3; i++)
        {
            Assert.Empty(await ReadAllAsync(store));
        }

        Assert.Empty(seen);
        await slow.CommitAsync("slow", Numbered(1));

        var all = await ReadAllAsync(store);
        Assert.Equal([slow.Position, later.LastPosition], all.Select(e => e.Position));
        Assert.Equal([1, 2], all.Select(N));
        await WaitUntilAsync(() => seen.Count >= 2);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => subscriber);
        Assert.Equal([1, 2], seen.Select(N));
    }

    [Fact]
    public async Task A_position_of_a_rolled_back_append_is_a_gap_readers_pass_once_the_transaction_has_ended()
    {
        var store = await OpenAsync(TimeSpan.FromMilliseconds(200));
        await using var doomed = await InFlightAppendAsync();
        var after = await store.AppendAsync("kept", ExpectedVersion.NoStream, [Numbered(1)], Ct);
        Assert.Empty(await ReadAllAsync(store));

        await doomed.RollbackAsync();

        var all = await ReadAllAsync(store);
        Assert.Equal([after.LastPosition], all.Select(e => e.Position));
        Assert.Equal(doomed.Position + 1, after.LastPosition);

        // Another instance (another process) works it out by itself, and appends go on after the gap.
        var other = await OpenAsync(TimeSpan.FromSeconds(30));
        Assert.Equal([after.LastPosition], (await ReadAllAsync(other)).Select(e => e.Position));
        var next = await other.AppendAsync("kept", ExpectedVersion.Exactly(0), [Numbered(2)], Ct);
        Assert.Equal([1, 2], (await ReadAllAsync(store)).Select(N));
        Assert.Equal(next.LastPosition, (await ReadAllAsync(store, after.LastPosition)).Single().Position);
    }

    [Fact]
    public async Task Many_writers_on_distinct_streams_with_failing_appends_between_them_readers_never_miss_or_reorder()
    {
        const int writers = 16;
        const int perWriter = 30;
        var stores = new[] { await OpenAsync(TimeSpan.FromSeconds(30)), await OpenAsync(TimeSpan.FromSeconds(30)) };
        var reader = await OpenAsync(TimeSpan.FromSeconds(30));
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TimeSpan.FromMinutes(3));

        var subscribed = new ConcurrentQueue<RecordedEvent>();
        var subscriber = Task.Run(
            async () =>
            {
                await foreach (var e in reader.SubscribeAsync(0, null, cts.Token))
                {
                    subscribed.Enqueue(e);
                }
            },
            cts.Token);

        // Appends that take positions and roll back (as a failed or killed append would), leaving real gaps mid-stream.
        using var writing = new CancellationTokenSource();
        var saboteur = Task.Run(
            async () =>
            {
                var random = new Random(7);
                while (!writing.IsCancellationRequested)
                {
                    await using var doomed = await InFlightAppendAsync();
                    await Task.Delay(random.Next(0, 5), cts.Token);
                    await doomed.RollbackAsync();
                }
            },
            cts.Token);

        var appends = Enumerable.Range(0, writers).Select(w => Task.Run(
            async () =>
            {
                for (var i = 0; i < perWriter; i++)
                {
                    var expected = i == 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exactly(i - 1);
                    await stores[w % 2].AppendAsync($"w-{w}", expected, [Numbered((w * 1000) + i)], cts.Token);
                }
            },
            cts.Token)).ToArray();

        // A catch-up reader polling as fast as it can, continuing from the last position it saw.
        var polled = new List<RecordedEvent>();
        var done = Task.WhenAll(appends);
        while (!done.IsCompleted)
        {
            var fresh = await ReadAllAsync(reader, polled.Count > 0 ? polled[^1].Position : 0);
            polled.AddRange(fresh);
        }

        await done;
        await writing.CancelAsync();
        await saboteur;
        polled.AddRange(await ReadAllAsync(reader, polled.Count > 0 ? polled[^1].Position : 0));

        var all = await ReadAllAsync(stores[0]);
        Assert.Equal(writers * perWriter, all.Count);
        AssertAscending(all);
        Assert.Equal(all.Select(e => e.EventId), polled.Select(e => e.EventId));
        await WaitUntilAsync(() => subscribed.Count >= all.Count);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => subscriber);
        Assert.Equal(all.Select(e => e.EventId), subscribed.Select(e => e.EventId));
        Assert.True(all[^1].Position > all.Count, "the rolled-back appends left no gap; the test did not test gaps");
        foreach (var stream in all.GroupBy(e => e.StreamId))
        {
            Assert.Equal(Enumerable.Range(0, perWriter).Select(v => (long)v), stream.Select(e => e.Version));
        }
    }

    [Fact]
    public void InFlightWait_must_be_between_zero_and_ten_minutes()
    {
        var options = new PostgresEventStoreOptions { ConnectionString = "Host=127.0.0.1", InFlightWait = TimeSpan.FromSeconds(-1) };
        var error = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        Assert.Equal(nameof(PostgresEventStoreOptions.InFlightWait), error.ParamName);
        (options with { InFlightWait = TimeSpan.Zero }).Validate();
        Assert.Throws<ArgumentOutOfRangeException>((options with { InFlightWait = TimeSpan.FromMinutes(11) }).Validate);
    }

    private static EventData Numbered(int n) => new(Guid.NewGuid(), "test.numbered", JsonElement.Parse($$"""{"n":{{n}}}"""), EventMetadata.Empty);

    private static int N(RecordedEvent e) => e.Data.GetProperty("n").GetInt32();

    private static Task<List<RecordedEvent>> ReadAllAsync(PostgresEventStore store, long from = 0)
        => store.ReadAllAsync(from, null, int.MaxValue, Ct).ToListAsync(Ct).AsTask();

    private static void AssertAscending(List<RecordedEvent> events)
    {
        for (var i = 1; i < events.Count; i++)
        {
            Assert.True(events[i].Position > events[i - 1].Position, $"position {events[i].Position} after {events[i - 1].Position}");
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(waited.Elapsed < Patience, "condition not met in time");
            await Task.Delay(20, Ct);
        }
    }

    private async Task<PostgresEventStore> OpenAsync(TimeSpan inFlightWait)
    {
        var store = await PostgresEventStore.OpenAsync(new PostgresEventStoreOptions
        {
            ConnectionString = TestPostgres.ConnectionString,
            Schema = _schema,
            InFlightWait = inFlightWait,
            Common = new EventStoreOptions { PollInterval = TimeSpan.FromMilliseconds(20) },
        });
        _stores.Add(store);
        return store;
    }

    /// <summary>An append caught between taking its position and committing, driven by hand (as PostgresAppender orders it).</summary>
    private async Task<InFlight> InFlightAppendAsync()
    {
        var connection = await _raw.OpenConnectionAsync(Ct);
        var tx = await connection.BeginTransactionAsync(Ct);
        await using var take = new NpgsqlCommand($"SELECT {PostgresSchema.WriterLockSql(_schema)}; SELECT nextval('\"{_schema}\".positions')", connection, tx);
        await using var reader = await take.ExecuteReaderAsync(Ct);
        await reader.NextResultAsync(Ct);
        await reader.ReadAsync(Ct);
        var position = reader.GetInt64(0);
        return new InFlight(connection, tx, _schema, position);
    }

    private sealed class InFlight(NpgsqlConnection connection, NpgsqlTransaction tx, string schema, long position) : IAsyncDisposable
    {
        public long Position => position;

        public async Task CommitAsync(string streamId, EventData e)
        {
            await using var insert = new NpgsqlCommand(
                $"""
                INSERT INTO "{schema}".events (position, stream_id, version, event_id, type, data, metadata, org_id, created_at)
                VALUES (@p, @s, 0, @id, @type, @data::jsonb, @meta::jsonb, NULL, now());
                INSERT INTO "{schema}".streams (stream_id, version, org_id, created_at, updated_at) VALUES (@s, 0, NULL, now(), now())
                """,
                connection,
                tx);
            insert.Parameters.AddWithValue("p", position);
            insert.Parameters.AddWithValue("s", streamId);
            insert.Parameters.AddWithValue("id", e.EventId);
            insert.Parameters.AddWithValue("type", e.Type);
            insert.Parameters.AddWithValue("data", e.Data.GetRawText());
            insert.Parameters.AddWithValue("meta", "{}");
            await insert.ExecuteNonQueryAsync(Ct);
            await tx.CommitAsync(Ct);
        }

        public Task RollbackAsync() => tx.RollbackAsync(Ct);

        public async ValueTask DisposeAsync()
        {
            await tx.DisposeAsync();
            await connection.DisposeAsync();
        }
    }
}
