using CompanyOs.Events;
using CompanyOs.Events.Appending;
using CompanyOs.Events.Postgres;
using CompanyOs.Testing;
using Npgsql;
using NpgsqlTypes;

namespace CompanyOs.Benchmarks.Events;

/// <summary>
/// BASELINE ONLY: the PostgreSQL appender as it was before positions came from a sequence (schema version 1), kept
/// verbatim so benchmarks can compare against it in the same run. Its schema is created by <see cref="CreateSchemaAsync"/>.
/// One append = one transaction. A per-stream advisory lock orders writers of the same stream (version check and
/// idempotency look-up see every earlier commit); the single-row <c>head</c> counter, locked by its UPDATE until commit,
/// hands out global positions in commit order, so a reader can never see position n+1 before position n.
/// </summary>
internal sealed class LegacyHeadRowAppender
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _lockAndReadSql;
    private readonly string _existingSql;
    private readonly string _writeSql;

    public LegacyHeadRowAppender(NpgsqlDataSource dataSource, string schema)
    {
        _dataSource = dataSource;
        var s = PostgresSchema.Quote(schema);
        _lockAndReadSql = $"SELECT pg_advisory_xact_lock({PostgresSchema.LockClass}, hashtext(@s)); SELECT version FROM {s}.streams WHERE stream_id = @s";
        _existingSql = $"SELECT event_id, version, position FROM {s}.events WHERE stream_id = @s AND event_id = ANY(@ids)";
        _writeSql = $"""
            WITH h AS (UPDATE {s}.head SET position = position + @n WHERE id = 1 RETURNING position),
            ins AS (
                INSERT INTO {s}.events (position, stream_id, version, event_id, type, data, metadata, org_id, created_at)
                SELECT h.position - @n + t.ord, @s, @v0 + t.ord - 1, t.id, t.type, t.data::jsonb, t.meta::jsonb, t.org, @at
                FROM h, unnest(@ids, @types, @datas, @metas, @orgs) WITH ORDINALITY AS t(id, type, data, meta, org, ord)),
            st AS (
                INSERT INTO {s}.streams AS cur (stream_id, version, org_id, created_at, updated_at) VALUES (@s, @vlast, @org, @at, @at)
                ON CONFLICT (stream_id) DO UPDATE SET version = EXCLUDED.version, updated_at = EXCLUDED.updated_at,
                    org_id = COALESCE(cur.org_id, EXCLUDED.org_id))
            SELECT position FROM h
            """;
    }

    /// <summary>Creates <paramref name="schema"/> with the version-1 tables (<see cref="PostgresSchemaV1"/>, shared with the migration tests).</summary>
    public static async Task CreateSchemaAsync(NpgsqlDataSource dataSource, string schema)
    {
        var s = PostgresSchema.Quote(schema);
        await using var command = dataSource.CreateCommand(PostgresSchemaV1.For("CREATE SCHEMA {s};\n" + PostgresSchemaV1.Tables, s));
        await command.ExecuteNonQueryAsync();
    }

    /// <exception cref="ConcurrencyException">The expected version does not match; nothing was written.</exception>
    public async Task<AppendResult> AppendAsync(
        string streamId, ExpectedVersion expected, PreparedEvent[] events, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        long? current;
        await using (var read = new NpgsqlCommand(_lockAndReadSql, connection, tx))
        {
            read.Parameters.AddWithValue("s", streamId);
            await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            current = await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? reader.GetInt64(0) : null;
        }

        var ids = events.Select(e => e.EventId).ToArray();
        var existing = current is null
            ? new Dictionary<Guid, StoredEventRef>()
            : await FindExistingAsync(connection, tx, streamId, ids, cancellationToken).ConfigureAwait(false);
        var plan = AppendPlan.Decide(streamId, expected, current, events, existing);
        if (plan.AlreadyStored is { } stored)
        {
            return stored;
        }

        var toWrite = plan.ToWrite;
        var lastVersion = plan.FirstVersion + toWrite.Count - 1;
        await using var write = new NpgsqlCommand(_writeSql, connection, tx);
        write.Parameters.AddWithValue("n", (long)toWrite.Count);
        write.Parameters.AddWithValue("s", streamId);
        write.Parameters.AddWithValue("v0", plan.FirstVersion);
        write.Parameters.AddWithValue("vlast", lastVersion);
        write.Parameters.AddWithValue("at", now);
        write.Parameters.AddWithValue("org", NpgsqlDbType.Text, (object?)toWrite.Select(e => e.OrgId).FirstOrDefault(o => o is not null) ?? DBNull.Value);
        write.Parameters.AddWithValue("ids", toWrite.Select(e => e.EventId).ToArray());
        write.Parameters.AddWithValue("types", toWrite.Select(e => e.Type).ToArray());
        write.Parameters.AddWithValue("datas", toWrite.Select(e => e.DataJson).ToArray());
        write.Parameters.AddWithValue("metas", toWrite.Select(e => e.MetadataJson).ToArray());
        write.Parameters.AddWithValue("orgs", NpgsqlDbType.Array | NpgsqlDbType.Text, toWrite.Select(e => e.OrgId).ToArray());
        var head = (long)(await write.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;

        // Past this point the outcome is decided by the commit alone: do not let a late cancellation leave it unknown.
        await tx.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        return new AppendResult(lastVersion, head);
    }

    private async Task<Dictionary<Guid, StoredEventRef>> FindExistingAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, string streamId, Guid[] ids, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(_existingSql, connection, tx);
        command.Parameters.AddWithValue("s", streamId);
        command.Parameters.AddWithValue("ids", ids);
        var found = new Dictionary<Guid, StoredEventRef>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            found[reader.GetGuid(0)] = new StoredEventRef(reader.GetInt64(1), reader.GetInt64(2));
        }

        return found;
    }
}
