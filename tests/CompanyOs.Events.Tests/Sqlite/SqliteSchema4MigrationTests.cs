using System.Globalization;
using System.Text.Json;
using CompanyOs.Events.Sqlite;
using Microsoft.Data.Sqlite;

namespace CompanyOs.Events.Tests.Sqlite;

/// <summary>
/// A schema-4 file (the frozen schema-2 fixture brought to schema 4 by the shipped migrations, plus appends whose orgs
/// interleave within and across appends, with events without an org between and after them, each written with its org
/// runs the way the schema-4 store wrote them) upgrades on open to schema 5 (org spans only where the org changes) losing
/// nothing: every event and position reads back as stored, every org-filtered read from every position returns exactly
/// the org's events, the spans are exactly the stretches of one org, appends continue, and a process still on schema 4
/// fails loudly instead of writing or reading runs.
/// </summary>
public sealed class SqliteSchema4MigrationTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string DatabasePath => Path.Combine(_directory.Path, "events.db");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_schema_4_file_upgrades_to_org_spans_keeping_every_event_and_every_org_filtered_read()
    {
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Sqlite", "Fixtures", "schema2-events.sqlite"), DatabasePath);
        using (var connection = SqliteRawRows.Open(DatabasePath))
        {
            Assert.Equal(2, SqliteSchema.Migrate(connection, DatabasePath, 0, targetVersion: 4));
            var position = Convert.ToInt64(SqliteRawRows.Scalar(connection, "SELECT MAX(position) FROM events"), CultureInfo.InvariantCulture);
            var version = -1;
            // Appends of 1 to 4 events: org-x twice in a row across appends (one span, two runs), org-y, none, and org-1
            // (an org of the fixture); the file ends with events without an org after the last org-naming one.
            string?[] pattern = ["org-x", "org-x", "org-y", null, "org-1", "org-1", "org-x", null, "org-y", "org-y"];
            for (var n = 0; n < 40; n++)
            {
                using var tx = connection.BeginTransaction();
                var orgs = Enumerable.Range(n * 3, 1 + (n % 4)).Select(i => n >= 37 ? null : pattern[i % pattern.Length]).ToList();
                var first = position + 1;
                foreach (var org in orgs)
                {
                    using var insert = connection.CreateCommand();
                    insert.Transaction = tx;
                    insert.CommandText = """
                        INSERT INTO events (position, stream_id, version, event_uuid, type, data, metadata, org, created_at)
                        VALUES ($p, 'mix', $v, $id, 't', '{}', $meta, $org, 0)
                        """;
                    insert.Parameters.AddWithValue("$p", ++position);
                    insert.Parameters.AddWithValue("$v", ++version);
                    insert.Parameters.AddWithValue("$id", Guid.NewGuid().ToByteArray(bigEndian: true));
                    insert.Parameters.AddWithValue("$meta", org is null ? "{}" : $$"""{"org_id":"{{org}}"}""");
                    insert.Parameters.AddWithValue("$org", (object?)org ?? DBNull.Value);
                    insert.ExecuteNonQuery();
                }

                // Schema 4's runs: one per stretch of consecutive events of one org within the append.
                for (var start = 0; start < orgs.Count;)
                {
                    var end = start;
                    while (end + 1 < orgs.Count && orgs[end + 1] == orgs[start])
                    {
                        end++;
                    }

                    if (orgs[start] is { } org)
                    {
                        using var run = connection.CreateCommand();
                        run.Transaction = tx;
                        run.CommandText = "INSERT INTO org_runs (org_id, first_position, last_position) VALUES ($o, $f, $l)";
                        run.Parameters.AddWithValue("$o", org);
                        run.Parameters.AddWithValue("$f", first + start);
                        run.Parameters.AddWithValue("$l", first + end);
                        run.ExecuteNonQuery();
                    }

                    start = end + 1;
                }

                tx.Commit();
            }

            Assert.Equal("1,2,3,4", SqliteRawRows.Scalar(connection, "SELECT group_concat(version) FROM (SELECT version FROM schema_version ORDER BY version)"));
        }

        var before = SqliteRawRows.ReadEvents(DatabasePath);
        Assert.Equal(Enumerable.Range(1, before.Count).Select(p => (long)p), before.Select(r => r.Position));
        Assert.Null(before[^1].Org);
        var orgsByPosition = before.Select(r => r.Org).ToList();
        var names = orgsByPosition.OfType<string>().Distinct().ToList();
        Assert.True(names.Count >= 4);

        using (var store = await OpenAsync())
        {
            var all = await store.ReadAllAsync(cancellationToken: Ct).ToListAsync(Ct);
            Assert.Equal(
                before.Select(r => (r.Position, r.StreamId, r.Version, r.EventId, r.Org)),
                all.Select(e => (e.Position, e.StreamId, e.Version, e.EventId, e.Metadata.OrgId)));
            await SqliteOrgSpansTests.AssertOrgReadsAsync(store, orgsByPosition, names, step: 13);
            await SqliteOrgSpansTests.AssertOrgReadsAsync(store, orgsByPosition, names.Take(3), step: 1);
            Assert.Equal(SqliteOrgSpansTests.ExpectedSpans(orgsByPosition), SqliteOrgSpansTests.ReadSpans(DatabasePath));

            // Appends continue: the open span's org writes no span; another org closes it and opens its own.
            var lastOrg = orgsByPosition.Last(o => o is not null)!;
            var spans = SqliteOrgSpansTests.ReadSpans(DatabasePath).Count;
            await store.AppendAsync("mix", ExpectedVersion.Any, [Event(lastOrg)], Ct);
            Assert.Equal(spans, SqliteOrgSpansTests.ReadSpans(DatabasePath).Count);
            var other = names.First(n => n != lastOrg);
            await store.AppendAsync("mix", ExpectedVersion.Any, [Event(other), Event(null)], Ct);
            orgsByPosition.AddRange([lastOrg, other, null]);
            Assert.Equal(SqliteOrgSpansTests.ExpectedSpans(orgsByPosition), SqliteOrgSpansTests.ReadSpans(DatabasePath));
            await SqliteOrgSpansTests.AssertOrgReadsAsync(store, orgsByPosition, names, step: 29);
        }

        using var check = SqliteRawRows.Open(DatabasePath);
        Assert.Equal("1,2,3,4,5", SqliteRawRows.Scalar(check, "SELECT group_concat(version) FROM (SELECT version FROM schema_version ORDER BY version)"));
        Assert.Equal("ok", SqliteRawRows.Scalar(check, "PRAGMA integrity_check"));
        Assert.Equal(before, SqliteRawRows.ReadEvents(DatabasePath).Take(before.Count));
        // A process still running schema 4 fails loudly: its appends' runs and its org-filtered reads name org_runs.
        foreach (var sql in new[]
                 {
                     "INSERT INTO org_runs (org_id, first_position, last_position) VALUES ('org-x', 1, 1)",
                     "SELECT e.position FROM org_runs r CROSS JOIN events e WHERE r.org_id = 'org-x' AND e.position >= r.first_position AND e.position <= r.last_position",
                 })
        {
            using var old = check.CreateCommand();
            old.CommandText = sql;
            Assert.Contains("no such table: org_runs", Assert.Throws<SqliteException>(() => old.ExecuteNonQuery()).Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_empty_schema_4_file_upgrades_and_its_first_org_append_opens_the_first_span()
    {
        using (var connection = SqliteRawRows.Open(DatabasePath))
        {
            Assert.Equal(0, SqliteSchema.Migrate(connection, DatabasePath, 0, targetVersion: 4));
        }

        using (var store = await OpenAsync())
        {
            await store.AppendAsync("s", ExpectedVersion.NoStream, [Event(null), Event("org-a")], Ct);
            Assert.Equal([2L], await store.ReadAllAsync(filter: new EventFilter { OrgId = "org-a" }, cancellationToken: Ct).Select(e => e.Position).ToListAsync(Ct));
        }

        Assert.Equal([("org-a", 2L, (long?)null)], SqliteOrgSpansTests.ReadSpans(DatabasePath));
    }

    private static EventData Event(string? org) =>
        new(Guid.NewGuid(), "t", JsonElement.Parse("{}"), org is null ? EventMetadata.Empty : new EventMetadata { OrgId = org });

    private Task<SqliteEventStore> OpenAsync() =>
        SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { DatabasePath = DatabasePath }, cancellationToken: Ct);
}
