using System.Globalization;
using System.Text.Json;
using CompanyOs.Events.Appending;
using CompanyOs.Events.Serialization;
using Microsoft.Data.Sqlite;

namespace CompanyOs.Events.Sqlite;

/// <summary>The writer connection's prepared statements, and one append executed with them inside an open transaction.</summary>
internal sealed class SqliteWriterCommands : IDisposable
{
    private readonly SqliteCommand _streamVersion;
    private readonly SqliteCommand _existing;
    private readonly SqliteCommand _head;
    private readonly SqliteCommand _insert;
    private readonly SqliteCommand _upsertStream;

    public SqliteWriterCommands(SqliteConnection connection)
    {
        _streamVersion = Create(connection, "SELECT version FROM streams WHERE stream_id = $s", "$s");
        _existing = Create(
            connection,
            "SELECT event_id, version, position FROM events WHERE stream_id = $s AND event_id IN (SELECT value FROM json_each($ids))",
            "$s",
            "$ids");
        _head = Create(connection, "SELECT COALESCE(MAX(position), 0) FROM events");
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

    /// <summary>Runs one append in the caller's transaction. Returns the result and whether anything was written.</summary>
    /// <exception cref="ConcurrencyException">The expected version does not match.</exception>
    public (AppendResult Result, bool Wrote) Append(SqliteAppendRequest request, long nowMicros)
    {
        _streamVersion.Parameters[0].Value = request.StreamId;
        var current = _streamVersion.ExecuteScalar() is long v ? v : (long?)null;
        var existing = current is null ? new Dictionary<Guid, StoredEventRef>() : FindExisting(request);
        var plan = AppendPlan.Decide(request.StreamId, request.Expected, current, request.Events, existing);
        if (plan.AlreadyStored is { } stored)
        {
            return (stored, false);
        }

        var position = (long)_head.ExecuteScalar()!;
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
        return (new AppendResult(version - 1, position), true);
    }

    public void Dispose()
    {
        _streamVersion.Dispose();
        _existing.Dispose();
        _head.Dispose();
        _insert.Dispose();
        _upsertStream.Dispose();
    }

    private Dictionary<Guid, StoredEventRef> FindExisting(SqliteAppendRequest request)
    {
        var ids = new string[request.Events.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = request.Events[i].EventId.ToString("D");
        }

        _existing.Parameters[0].Value = request.StreamId;
        _existing.Parameters[1].Value = JsonSerializer.Serialize(ids, EventsJsonContext.Default.StringArray);
        var found = new Dictionary<Guid, StoredEventRef>();
        using var reader = _existing.ExecuteReader();
        while (reader.Read())
        {
            found[Guid.Parse(reader.GetString(0), CultureInfo.InvariantCulture)] = new StoredEventRef(reader.GetInt64(1), reader.GetInt64(2));
        }

        return found;
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
