using System.Globalization;
using CompanyOs.Events.Serialization;
using CompanyOs.Events.Sqlite;
using Microsoft.Data.Sqlite;

namespace CompanyOs.Events.Tests.Sqlite;

/// <summary>
/// A frozen file written by the shipped schema-2 store (<c>Fixtures/schema2-events.sqlite</c>: 1,038 events in 14 streams,
/// batches and single appends, streams with and without an org, metadata with extras, unicode stream ids and data; event
/// ids stored as 36-character text) upgrades on open to schema 3 (ids as 16-byte BLOBs, the events table rebuilt) and on to 5 losing
/// nothing: every stored row is read before the upgrade and compared, column by column, with what the store reads after it.
/// </summary>
public sealed class SqliteSchema2MigrationTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string DatabasePath => Path.Combine(_directory.Path, "events.db");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_frozen_schema_2_file_upgrades_to_binary_ids_keeping_every_event_position_version_and_stream()
    {
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Sqlite", "Fixtures", "schema2-events.sqlite"), DatabasePath);
        Assert.Equal("1,2", SchemaVersions());
        var before = ReadRawEvents();
        var streamsBefore = ReadRawStreams();
        Assert.Equal(1038, before.Count);
        Assert.All(before, row => Assert.IsType<string>(row.EventId));

        using (var store = await OpenAsync())
        {
            // Every event, through the store: position, stream, version, id, type, data text, metadata and time.
            var all = await store.ReadAllAsync(cancellationToken: Ct).ToListAsync(Ct);
            Assert.Equal(before.Count, all.Count);
            for (var i = 0; i < all.Count; i++)
            {
                var (row, e) = (before[i], all[i]);
                Assert.Equal(row.Position, e.Position);
                Assert.Equal(row.StreamId, e.StreamId);
                Assert.Equal(row.Version, e.Version);
                Assert.Equal(Guid.Parse((string)row.EventId, CultureInfo.InvariantCulture), e.EventId);
                Assert.Equal(row.Type, e.Type);
                Assert.Equal(row.Data, e.Data.GetRawText());
                Assert.Equal(Describe(MetadataJson.Read(row.Metadata, out _)), Describe(e.Metadata));
                Assert.Equal(row.OrgId, e.Metadata.OrgId);
                Assert.Equal(UnixMicros.ToDateTimeOffset(row.CreatedAt), e.Timestamp);
            }

            // Every stream: its version, its events in version order, its listing (org, created, latest append).
            var byStream = before.GroupBy(r => r.StreamId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
            Assert.Equal(streamsBefore.Keys.Order(StringComparer.Ordinal), byStream.Keys.Order(StringComparer.Ordinal));
            foreach (var (stream, rows) in byStream)
            {
                Assert.Equal(rows[^1].Version, await store.GetStreamVersionAsync(stream, Ct));
                Assert.Equal(rows.Select(r => r.Position), await store.ReadStreamAsync(stream, cancellationToken: Ct).Select(e => e.Position).ToListAsync(Ct));
            }

            var listed = await store.ListStreamsAsync("", cancellationToken: Ct).ToListAsync(Ct);
            Assert.Equal(
                streamsBefore.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => new StreamInfo(
                    s.Key, byStream[s.Key][^1].Version, UnixMicros.ToDateTimeOffset(s.Value.CreatedAt), UnixMicros.ToDateTimeOffset(byStream[s.Key][^1].CreatedAt))),
                listed);
            foreach (var org in streamsBefore.Values.Select(s => s.OrgId).Distinct())
            {
                Assert.Equal(
                    streamsBefore.Where(s => s.Value.OrgId == org).Select(s => s.Key).Order(StringComparer.Ordinal),
                    await store.ListStreamsAsync("", orgId: org, Ct).Select(s => s.StreamId).ToListAsync(Ct));
                Assert.Equal(
                    before.Where(r => r.OrgId == org).Select(r => r.Position),
                    await store.ReadAllAsync(filter: new EventFilter { OrgId = org }, cancellationToken: Ct).Select(e => e.Position).ToListAsync(Ct));
            }

            // Idempotency holds across the upgrade: re-sending each stream's stored events (ids stored as text before) is
            // answered with their stored result and writes nothing, whatever the expected version says.
            foreach (var (stream, rows) in byStream)
            {
                var retry = rows.Select(r => new EventData(
                    Guid.Parse((string)r.EventId, CultureInfo.InvariantCulture), r.Type, System.Text.Json.JsonElement.Parse(r.Data), EventMetadata.Empty)).ToArray();
                Assert.Equal(new AppendResult(rows[^1].Version, rows[^1].Position), await store.AppendAsync(stream, ExpectedVersion.NoStream, retry, Ct));
            }

            // New appends continue after the stored events.
            var head = before[^1].Position;
            var last = byStream["run:1"][^1];
            Assert.Equal(
                new AppendResult(last.Version + 1, head + 1),
                await store.AppendAsync("run:1", ExpectedVersion.Exactly(last.Version), [new EventData(Guid.NewGuid(), "t", System.Text.Json.JsonElement.Parse("{}"), EventMetadata.Empty)], Ct));
        }

        // The file: schema 5 (through 3 and 4), every id now its 16 bytes (the same GUID), the indexes the reads and the
        // idempotency use, the org column renamed (schema 4).
        Assert.Equal("1,2,3,4,5", SchemaVersions());
        var after = ReadRawEvents("event_uuid", "org");
        Assert.Equal(before.Count + 1, after.Count);
        for (var i = 0; i < before.Count; i++)
        {
            var bytes = Assert.IsType<byte[]>(after[i].EventId);
            Assert.Equal(Guid.Parse((string)before[i].EventId, CultureInfo.InvariantCulture), new Guid(bytes, bigEndian: true));
            Assert.Equal(before[i] with { EventId = "" }, after[i] with { EventId = "" });
        }

        Assert.IsType<byte[]>(after[^1].EventId);
        using var connection = SqliteRawRows.Open(DatabasePath);
        // A process still running schema 2 fails loudly on its statements' old column instead of writing text ids.
        using (var old = connection.CreateCommand())
        {
            old.CommandText = "INSERT INTO events (stream_id, version, event_id, type, data, metadata, org_id, created_at) VALUES ('x', 0, 'id', 't', '{}', '{}', NULL, 0)";
            Assert.Contains("event_id", Assert.Throws<SqliteException>(() => old.ExecuteNonQuery()).Message, StringComparison.Ordinal);
        }

        Assert.Equal("ok", SqliteRawRows.Scalar(connection, "PRAGMA integrity_check"));
        Assert.Equal(
            "sqlite_autoindex_events_1,sqlite_autoindex_events_2",
            SqliteRawRows.Scalar(connection, "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' ORDER BY name)"));
        Assert.Equal(
            "events_append_only_delete,events_append_only_update,org_spans_append_only_delete,org_spans_close_only",
            SqliteRawRows.Scalar(connection, "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name)"));
        // The org filter's read (SqliteEventQueries.ReadAllPage's shape) walks the org's spans by their key and each span's
        // events by position, without sorting (so a page stops after its rows). SqliteSchema4MigrationTests: the spans.
        using var plan = connection.CreateCommand();
        plan.CommandText = """
            EXPLAIN QUERY PLAN SELECT e.position FROM org_spans r CROSS JOIN events e WHERE r.org_id = 'org-1'
            AND r.first_position >= COALESCE((SELECT MAX(first_position) FROM org_spans WHERE org_id = 'org-1' AND first_position <= 0), 0)
            AND r.first_position <= 2000 AND r.last_position > 0
            AND e.position >= max(r.first_position, 1) AND e.position <= min(r.last_position, 2000) AND e.org = 'org-1'
            ORDER BY r.first_position, e.position LIMIT 512
            """;
        using var steps = plan.ExecuteReader();
        var details = new List<string>();
        while (steps.Read())
        {
            details.Add(steps.GetString(3));
        }

        Assert.Contains(details, d => d.StartsWith("SEARCH r USING PRIMARY KEY (org_id=?", StringComparison.Ordinal));
        Assert.Contains(details, d => d.StartsWith("SEARCH e USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)", StringComparison.Ordinal));
        Assert.DoesNotContain(details, d => d.Contains("TEMP B-TREE", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ids_that_hand_written_rows_held_in_another_form_are_kept_and_read_back_as_before()
    {
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Sqlite", "Fixtures", "schema2-events.sqlite"), DatabasePath);
        var braced = Guid.NewGuid();
        var upper = Guid.NewGuid();
        using (var connection = SqliteRawRows.Open(DatabasePath))
        {
            foreach (var (n, id) in new[] { (0, "not-a-guid"), (1, braced.ToString("B")), (2, upper.ToString("D").ToUpperInvariant()) })
            {
                using var insert = connection.CreateCommand();
                insert.CommandText = "INSERT INTO events (stream_id, version, event_id, type, data, metadata, org_id, created_at) VALUES ('hand', $v, $id, 't', '{}', '{}', NULL, 0)";
                insert.Parameters.AddWithValue("$v", n);
                insert.Parameters.AddWithValue("$id", id);
                insert.ExecuteNonQuery();
            }
        }

        using (var store = await OpenAsync())
        {
            var hand = await store.ReadStreamAsync("hand", cancellationToken: Ct).ToListAsync(Ct);
            Assert.Equal([Guid.Empty, braced, upper], hand.Select(e => e.EventId));
        }

        using var check = SqliteRawRows.Open(DatabasePath);
        Assert.Equal("text,text,blob", SqliteRawRows.Scalar(check, "SELECT group_concat(t) FROM (SELECT typeof(event_uuid) AS t FROM events WHERE stream_id = 'hand' ORDER BY version)"));
        Assert.Equal("not-a-guid", SqliteRawRows.Scalar(check, "SELECT event_uuid FROM events WHERE stream_id = 'hand' AND version = 0"));
    }

    private static string Describe(EventMetadata m) =>
        $"{m.OrgId}|{m.CorrelationId}|{m.CausationId}|{m.Actor}|{string.Join(",", (m.Extra ?? new Dictionary<string, string>()).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "=" + p.Value))}";

    private Task<SqliteEventStore> OpenAsync() =>
        SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { DatabasePath = DatabasePath }, cancellationToken: Ct);

    private string? SchemaVersions()
    {
        using var connection = SqliteRawRows.Open(DatabasePath);
        return SqliteRawRows.Scalar(connection, "SELECT group_concat(version) FROM (SELECT version FROM schema_version ORDER BY version)");
    }

    /// <summary>Every row as stored; the id from <c>event_id</c> (text, schemas 1 and 2) or <c>event_uuid</c> (schema 3).</summary>
    private List<RawEvent> ReadRawEvents(string idColumn = "event_id", string orgColumn = "org_id")
    {
        using var connection = SqliteRawRows.Open(DatabasePath);
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT position, stream_id, version, {idColumn}, type, data, metadata, {orgColumn}, created_at FROM events ORDER BY position";
        using var reader = command.ExecuteReader();
        var rows = new List<RawEvent>();
        while (reader.Read())
        {
            rows.Add(new RawEvent(
                reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetValue(3), reader.GetString(4), reader.GetString(5),
                reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7), reader.GetInt64(8)));
        }

        return rows;
    }

    private Dictionary<string, (string? OrgId, long CreatedAt)> ReadRawStreams()
    {
        using var connection = SqliteRawRows.Open(DatabasePath);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT stream_id, org_id, created_at FROM streams";
        using var reader = command.ExecuteReader();
        var streams = new Dictionary<string, (string?, long)>(StringComparer.Ordinal);
        while (reader.Read())
        {
            streams[reader.GetString(0)] = (reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt64(2));
        }

        return streams;
    }

    private sealed record RawEvent(
        long Position, string StreamId, long Version, object EventId, string Type, string Data, string Metadata, string? OrgId, long CreatedAt);
}
