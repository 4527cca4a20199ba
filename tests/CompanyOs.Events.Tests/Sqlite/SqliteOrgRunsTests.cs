using System.Text.Json;
using CompanyOs.Events.Sqlite;
using Microsoft.Data.Sqlite;

namespace CompanyOs.Events.Tests.Sqlite;

/// <summary>
/// Schema 4: org-filtered reads find an org's events through <c>org_runs</c> (one row per run of consecutive events of one
/// org in an append) instead of a per-event index. A batch of one org writes one row; reads page through runs, across
/// run boundaries and runs that straddle the reader's position, and return exactly the org's events in position order.
/// </summary>
public sealed class SqliteOrgRunsTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string DatabasePath => Path.Combine(_directory.Path, "events.db");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_batch_of_one_org_writes_one_run_and_mixed_appends_one_run_per_stretch_of_an_org()
    {
        using (var store = await OpenAsync())
        {
            await store.AppendAsync("batch", ExpectedVersion.NoStream, [.. Enumerable.Range(0, 1000).Select(n => Event(n, "org-a"))], Ct);
            // Within one append: org-b, org-b, none, org-a, org-b.
            await store.AppendAsync("mixed", ExpectedVersion.NoStream, [Event(0, "org-b"), Event(1, "org-b"), Event(2, null), Event(3, "org-a"), Event(4, "org-b")], Ct);
            await store.AppendAsync("single", ExpectedVersion.NoStream, [Event(0, "org-a")], Ct);
            await store.AppendAsync("none", ExpectedVersion.NoStream, [Event(0, null), Event(1, null)], Ct);
        }

        Assert.Equal(
            [("org-a", 1L, 1000L), ("org-b", 1001, 1002), ("org-a", 1004, 1004), ("org-b", 1005, 1005), ("org-a", 1006, 1006)],
            ReadRuns());
        // The per-event index is gone: the events table has only its two unique indexes.
        using var connection = SqliteRawRows.Open(DatabasePath);
        using var indexes = connection.CreateCommand();
        indexes.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'";
        Assert.Equal(2L, indexes.ExecuteScalar());
    }

    [Fact]
    public async Task Org_filtered_reads_return_exactly_the_orgs_events_in_position_order_across_pages_and_runs()
    {
        // Page size 3: pages end inside runs, and the next page starts from a run that began before its position.
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

        foreach (var org in new[] { "org-a", "org-b", "org-c" })
        {
            var expected = orgs.Select((o, i) => (o, Position: i + 1L)).Where(x => x.o == org).Select(x => x.Position).ToList();
            Assert.Equal(expected, await store.ReadAllAsync(filter: new EventFilter { OrgId = org }, cancellationToken: Ct).Select(e => e.Position).ToListAsync(Ct));
            // From every position: what follows it.
            for (var after = 0; after <= orgs.Count; after += 5)
            {
                Assert.Equal(
                    expected.Where(p => p > after),
                    await store.ReadAllAsync(after, new EventFilter { OrgId = org }, cancellationToken: Ct).Select(e => e.Position).ToListAsync(Ct));
            }
        }

        // Combined with a type filter and a stream prefix, as before.
        Assert.Equal(
            orgs.Select((o, i) => (o, Position: i + 1L)).Where(x => x.o == "org-b").Select(x => x.Position),
            await store.ReadAllAsync(filter: new EventFilter { OrgId = "org-b", Types = ["t"] }, cancellationToken: Ct).Select(e => e.Position).ToListAsync(Ct));
        Assert.Equal(
            6,
            await store.ReadAllAsync(filter: new EventFilter { OrgId = "org-b", StreamPrefix = "lone" }, cancellationToken: Ct).CountAsync(Ct));
    }

    [Fact]
    public async Task Org_runs_are_append_only()
    {
        using (var store = await OpenAsync())
        {
            await store.AppendAsync("s", ExpectedVersion.NoStream, [Event(0, "org-a")], Ct);
        }

        using var connection = SqliteRawRows.Open(DatabasePath);
        foreach (var sql in new[] { "UPDATE org_runs SET last_position = 9", "DELETE FROM org_runs" })
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            Assert.Contains("append-only", Assert.Throws<SqliteException>(() => command.ExecuteNonQuery()).Message, StringComparison.Ordinal);
        }
    }

    private static EventData Event(int n, string? org) =>
        new(Guid.NewGuid(), "t", JsonElement.Parse($$"""{"n":{{n}}}"""), org is null ? EventMetadata.Empty : new EventMetadata { OrgId = org });

    private Task<SqliteEventStore> OpenAsync(int pageSize = 512) =>
        SqliteEventStore.OpenAsync(
            new SqliteEventStoreOptions { DatabasePath = DatabasePath, Common = new EventStoreOptions { ReadPageSize = pageSize } }, cancellationToken: Ct);

    private List<(string Org, long First, long Last)> ReadRuns()
    {
        using var connection = SqliteRawRows.Open(DatabasePath);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT org_id, first_position, last_position FROM org_runs ORDER BY first_position";
        using var reader = command.ExecuteReader();
        var runs = new List<(string, long, long)>();
        while (reader.Read())
        {
            runs.Add((reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2)));
        }

        return runs;
    }
}
