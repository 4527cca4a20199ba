using System.Text.Json;
using CompanyOs.Events.Sqlite;
using Microsoft.Data.Sqlite;

namespace CompanyOs.Events.Tests.Sqlite;

/// <summary>
/// A file created and written by the schema-1 store (a <c>streams</c> row holding the version and latest append time,
/// rewritten by every append) upgrades in place on open through schema 2 (the version and time read from the stream's last
/// event) to schema 3 (event ids as 16-byte BLOBs), losing nothing: every event, position, version, org and time stays,
/// retries of the stored events are recognised, and appends continue after them. (A frozen schema-2 file:
/// <see cref="SqliteSchema2MigrationTests"/>.)
/// </summary>
public sealed class SqliteMigrationTests : IDisposable
{
    /// <summary>Schema version 1 exactly as it shipped, with the version table the store keeps.</summary>
    private const string SchemaV1 = """
        CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY, applied_at INTEGER NOT NULL);
        CREATE TABLE events (
            position   INTEGER PRIMARY KEY,
            stream_id  TEXT    NOT NULL,
            version    INTEGER NOT NULL,
            event_id   TEXT    NOT NULL,
            type       TEXT    NOT NULL,
            data       TEXT    NOT NULL,
            metadata   TEXT    NOT NULL,
            org_id     TEXT,
            created_at INTEGER NOT NULL,
            UNIQUE (stream_id, version),
            UNIQUE (stream_id, event_id)
        );
        CREATE INDEX events_by_org ON events (org_id, position) WHERE org_id IS NOT NULL;
        CREATE TABLE streams (
            stream_id  TEXT    NOT NULL PRIMARY KEY,
            version    INTEGER NOT NULL,
            org_id     TEXT,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX streams_by_org ON streams (org_id, stream_id) WHERE org_id IS NOT NULL;
        CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
        CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
        INSERT INTO schema_version (version, applied_at) VALUES (1, 0);
        """;

    /// <summary>One event appended the way the schema-1 store did: the event row, and the stream row upserted with it.</summary>
    private const string AppendV1 = """
        INSERT INTO events (position, stream_id, version, event_id, type, data, metadata, org_id, created_at)
        VALUES ((SELECT COALESCE(MAX(position), 0) + 1 FROM events), $s,
                COALESCE((SELECT version FROM streams WHERE stream_id = $s), -1) + 1, $id, 'test.numbered', $data, $meta, $org, $at);
        INSERT INTO streams (stream_id, version, org_id, created_at, updated_at)
        VALUES ($s, (SELECT MAX(version) FROM events WHERE stream_id = $s), $org, $at, $at)
        ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at,
            org_id = COALESCE(streams.org_id, excluded.org_id);
        """;

    private static readonly DateTimeOffset Start = new(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _directory = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string DatabasePath => Path.Combine(_directory.Path, "events.db");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_schema_1_file_upgrades_on_open_keeping_every_event_and_stream_and_appends_continue_after_them()
    {
        CreateV1();
        // "even" names its org from its first event; "odd" names none at first, then org-2 from its third event on.
        var written = new List<(string Stream, Guid Id, int N)>();
        for (var n = 0; n < 9; n++)
        {
            var stream = n % 2 == 0 ? "even" : "odd";
            var org = stream == "even" ? "org-1" : n >= 5 ? "org-2" : null;
            var id = Guid.NewGuid();
            AppendV1Row(stream, id, n, org, Start.AddMinutes(n));
            written.Add((stream, id, n));
        }

        using (var store = await OpenAsync())
        {
            var all = await store.ReadAllAsync(cancellationToken: Ct).ToListAsync(Ct);
            Assert.Equal(written.Select(w => w.Id), all.Select(e => e.EventId));
            Assert.Equal(Enumerable.Range(1, 9).Select(p => (long)p), all.Select(e => e.Position));
            Assert.Equal(Enumerable.Range(0, 9), all.Select(e => e.Data.GetProperty("n").GetInt32()));
            Assert.Equal(4, await store.GetStreamVersionAsync("even", Ct));
            Assert.Equal(3, await store.GetStreamVersionAsync("odd", Ct));
            Assert.Equal([0L, 1, 2, 3], await store.ReadStreamAsync("odd", cancellationToken: Ct).Select(e => e.Version).ToListAsync(Ct));

            // The listing reads the same versions and times the schema-1 rows held (created: first event; updated: last).
            var streams = await store.ListStreamsAsync("", cancellationToken: Ct).ToListAsync(Ct);
            Assert.Equal(
                [new StreamInfo("even", 4, Start, Start.AddMinutes(8)), new StreamInfo("odd", 3, Start.AddMinutes(1), Start.AddMinutes(7))],
                streams);
            Assert.Equal(["odd"], await store.ListStreamsAsync("", orgId: "org-2", Ct).Select(s => s.StreamId).ToListAsync(Ct));
            Assert.Equal(5, await store.ReadAllAsync(filter: new EventFilter { OrgId = "org-1" }, cancellationToken: Ct).CountAsync(Ct));

            // Appends continue after the stored events, with the expected version the stream had; a retry of an event
            // stored by the schema-1 store is recognised and answered with its stored result.
            Assert.Equal(new AppendResult(5, 10), await store.AppendAsync("even", ExpectedVersion.Exactly(4), [Numbered(Guid.NewGuid(), 9)], Ct));
            await Assert.ThrowsAsync<ConcurrencyException>(() => store.AppendAsync("odd", ExpectedVersion.Exactly(2), [Numbered(Guid.NewGuid(), 10)], Ct));
            Assert.Equal(new AppendResult(3, 8), await store.AppendAsync("odd", ExpectedVersion.Exactly(0), [Numbered(written[7].Id, 7)], Ct));
            Assert.Equal(new AppendResult(1, 12), await store.AppendAsync("new", ExpectedVersion.NoStream, [Numbered(Guid.NewGuid(), 11), Numbered(Guid.NewGuid(), 12)], Ct));
        }

        // Opening again (already migrated) changes nothing; the file says schema 5, every id stored as its 16 bytes.
        using (var reopened = await OpenAsync())
        {
            Assert.Equal(Enumerable.Range(1, 12).Select(p => (long)p), await reopened.ReadAllAsync(cancellationToken: Ct).Select(e => e.Position).ToListAsync(Ct));
            Assert.Equal(5, await reopened.GetStreamVersionAsync("even", Ct));
        }

        using var connection = SqliteRawRows.Open(DatabasePath);
        using var versions = connection.CreateCommand();
        versions.CommandText = "SELECT group_concat(version) FROM (SELECT version FROM schema_version ORDER BY version)";
        Assert.Equal("1,2,3,4,5", versions.ExecuteScalar());
        using var ids = connection.CreateCommand();
        ids.CommandText = "SELECT group_concat(DISTINCT typeof(event_uuid) || length(event_uuid)) FROM events";
        Assert.Equal("blob16", ids.ExecuteScalar());
    }

    [Fact]
    public async Task An_empty_schema_1_file_upgrades_and_starts_at_position_1()
    {
        CreateV1();
        using var store = await OpenAsync();
        Assert.Empty(await store.ListStreamsAsync("", cancellationToken: Ct).ToListAsync(Ct));
        Assert.Equal(new AppendResult(0, 1), await store.AppendAsync("s", ExpectedVersion.NoStream, [Numbered(Guid.NewGuid(), 0)], Ct));
        Assert.Equal(0, await store.GetStreamVersionAsync("s", Ct));
    }

    private static EventData Numbered(Guid id, int n) => new(id, "test.numbered", JsonElement.Parse($$"""{"n":{{n}}}"""), EventMetadata.Empty);

    private Task<SqliteEventStore> OpenAsync() =>
        SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { DatabasePath = DatabasePath }, cancellationToken: Ct);

    private void CreateV1()
    {
        using var connection = SqliteRawRows.Open(DatabasePath);
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL;" + SchemaV1;
        command.ExecuteNonQuery();
    }

    private void AppendV1Row(string stream, Guid id, int n, string? org, DateTimeOffset at)
    {
        using var connection = SqliteRawRows.Open(DatabasePath);
        using var tx = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = AppendV1;
        command.Parameters.AddWithValue("$s", stream);
        command.Parameters.AddWithValue("$id", id.ToString("D"));
        command.Parameters.AddWithValue("$data", $$"""{"n":{{n}}}""");
        command.Parameters.AddWithValue("$meta", org is null ? "{}" : $$"""{"org_id":"{{org}}"}""");
        command.Parameters.AddWithValue("$org", (object?)org ?? DBNull.Value);
        command.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds() * 1000);
        command.ExecuteNonQuery();
        tx.Commit();
    }
}
