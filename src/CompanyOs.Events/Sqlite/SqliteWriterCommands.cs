using System.Globalization;
using System.Text.Json;
using CompanyOs.Events.Appending;
using CompanyOs.Events.Serialization;
using Microsoft.Data.Sqlite;

namespace CompanyOs.Events.Sqlite;

/// <summary>
/// The writer connection's prepared statements, and one append executed with them inside an open transaction and the
/// append's own savepoint (<see cref="Savepoint"/>), so that one append can be undone without touching the others of its group.
/// </summary>
internal sealed class SqliteWriterCommands : IDisposable
{
    private static readonly Dictionary<Guid, StoredEventRef> NoneStored = [];

    private readonly SqliteCommand _version;
    private readonly SqliteCommand _lookup;
    private readonly SqliteCommand _head;
    private readonly SqliteCommand _insert;
    private readonly SqliteCommand _upsertStream;
    private readonly SqliteCommand _advanceStream;
    private readonly SqliteCommand _begin;
    private readonly SqliteCommand _commit;
    private readonly SqliteCommand _savepoint;
    private readonly SqliteCommand _release;
    private readonly SqliteCommand _rollbackTo;

    public SqliteWriterCommands(SqliteConnection connection)
    {
        _version = Create(connection, "SELECT version, org_id IS NULL FROM streams WHERE stream_id = $s", "$s");
        // Which of the batch's ids the stream already holds (only asked when an append may be a retry).
        _lookup = Create(
            connection,
            "SELECT event_id, version, position FROM events WHERE stream_id = $s AND event_id IN (SELECT value FROM json_each($ids))",
            "$s",
            "$ids");
        _head = Create(connection, "SELECT COALESCE(MAX(position), 0) FROM events");
        _begin = Create(connection, "BEGIN IMMEDIATE");
        _commit = Create(connection, "COMMIT");
        _savepoint = Create(connection, "SAVEPOINT append");
        _release = Create(connection, "RELEASE append");
        _rollbackTo = Create(connection, "ROLLBACK TO append");
        // An id the stream already holds inserts nothing (0 rows): the append is then decided with the stored ids in hand.
        _insert = Create(
            connection,
            """
            INSERT INTO events (position, stream_id, version, event_id, type, data, metadata, org_id, created_at)
            VALUES ($p, $s, $v, $id, $type, $data, $meta, $org, $at)
            ON CONFLICT (stream_id, event_id) DO NOTHING
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
        // The usual case, a stream that exists and whose org is settled: leaves the org index alone (one page less per commit).
        _advanceStream = Create(connection, "UPDATE streams SET version = $v, updated_at = $at WHERE stream_id = $s", "$s", "$v", "$at");
    }

    /// <summary>Takes SQLite's write lock (waiting up to busy_timeout for other processes).</summary>
    public void Begin() => _begin.ExecuteNonQuery();

    public void Commit() => _commit.ExecuteNonQuery();

    /// <summary>Opens the savepoint one append runs in.</summary>
    public void Savepoint() => _savepoint.ExecuteNonQuery();

    /// <summary>Keeps the append's writes in the transaction.</summary>
    public void Release() => _release.ExecuteNonQuery();

    /// <summary>
    /// Undoes everything the append wrote and closes its savepoint; false when that is not possible (the error that
    /// stopped the append also ended the transaction), so the whole group must fail.
    /// </summary>
    public bool TryUndo()
    {
        try
        {
            _rollbackTo.ExecuteNonQuery();
            _release.ExecuteNonQuery();
            return true;
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    /// <summary>The last global position, read inside the write transaction (no other writer can move it until commit).</summary>
    public long ReadHead() => (long)_head.ExecuteScalar()!;

    /// <summary>
    /// Runs one append inside its savepoint, advancing <paramref name="head"/>. Returns the result and whether anything was
    /// written. When the expected version holds, the events are inserted straight away; only when one of their ids is
    /// already stored (a retry), or the expected version does not hold on an existing stream, are the stored ids looked up
    /// and the append decided by <see cref="AppendPlan"/> — so the common append does not pay for the idempotency look-up.
    /// </summary>
    /// <exception cref="ConcurrencyException">The expected version does not match (the caller rolls back to the savepoint).</exception>
    public (AppendResult Result, bool Wrote) Append(SqliteAppendRequest request, long nowMicros, ref long head)
    {
        var (current, orgMissing) = ReadStream(request.StreamId);
        if (AppendPlan.Matches(request.Expected, current))
        {
            if (TryWrite(request.StreamId, request.Events, (current ?? -1) + 1, current is not null && !orgMissing, nowMicros, ref head) is { } written)
            {
                return (written, true);
            }

            // Some id is already stored: undo what this append inserted and decide with the stored ids.
            _rollbackTo.ExecuteNonQuery();
        }

        // A stream that does not exist holds no ids: the plan is then a plain conflict (or, for Any/NoStream, never reached).
        var existing = current is null ? NoneStored : Lookup(request);
        var plan = AppendPlan.Decide(request.StreamId, request.Expected, current, request.Events, existing);
        if (plan.AlreadyStored is { } stored)
        {
            return (stored, false);
        }

        return TryWrite(request.StreamId, plan.ToWrite, plan.FirstVersion, current is not null && !orgMissing, nowMicros, ref head) is { } result
            ? (result, true)
            : throw new EventStoreException($"Append to stream '{request.StreamId}': an event id not found by the idempotency look-up is already stored.");
    }

    public void Dispose()
    {
        _version.Dispose();
        _lookup.Dispose();
        _head.Dispose();
        _insert.Dispose();
        _upsertStream.Dispose();
        _advanceStream.Dispose();
        _begin.Dispose();
        _commit.Dispose();
        _savepoint.Dispose();
        _release.Dispose();
        _rollbackTo.Dispose();
    }

    /// <summary>
    /// Inserts <paramref name="events"/> from <paramref name="firstVersion"/> on and moves the stream row; null (head unchanged)
    /// when one of their ids is already stored. <paramref name="orgSettled"/>: the stream row exists and already names its org.
    /// </summary>
    private AppendResult? TryWrite(string streamId, IReadOnlyList<PreparedEvent> events, long firstVersion, bool orgSettled, long nowMicros, ref long head)
    {
        var position = head;
        var version = firstVersion;
        string? org = null;
        var p = _insert.Parameters;
        p[1].Value = streamId;
        p[8].Value = nowMicros;
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            p[0].Value = ++position;
            p[2].Value = version++;
            p[3].Value = e.EventId.ToString("D");
            p[4].Value = e.Type;
            p[5].Value = e.DataJson;
            p[6].Value = e.MetadataJson;
            p[7].Value = (object?)e.OrgId ?? DBNull.Value;
            if (_insert.ExecuteNonQuery() == 0)
            {
                return null;
            }

            org ??= e.OrgId;
        }

        if (orgSettled || (org is null && firstVersion > 0))
        {
            var a = _advanceStream.Parameters;
            a[0].Value = streamId;
            a[1].Value = version - 1;
            a[2].Value = nowMicros;
            _advanceStream.ExecuteNonQuery();
        }
        else
        {
            var u = _upsertStream.Parameters;
            u[0].Value = streamId;
            u[1].Value = version - 1;
            u[2].Value = (object?)org ?? DBNull.Value;
            u[3].Value = nowMicros;
            _upsertStream.ExecuteNonQuery();
        }
        head = position;
        return new AppendResult(version - 1, position);
    }

    /// <summary>The stream's version (null: no stream) and whether its row names no org yet.</summary>
    private (long? Version, bool OrgMissing) ReadStream(string streamId)
    {
        _version.Parameters[0].Value = streamId;
        using var reader = _version.ExecuteReader();
        return reader.Read() ? (reader.GetInt64(0), reader.GetInt64(1) != 0) : (null, true);
    }

    private Dictionary<Guid, StoredEventRef> Lookup(SqliteAppendRequest request)
    {
        var ids = new string[request.Events.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = request.Events[i].EventId.ToString("D");
        }

        _lookup.Parameters[0].Value = request.StreamId;
        _lookup.Parameters[1].Value = JsonSerializer.Serialize(ids, EventsJsonContext.Default.StringArray);
        var existing = new Dictionary<Guid, StoredEventRef>();
        using var reader = _lookup.ExecuteReader();
        while (reader.Read())
        {
            existing[Guid.Parse(reader.GetString(0), CultureInfo.InvariantCulture)] = new StoredEventRef(reader.GetInt64(1), reader.GetInt64(2));
        }

        return existing;
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
