using System.Text.Json;
using CompanyOs.Events.Postgres;
using Npgsql;

namespace CompanyOs.Events.Tests.Postgres;

/// <summary>A database created and written by the schema-1 store (one-row head) upgrades in place on open, losing nothing.</summary>
public sealed class PostgresMigrationTests : IAsyncLifetime
{
    /// <summary>
    /// Schema version 1 exactly as it shipped (tables from <see cref="PostgresSchemaV1"/>, shared with the benchmarks' baseline,
    /// plus its version table and append-only trigger), and the append it did (head row handing out positions).
    /// </summary>
    private const string SchemaV1 = """
        CREATE SCHEMA {s};
        CREATE TABLE {s}.schema_version (version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
        """ + "\n" + PostgresSchemaV1.Tables + "\n" + """
        CREATE FUNCTION {s}.events_append_only() RETURNS trigger LANGUAGE plpgsql
            AS $$ BEGIN RAISE EXCEPTION 'events are append-only'; END $$;
        CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {s}.events
            FOR EACH STATEMENT EXECUTE FUNCTION {s}.events_append_only();
        INSERT INTO {s}.schema_version (version) VALUES (1);
        """;

    private const string AppendV1 = """
        WITH h AS (UPDATE {s}.head SET position = position + 1 WHERE id = 1 RETURNING position),
        v AS (SELECT COALESCE((SELECT version FROM {s}.streams WHERE stream_id = @s), -1) + 1 AS version),
        ins AS (INSERT INTO {s}.events (position, stream_id, version, event_id, type, data, metadata, org_id, created_at)
                SELECT h.position, @s, v.version, @id, 'test.numbered', @data::jsonb, '{"org_id":"org-1"}'::jsonb, 'org-1', now() FROM h, v)
        INSERT INTO {s}.streams (stream_id, version, org_id, created_at, updated_at) SELECT @s, v.version, 'org-1', now(), now() FROM v
        ON CONFLICT (stream_id) DO UPDATE SET version = EXCLUDED.version, updated_at = EXCLUDED.updated_at
        """;

    private readonly string _schema = TestPostgres.NewSchema();
    private NpgsqlDataSource _raw = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _raw = NpgsqlDataSource.Create(TestPostgres.ConnectionString);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _raw.DisposeAsync();
        await TestPostgres.DropSchemaAsync(_schema);
    }

    [Fact]
    public async Task A_schema_1_database_upgrades_on_open_keeping_every_event_and_appends_continue_after_them()
    {
        await ExecuteAsync(SchemaV1);
        var written = new List<(string Stream, Guid Id, int N)>();
        for (var n = 0; n < 7; n++)
        {
            var stream = n % 2 == 0 ? "even" : "odd";
            var id = Guid.NewGuid();
            await ExecuteAsync(AppendV1, ("s", stream), ("id", id), ("data", $$"""{"n":{{n}}}"""));
            written.Add((stream, id, n));
        }

        await using (var store = await OpenAsync())
        {
            var all = await store.ReadAllAsync(cancellationToken: Ct).ToListAsync(Ct);
            Assert.Equal(written.Select(w => w.Id), all.Select(e => e.EventId));
            Assert.Equal(Enumerable.Range(1, 7).Select(p => (long)p), all.Select(e => e.Position));
            Assert.All(all, e => Assert.Equal("org-1", e.Metadata.OrgId));
            Assert.Equal(3, await store.GetStreamVersionAsync("even", Ct));

            var next = await store.AppendAsync("even", ExpectedVersion.Exactly(3), [Numbered(7)], Ct);
            Assert.Equal(new AppendResult(4, 8), next);
            var other = await store.AppendAsync("new", ExpectedVersion.NoStream, [Numbered(8), Numbered(9)], Ct);
            Assert.Equal(10, other.LastPosition);

            // The head row is gone, so a process still running the old code fails loudly instead of reusing positions.
            var old = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(AppendV1, ("s", "even"), ("id", Guid.NewGuid()), ("data", "{}")));
            Assert.Equal(PostgresErrorCodes.UndefinedTable, old.SqlState);
        }

        // Opening again (already migrated) changes nothing.
        await using var reopened = await OpenAsync();
        var after = await reopened.ReadAllAsync(cancellationToken: Ct).ToListAsync(Ct);
        Assert.Equal(Enumerable.Range(0, 10), after.Select(e => e.Data.GetProperty("n").GetInt32()));
        Assert.Equal(Enumerable.Range(1, 10).Select(p => (long)p), after.Select(e => e.Position));
        Assert.Equal([0L, 1, 2, 3, 4], await reopened.ReadStreamAsync("even", cancellationToken: Ct).Select(e => e.Version).ToListAsync(Ct));
        await using var versions = _raw.CreateCommand($"SELECT array_agg(version ORDER BY version) FROM \"{_schema}\".schema_version");
        var applied = (int[])(await versions.ExecuteScalarAsync(Ct))!;
        Assert.Equal(new[] { 1, 2 }, applied);
    }

    [Fact]
    public async Task An_empty_schema_1_database_upgrades_and_starts_at_position_1()
    {
        await ExecuteAsync(SchemaV1);
        await using var store = await OpenAsync();
        Assert.Empty(await store.ReadAllAsync(cancellationToken: Ct).ToListAsync(Ct));
        Assert.Equal(1, (await store.AppendAsync("s", ExpectedVersion.NoStream, [Numbered(0)], Ct)).LastPosition);
    }

    private static EventData Numbered(int n) => new(Guid.NewGuid(), "test.numbered", JsonElement.Parse($$"""{"n":{{n}}}"""), EventMetadata.Empty);

    private Task<PostgresEventStore> OpenAsync() => PostgresEventStore.OpenAsync(
        new PostgresEventStoreOptions { ConnectionString = TestPostgres.ConnectionString, Schema = _schema }, cancellationToken: Ct);

    private async Task ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = _raw.CreateCommand(sql.Replace("{s}", $"\"{_schema}\"", StringComparison.Ordinal));
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync(Ct);
    }
}
