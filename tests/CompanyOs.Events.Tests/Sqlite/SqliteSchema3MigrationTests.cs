using System.Globalization;
using System.Text.Json;
using CompanyOs.Events.Sqlite;
using Microsoft.Data.Sqlite;

namespace CompanyOs.Events.Tests.Sqlite;

/// <summary>
/// A schema-3 file (the frozen schema-2 fixture brought to schema 3 by the shipped migrations, plus events whose orgs
/// interleave within and across appends, written the way the schema-3 store wrote them) upgrades on open to schema 4
/// (org_runs instead of the per-event org index, the org column renamed) and on to 5 (org_spans) losing nothing: every event and position reads
/// back as stored, org-filtered reads return exactly what the old index answered, and appends continue after them.
/// </summary>
public sealed class SqliteSchema3MigrationTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string DatabasePath => Path.Combine(_directory.Path, "events.db");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_schema_3_file_upgrades_to_org_runs_keeping_every_event_and_every_org_filtered_read()
    {
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Sqlite", "Fixtures", "schema2-events.sqlite"), DatabasePath);
        using (var connection = SqliteRawRows.Open(DatabasePath))
        {
            Assert.Equal(2, SqliteSchema.Migrate(connection, DatabasePath, 0, targetVersion: 3));
            // Interleaved orgs: org-x, org-y and none alternating event by event, in appends of 1 to 4 events.
            var position = Convert.ToInt64(SqliteRawRows.Scalar(connection, "SELECT MAX(position) FROM events"), CultureInfo.InvariantCulture);
            for (var n = 0; n < 40; n++)
            {
                using var insert = connection.CreateCommand();
                insert.CommandText = """
                    INSERT INTO events (position, stream_id, version, event_uuid, type, data, metadata, org_id, created_at)
                    VALUES ($p, 'mix', $v, $id, 't', '{}', $meta, $org, 0)
                    """;
                var org = (n % 5) switch { 0 or 1 => "org-x", 2 => null, 3 => "org-y", _ => "org-1" };
                insert.Parameters.AddWithValue("$p", ++position);
                insert.Parameters.AddWithValue("$v", n);
                insert.Parameters.AddWithValue("$id", Guid.NewGuid().ToByteArray(bigEndian: true));
                insert.Parameters.AddWithValue("$meta", org is null ? "{}" : $$"""{"org_id":"{{org}}"}""");
                insert.Parameters.AddWithValue("$org", (object?)org ?? DBNull.Value);
                insert.ExecuteNonQuery();
            }

            Assert.Equal("1,2,3", SqliteRawRows.Scalar(connection, "SELECT group_concat(version) FROM (SELECT version FROM schema_version ORDER BY version)"));
        }

        var before = SqliteRawRows.ReadEvents(DatabasePath, "org_id");
        var orgs = before.Select(r => r.Org).OfType<string>().Distinct().ToList();
        Assert.True(orgs.Count >= 3);

        using (var store = await OpenAsync())
        {
            var all = await store.ReadAllAsync(cancellationToken: Ct).ToListAsync(Ct);
            Assert.Equal(before.Select(r => (r.Position, r.StreamId, r.Version, r.EventId, r.Org)), all.Select(e => (e.Position, e.StreamId, e.Version, e.EventId, e.Metadata.OrgId)));
            foreach (var org in orgs)
            {
                var expected = before.Where(r => r.Org == org).Select(r => r.Position).ToList();
                Assert.Equal(expected, await store.ReadAllAsync(filter: new EventFilter { OrgId = org }, cancellationToken: Ct).Select(e => e.Position).ToListAsync(Ct));
                var middle = before[before.Count / 2].Position;
                Assert.Equal(
                    expected.Where(p => p > middle),
                    await store.ReadAllAsync(middle, new EventFilter { OrgId = org }, cancellationToken: Ct).Select(e => e.Position).ToListAsync(Ct));
            }

            // Appends continue, and their org is found by the org filter.
            var appended = await store.AppendAsync("mix", ExpectedVersion.Exactly(39), [new EventData(Guid.NewGuid(), "t", JsonElement.Parse("{}"), new EventMetadata { OrgId = "org-x" })], Ct);
            Assert.Equal(before[^1].Position + 1, appended.LastPosition);
            Assert.Equal(appended.LastPosition, (await store.ReadAllAsync(filter: new EventFilter { OrgId = "org-x" }, cancellationToken: Ct).LastAsync(Ct)).Position);
        }

        using var check = SqliteRawRows.Open(DatabasePath);
        Assert.Equal("1,2,3,4,5", SqliteRawRows.Scalar(check, "SELECT group_concat(version) FROM (SELECT version FROM schema_version ORDER BY version)"));
        Assert.Equal("ok", SqliteRawRows.Scalar(check, "PRAGMA integrity_check"));
        Assert.Equal(before, SqliteRawRows.ReadEvents(DatabasePath, "org").Take(before.Count));
        // The spans: exactly the stretches of one org among the org-naming events, the last one (the appended org-x) open.
        Assert.Equal(SqliteOrgSpansTests.ExpectedSpans([.. before.Select(r => r.Org), "org-x"]), SqliteOrgSpansTests.ReadSpans(DatabasePath));
        // A process still running schema 3 fails loudly on the renamed column instead of appending events without runs.
        using var old = check.CreateCommand();
        old.CommandText = "INSERT INTO events (stream_id, version, event_uuid, type, data, metadata, org_id, created_at) VALUES ('x', 0, x'00', 't', '{}', '{}', 'org-x', 0)";
        Assert.Contains("org_id", Assert.Throws<SqliteException>(() => old.ExecuteNonQuery()).Message, StringComparison.Ordinal);
    }

    private Task<SqliteEventStore> OpenAsync() =>
        SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { DatabasePath = DatabasePath }, cancellationToken: Ct);
}
