using System.Text.Json;
using CompanyOs.Events.Sqlite;
using Microsoft.Data.Sqlite;

namespace CompanyOs.Events.Tests.Sqlite;

/// <summary>
/// Schema 5: org-filtered reads find an org's events through <c>org_spans</c>, a row only where the org changes along the
/// position order (events without an org change nothing; the last span is open and reaches the head). Appends of the org
/// the last org-naming event named write no span; the writer's memory of the open span is checked against the file in
/// the write transaction, so other writers of the file (processes), rolled-back transactions and foreign rows cannot make
/// it write wrong spans. Reads page through spans, across span boundaries and spans that straddle the reader's position,
/// and return exactly the org's events in position order.
/// </summary>
public sealed class SqliteOrgSpansTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string DatabasePath => Path.Combine(_directory.Path, "events.db");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Spans_are_written_only_where_the_org_changes_and_the_last_one_stays_open()
    {
        using (var store = await OpenAsync())
        {
            await store.AppendAsync("batch", ExpectedVersion.NoStream, [.. Enumerable.Range(0, 1000).Select(n => Event(n, "org-a"))], Ct);
            // Within one append: org-b, org-b, none, org-a, org-b.
            await store.AppendAsync("mixed", ExpectedVersion.NoStream, [Event(0, "org-b"), Event(1, "org-b"), Event(2, null), Event(3, "org-a"), Event(4, "org-b")], Ct);
            // Continues org-b's span (1005) across events without an org.
            await store.AppendAsync("none", ExpectedVersion.NoStream, [Event(0, null), Event(1, null)], Ct);
            await store.AppendAsync("single", ExpectedVersion.NoStream, [Event(0, "org-b")], Ct);
            await store.AppendAsync("single", ExpectedVersion.Exactly(0), [Event(1, "org-a")], Ct);
        }

        Assert.Equal(
            [("org-a", 1L, (long?)1000L), ("org-b", 1001, 1002), ("org-a", 1004, 1004), ("org-b", 1005, 1008), ("org-a", 1009, null)],
            ReadSpans());
        // No per-event org index: the events table has only its two unique indexes.
        using var connection = SqliteRawRows.Open(DatabasePath);
        using var indexes = connection.CreateCommand();
        indexes.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'";
        Assert.Equal(2L, indexes.ExecuteScalar());
    }

    [Fact]
    public async Task A_store_of_one_org_writes_one_span_whatever_it_appends_and_however_often_it_is_reopened()
    {
        for (var open = 0; open < 3; open++)
        {
            using var store = await OpenAsync();
            for (var n = 0; n < 20; n++)
            {
                await store.AppendAsync($"s-{n % 3}", ExpectedVersion.Any, [Event(n, n % 4 == 3 ? null : "org-a")], Ct);
            }

            await store.AppendAsync("batch", ExpectedVersion.Any, [.. Enumerable.Range(0, 10).Select(n => Event(n, n % 2 == 0 ? "org-a" : null))], Ct);
        }

        Assert.Equal([("org-a", 1L, (long?)null)], ReadSpans());
        using var reader = await OpenAsync();
        Assert.Equal(
            3 * (15 + 5),
            await reader.ReadAllAsync(filter: new EventFilter { OrgId = "org-a" }, cancellationToken: Ct).CountAsync(Ct));
    }

    [Fact]
    public async Task Org_filtered_reads_return_exactly_the_orgs_events_in_position_order_across_pages_and_spans()
    {
        // Page size 3: pages end inside spans, and the next page starts from a span that began before its position.
        using var store = await OpenAsync(pageSize: 3);
        var orgs = new List<string?>();
        string? Org(int n) => (n % 7) switch { 0 or 1 or 2 => "org-a", 3 => null, 4 => "org-b", _ => "org-a" };
        for (var round = 0; round < 6; round++)
        {
            var batch = Enumerable.Range(orgs.Count, 1 + (round % 4) * 3).Select(n => (n, Org(n))).ToList();
            await store.AppendAsync($"s-{round % 2}", ExpectedVersion.Any, [.. batch.Select(b => Event(b.n, b.Item2))], Ct);
            orgs.AddRange(batch.Select(b => b.Item2));
            await store.AppendAsync("lone", ExpectedVersion.Any, [Event(orgs.Count, "org-b")], Ct);
            orgs.Add("org-b");
        }

        await AssertOrgReadsAsync(store, orgs, ["org-a", "org-b", "org-c"], step: 1);

        // Combined with a type filter and a stream prefix, as before.
        Assert.Equal(
            orgs.Select((o, i) => (o, Position: i + 1L)).Where(x => x.o == "org-b").Select(x => x.Position),
            await store.ReadAllAsync(filter: new EventFilter { OrgId = "org-b", Types = ["t"] }, cancellationToken: Ct).Select(e => e.Position).ToListAsync(Ct));
        Assert.Equal(
            6,
            await store.ReadAllAsync(filter: new EventFilter { OrgId = "org-b", StreamPrefix = "lone" }, cancellationToken: Ct).CountAsync(Ct));
    }

    [Fact]
    public async Task Two_writers_of_one_file_interleaving_orgs_singles_and_batches_keep_every_org_filtered_read_exact()
    {
        // Two stores on one file stand for two processes: each has its own writer connection and its own memory of the
        // open span, which the other's appends make stale at random points (same org, another org, no org, mid-batch).
        using var first = await OpenAsync(pageSize: 4);
        using var second = await OpenAsync(pageSize: 4);
        var random = new Random(17);
        string?[] choices = ["org-a", "org-b", "org-c", null];
        var orgs = new List<string?>();
        for (var n = 0; n < 160; n++)
        {
            var store = random.Next(3) == 0 ? second : first;
            // Runs of one org are likelier than switches, as in a real store; batches mix orgs.
            var count = random.Next(4) == 0 ? random.Next(2, 6) : 1;
            var batch = new List<string?>();
            for (var i = 0; i < count; i++)
            {
                batch.Add(random.Next(3) == 0 ? choices[random.Next(choices.Length)] : orgs.LastOrDefault(o => o is not null) ?? "org-a");
            }

            var result = await store.AppendAsync($"s-{n % 5}", ExpectedVersion.Any, [.. batch.Select((o, i) => Event(i, o))], Ct);
            Assert.Equal(orgs.Count + batch.Count, result.LastPosition);
            orgs.AddRange(batch);
        }

        await AssertOrgReadsAsync(first, orgs, ["org-a", "org-b", "org-c"], step: 7);
        await AssertOrgReadsAsync(second, orgs, ["org-a", "org-b", "org-c"], step: 11);
        AssertSpansDescribe(orgs);
    }

    [Fact]
    public async Task A_rolled_back_append_is_not_remembered_even_when_another_writer_then_fills_its_positions()
    {
        // The writer remembers the open span with the head it belongs to. Here its transaction is rolled back after its
        // spans were written (a trigger refuses the stream row, written after them), and another writer then appends as many
        // events: the head it remembered is the file's head again, but the spans are the other writer's.
        using var store = await OpenAsync();
        using var other = await OpenAsync();
        await store.AppendAsync("s", ExpectedVersion.NoStream, [Event(0, "org-a")], Ct);
        using (var connection = SqliteRawRows.Open(DatabasePath))
        using (var trigger = connection.CreateCommand())
        {
            trigger.CommandText = "CREATE TRIGGER test_refuse BEFORE INSERT ON streams WHEN NEW.stream_id = 'refused' BEGIN SELECT RAISE(ABORT, 'refused stream'); END";
            trigger.ExecuteNonQuery();
        }

        await Assert.ThrowsAsync<EventStoreException>(() => store.AppendAsync("refused", ExpectedVersion.NoStream, [Event(1, "org-b")], Ct));
        await other.AppendAsync("t", ExpectedVersion.NoStream, [Event(2, "org-c")], Ct);
        Assert.Equal(3, (await store.AppendAsync("s", ExpectedVersion.Exactly(0), [Event(3, "org-b")], Ct)).LastPosition);

        await AssertOrgReadsAsync(store, ["org-a", "org-c", "org-b"], ["org-a", "org-b", "org-c"], step: 1);
        Assert.Equal([("org-a", 1L, (long?)1L), ("org-b", 3, null), ("org-c", 2, 2)], ReadSpans().OrderBy(s => s.Org, StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_org_named_by_an_event_written_outside_the_store_fails_the_next_org_append_loudly_and_writes_nothing()
    {
        using var store = await OpenAsync();
        await store.AppendAsync("s", ExpectedVersion.NoStream, [Event(0, "org-a")], Ct);
        using (var connection = SqliteRawRows.Open(DatabasePath))
        using (var insert = connection.CreateCommand())
        {
            insert.CommandText = "INSERT INTO events (stream_id, version, event_uuid, type, data, metadata, org, created_at) VALUES ('x', 0, x'00', 't', '{}', '{}', 'org-z', 0)";
            insert.ExecuteNonQuery();
        }

        var error = await Assert.ThrowsAsync<EventStoreException>(() => store.AppendAsync("s", ExpectedVersion.Exactly(0), [Event(1, "org-a")], Ct));
        Assert.Contains("org spans are inconsistent", error.Message, StringComparison.Ordinal);
        Assert.Contains("org-z", error.Message, StringComparison.Ordinal);
        Assert.Equal(0L, await store.GetStreamVersionAsync("s", Ct));
        // Events without an org need no span and are still written.
        Assert.Equal(3, (await store.AppendAsync("s", ExpectedVersion.Exactly(0), [Event(1, null)], Ct)).LastPosition);
    }

    [Fact]
    public async Task Org_spans_can_only_be_closed_once_and_never_deleted()
    {
        using (var store = await OpenAsync())
        {
            await store.AppendAsync("s", ExpectedVersion.NoStream, [Event(0, "org-a"), Event(1, "org-b")], Ct);
        }

        using var connection = SqliteRawRows.Open(DatabasePath);
        foreach (var sql in new[]
                 {
                     "UPDATE org_spans SET last_position = 9 WHERE org_id = 'org-a'", // closed already
                     "UPDATE org_spans SET last_position = 9223372036854775807 WHERE org_id = 'org-a'", // reopened
                     "UPDATE org_spans SET first_position = 1, last_position = 2 WHERE org_id = 'org-b'", // moved
                     "UPDATE org_spans SET org_id = 'org-c', last_position = 2 WHERE org_id = 'org-b'", // another org's
                     "UPDATE org_spans SET last_position = 1 WHERE org_id = 'org-b'", // ending before it starts
                     "DELETE FROM org_spans",
                 })
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            Assert.Contains("append-only", Assert.Throws<SqliteException>(() => command.ExecuteNonQuery()).Message, StringComparison.Ordinal);
        }

        Assert.Equal([("org-a", 1L, (long?)1L), ("org-b", 2, null)], ReadSpans());
    }

    /// <summary>
    /// Every org's filtered read, whole and from every <paramref name="step"/>-th position on, against what
    /// <paramref name="orgs"/> (the org of position i + 1) says.
    /// </summary>
    internal static async Task AssertOrgReadsAsync(IEventStore store, IReadOnlyList<string?> orgs, IEnumerable<string> names, int step)
    {
        foreach (var org in names)
        {
            var expected = orgs.Select((o, i) => (o, Position: i + 1L)).Where(x => x.o == org).Select(x => x.Position).ToList();
            for (var after = 0; after <= orgs.Count; after += step)
            {
                Assert.Equal(
                    expected.Where(p => p > after),
                    await store.ReadAllAsync(after, new EventFilter { OrgId = org }, cancellationToken: Ct).Select(e => e.Position).ToListAsync(Ct));
            }
        }
    }

    /// <summary>The spans the file holds (the open one's end as null) are exactly the maximal stretches of one org among the org-naming events, the last one open.</summary>
    private void AssertSpansDescribe(IReadOnlyList<string?> orgs) =>
        Assert.Equal(ExpectedSpans(orgs), ReadSpans());

    internal static List<(string Org, long First, long? Last)> ExpectedSpans(IReadOnlyList<string?> orgs)
    {
        var spans = new List<(string Org, long First, long? Last)>();
        for (var i = 0; i < orgs.Count; i++)
        {
            if (orgs[i] is not { } org)
            {
                continue;
            }

            if (spans.Count > 0 && spans[^1].Org == org)
            {
                spans[^1] = (org, spans[^1].First, i + 1);
            }
            else
            {
                spans.Add((org, i + 1, i + 1));
            }
        }

        if (spans.Count > 0)
        {
            spans[^1] = (spans[^1].Org, spans[^1].First, null);
        }

        return spans;
    }

    internal static List<(string Org, long First, long? Last)> ReadSpans(string databasePath)
    {
        using var connection = SqliteRawRows.Open(databasePath);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT org_id, first_position, last_position FROM org_spans ORDER BY first_position";
        using var reader = command.ExecuteReader();
        var spans = new List<(string, long, long?)>();
        while (reader.Read())
        {
            var last = reader.GetInt64(2);
            spans.Add((reader.GetString(0), reader.GetInt64(1), last == SqliteOrgSpans.OpenEnd ? null : last));
        }

        return spans;
    }

    private static EventData Event(int n, string? org) =>
        new(Guid.NewGuid(), "t", JsonElement.Parse($$"""{"n":{{n}}}"""), org is null ? EventMetadata.Empty : new EventMetadata { OrgId = org });

    private Task<SqliteEventStore> OpenAsync(int pageSize = 512) =>
        SqliteEventStore.OpenAsync(
            new SqliteEventStoreOptions { DatabasePath = DatabasePath, Common = new EventStoreOptions { ReadPageSize = pageSize } }, cancellationToken: Ct);

    private List<(string Org, long First, long? Last)> ReadSpans() => ReadSpans(DatabasePath);
}
