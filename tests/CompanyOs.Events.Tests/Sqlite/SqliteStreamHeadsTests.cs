using System.Text.Json;
using CompanyOs.Events.Sqlite;

namespace CompanyOs.Events.Tests.Sqlite;

/// <summary>
/// The writer remembers the version of each stream it appended to and appends to it again without reading the version
/// back (<see cref="SqliteStreamHeads"/>). Other writers of the file (processes), retries and events written outside the
/// store must never make it number an event wrongly or let an expected-version conflict through: a remembered version is
/// only a guess that the insert and the head confirm.
/// </summary>
public sealed class SqliteStreamHeadsTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string DatabasePath => Path.Combine(_directory.Path, "events.db");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task An_expected_version_another_writer_has_moved_past_is_a_conflict_although_this_writer_remembers_it()
    {
        using var store = await OpenAsync();
        using var other = await OpenAsync();
        await store.AppendAsync("s", ExpectedVersion.NoStream, [Event(0)], Ct);
        Assert.Equal(1, store.Writer.RememberedStreams);
        await other.AppendAsync("s", ExpectedVersion.Exactly(0), [Event(1)], Ct);

        // The store remembers version 0, which the caller expects: only the file can tell it is stale.
        var conflict = await Assert.ThrowsAsync<ConcurrencyException>(() => store.AppendAsync("s", ExpectedVersion.Exactly(0), [Event(2)], Ct));
        Assert.Equal(1, conflict.Actual);
        Assert.Equal(new AppendResult(2, 3), await store.AppendAsync("s", ExpectedVersion.Exactly(1), [Event(3)], Ct));
        Assert.Equal(new AppendResult(3, 4), await other.AppendAsync("s", ExpectedVersion.Any, [Event(4)], Ct));
        Assert.Equal(new AppendResult(5, 6), await store.AppendAsync("s", ExpectedVersion.Any, [Event(5), Event(6)], Ct));
        Assert.Equal([0L, 1, 2, 3, 4, 5], await ReadVersionsAsync(store, "s"));
    }

    [Fact]
    public async Task Two_writers_of_one_file_appending_to_the_same_streams_keep_every_version_and_conflict_exact()
    {
        // Two stores on one file stand for two processes, each with its own memory of the streams it wrote, which the other's
        // appends make stale at random points. Every outcome is checked against a model of the streams.
        using var first = await OpenAsync();
        using var second = await OpenAsync();
        var random = new Random(17);
        var model = new Dictionary<string, List<Guid>>();
        var appends = new Dictionary<string, List<EventData[]>>();
        var position = 0L;
        for (var n = 0; n < 400; n++)
        {
            var store = random.Next(3) == 0 ? second : first;
            var stream = $"s-{random.Next(3)}";
            var events = model.TryGetValue(stream, out var ids) ? ids : model[stream] = [];
            var previous = appends.TryGetValue(stream, out var earlier) ? earlier : appends[stream] = [];
            var current = events.Count - 1L;
            var batch = random.Next(4) == 0
                ? Enumerable.Range(0, random.Next(2, 5)).Select(i => Event(n * 10 + i)).ToArray()
                : [Event(n * 10)];

            var kind = random.Next(6);
            if (kind == 5 && previous.Count > 0)
            {
                // A retry of an earlier append to the stream: answered with where its events are, nothing written.
                var retried = previous[random.Next(previous.Count)];
                var again = await store.AppendAsync(stream, ExpectedVersion.Any, retried, Ct);
                Assert.Equal(events.IndexOf(retried[^1].EventId), again.NextExpectedVersion);
                continue;
            }

            ExpectedVersion expected = kind switch
            {
                0 or 1 => ExpectedVersion.Any,
                2 => current < 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exactly(current),
                3 => ExpectedVersion.Exactly(current > 0 && random.Next(2) == 0 ? current - 1 : current + 1),
                _ => current < 0 ? ExpectedVersion.Exactly(3) : ExpectedVersion.NoStream,
            };
            var holds = expected.IsAny || (expected.IsNoStream ? current < 0 : expected.Value == current);
            if (holds)
            {
                var result = await store.AppendAsync(stream, expected, batch, Ct);
                position += batch.Length;
                Assert.Equal(new AppendResult(current + batch.Length, position), result);
                events.AddRange(batch.Select(e => e.EventId));
                previous.Add(batch);
            }
            else
            {
                var conflict = await Assert.ThrowsAsync<ConcurrencyException>(() => store.AppendAsync(stream, expected, batch, Ct));
                Assert.Equal(current < 0 ? null : current, conflict.Actual);
            }
        }

        foreach (var (stream, ids) in model)
        {
            var stored = await first.ReadStreamAsync(stream, cancellationToken: Ct).ToListAsync(Ct);
            Assert.Equal(ids, stored.Select(e => e.EventId));
            Assert.Equal(Enumerable.Range(0, ids.Count).Select(v => (long)v), stored.Select(e => e.Version));
        }
    }

    [Fact]
    public async Task A_version_written_outside_the_store_that_breaks_the_numbering_fails_the_next_append_loudly_and_writes_nothing()
    {
        using var store = await OpenAsync();
        await store.AppendAsync("s", ExpectedVersion.NoStream, [Event(0)], Ct);
        using (var connection = SqliteRawRows.Open(DatabasePath))
        using (var insert = connection.CreateCommand())
        {
            // Version 5 where the stream is at 0: the remembered version 0 + 1 is still free, so the insert goes through.
            insert.CommandText = "INSERT INTO events (stream_id, version, event_uuid, type, data, metadata, org, created_at) VALUES ('s', 5, x'00', 't', '{}', '{}', NULL, 0)";
            insert.ExecuteNonQuery();
        }

        var error = await Assert.ThrowsAsync<EventStoreException>(() => store.AppendAsync("s", ExpectedVersion.Any, [Event(1)], Ct));
        Assert.Contains("not consecutive", error.Message, StringComparison.Ordinal);
        Assert.Equal([0L, 5], await ReadVersionsAsync(store, "s"));
        // The memory is gone: the next append reads the version, as a store that never remembered it would.
        Assert.Equal(new AppendResult(6, 3), await store.AppendAsync("s", ExpectedVersion.Any, [Event(2)], Ct));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task A_version_another_event_already_holds_is_a_version_conflict_not_an_idempotency_error(int events)
    {
        // The store remembers "s" at version 0; a row written behind its back (another event, not a retry) takes version 1.
        using var store = await OpenAsync();
        await store.AppendAsync("s", ExpectedVersion.NoStream, [Event(0)], Ct);
        SqliteRawRows.Insert(DatabasePath, "s", Guid.NewGuid(), "t", "{}", "{}");
        var batch = Enumerable.Range(1, events).Select(Event).ToArray();

        var conflict = await Assert.ThrowsAsync<ConcurrencyException>(() => store.AppendAsync("s", ExpectedVersion.Exactly(0), batch, Ct));
        Assert.Equal(1, conflict.Actual);
        Assert.Equal(new AppendResult(events + 1, events + 2), await store.AppendAsync("s", ExpectedVersion.Any, batch, Ct));
        Assert.Equal(Enumerable.Range(0, events + 2).Select(v => (long)v), await ReadVersionsAsync(store, "s"));
    }

    [Fact]
    public async Task Appends_to_more_streams_than_the_memory_holds_start_it_over_and_stay_exact()
    {
        using var store = await OpenAsync();
        for (var n = 0; n <= SqliteStreamHeads.Capacity; n++)
        {
            await store.AppendAsync($"s-{n}", ExpectedVersion.NoStream, [Event(n)], Ct);
        }

        Assert.Equal(1, store.Writer.RememberedStreams);
        Assert.Equal(new AppendResult(1, SqliteStreamHeads.Capacity + 2L), await store.AppendAsync("s-0", ExpectedVersion.Exactly(0), [Event(0)], Ct));
        Assert.Equal(new AppendResult(1, SqliteStreamHeads.Capacity + 3L), await store.AppendAsync($"s-{SqliteStreamHeads.Capacity}", ExpectedVersion.Exactly(0), [Event(0)], Ct));
        await Assert.ThrowsAsync<ConcurrencyException>(() => store.AppendAsync("s-0", ExpectedVersion.Exactly(0), [Event(0)], Ct));
    }

    private static async Task<List<long>> ReadVersionsAsync(SqliteEventStore store, string stream) =>
        await store.ReadStreamAsync(stream, cancellationToken: Ct).Select(e => e.Version).ToListAsync(Ct);

    private static EventData Event(int n) =>
        new(Guid.NewGuid(), "t", JsonElement.Parse($$"""{"n":{{n}}}"""), new EventMetadata { OrgId = "org-a" });

    private Task<SqliteEventStore> OpenAsync() =>
        SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { DatabasePath = DatabasePath }, cancellationToken: Ct);
}
