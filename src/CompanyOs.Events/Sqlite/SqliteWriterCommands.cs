using System.Globalization;
using System.Text.Json;
using CompanyOs.Events.Appending;
using CompanyOs.Events.Serialization;
using Microsoft.Data.Sqlite;

namespace CompanyOs.Events.Sqlite;

/// <summary>The writer connection's prepared statements, and one append executed with them inside an open transaction.</summary>
internal sealed class SqliteWriterCommands : IDisposable
{
    private readonly SqliteCommand _lookup;
    private readonly SqliteCommand _head;
    private readonly SqliteCommand _insert;
    private readonly SqliteCommand _upsertStream;
    private readonly SqliteCommand _begin;
    private readonly SqliteCommand _commit;

    public SqliteWriterCommands(SqliteConnection connection)
    {
        // One round: the stream's version (no row = no stream) and which of the batch's ids it already holds.
        _lookup = Create(
            connection,
            """
            SELECT s.version, e.event_id, e.version, e.position FROM streams s
            LEFT JOIN events e ON e.stream_id = s.stream_id AND e.event_id IN (SELECT value FROM json_each($ids))
            WHERE s.stream_id = $s
            """,
            "$s",
            "$ids");
        _head = Create(connection, "SELECT COALESCE(MAX(position), 0) FROM events");
        _begin = Create(connection, "BEGIN IMMEDIATE");
        _commit = Create(connection, "COMMIT");
        _insert = Create(
            connection,
            """
            INSERT INTO events (position, stream_id, version, event_id, type, data, metadata, org_id, created_at)
            VALUES ($p, $s, $v, $id, $type, $data, $meta, $org, $at)
            """,
            "$p", "$s", "$v", "$id", "$type", "$data", "$meta", "$org", "$at");
        _upsertStream = Create(
            connection,
            """
            INSERT INTO streams (stream_id, version, org_id, created_at, updated_at) VALUES ($s, $v, $org, $at, $at)
            ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at,
                org_id = COALESCE(streams.org_id, excluded.org_id)
            """,
            "$s", "$v", "$org", "$at");
    }

    /// <summary>Takes SQLite's write lock (waiting up to busy_timeout for other processes).</summary>
    public void Begin() => _begin.ExecuteNonQuery();

    public void Commit() => _commit.ExecuteNonQuery();

    /// <summary>The last global position, read inside the write transaction (no other writer can move it until commit).</summary>
    public long ReadHead() => (long)_head.ExecuteScalar()!;

    /// <summary>
    /// Runs one append in the caller's transaction, advancing <paramref name="head"/>. Returns the result and whether
    /// anything was written. Conflicts are detected before any write, so a conflicting append leaves the transaction untouched.
    /// </summary>
    /// <exception cref="ConcurrencyException">The expected version does not match.</exception>
    public (AppendResult Result, bool Wrote) Append(SqliteAppendRequest request, long nowMicros, ref long head)
    {
        var (current, existing) = Lookup(request);
        var plan = AppendPlan.Decide(request.StreamId, request.Expected, current, request.Events, existing);
        if (plan.AlreadyStored is { } stored)
        {
            return (stored, false);
        }

        var position = head;
        var version = plan.FirstVersion;
        string? org = null;
        var p = _insert.Parameters;
        foreach (var e in plan.ToWrite)
        {
            p[0].Value = ++position;
            p[1].Value = request.StreamId;
            p[2].Value = version++;
            p[3].Value = e.EventId.ToString("D");
            p[4].Value = e.Type;
            p[5].Value = e.DataJson;
            p[6].Value = e.MetadataJson;
            p[7].Value = (object?)e.OrgId ?? DBNull.Value;
            p[8].Value = nowMicros;
            _insert.ExecuteNonQuery();
            org ??= e.OrgId;
        }

        var u = _upsertStream.Parameters;
        u[0].Value = request.StreamId;
        u[1].Value = version - 1;
        u[2].Value = (object?)org ?? DBNull.Value;
        u[3].Value = nowMicros;
        _upsertStream.ExecuteNonQuery();
        head = position;
        return (new AppendResult(version - 1, position), true);
    }

    public void Dispose()
    {
        _lookup.Dispose();
        _head.Dispose();
        _insert.Dispose();
        _upsertStream.Dispose();
        _begin.Dispose();
        _commit.Dispose();
    }

    private (long? Current, Dictionary<Guid, StoredEventRef> Existing) Lookup(SqliteAppendRequest request)
    {
        var ids = new string[request.Events.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = request.Events[i].EventId.ToString("D");
        }

        _lookup.Parameters[0].Value = request.StreamId;
        _lookup.Parameters[1].Value = JsonSerializer.Serialize(ids, EventsJsonContext.Default.StringArray);
        long? current = null;
        var existing = new Dictionary<Guid, StoredEventRef>();
        using var reader = _lookup.ExecuteReader();
        while (reader.Read())
        {
            current = reader.GetInt64(0);
            if (!reader.IsDBNull(1))
            {
                existing[Guid.Parse(reader.GetString(1), CultureInfo.InvariantCulture)] = new StoredEventRef(reader.GetInt64(2), reader.GetInt64(3));
            }
        }

        return (current, existing);
    }

    private static SqliteCommand Create(SqliteConnection connection, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        return command;
    }
}
