using System.Globalization;
using System.Text.Json;
using CompanyOs.Events.Appending;
using CompanyOs.Events.Serialization;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace CompanyOs.Events.Sqlite;

/// <summary>
/// The writer connection's prepared statements, and one append executed with them inside an open transaction and the
/// append's own savepoint (<see cref="Savepoint"/>), so that one append can be undone without touching the others of its group.
/// </summary>
internal sealed class SqliteWriterCommands : IDisposable
{
    private static readonly Dictionary<Guid, StoredEventRef> NoneStored = [];

    private readonly SqliteStatement _version;
    private readonly SqliteCommand _lookup;
    private readonly SqliteStatement _head;
    private readonly SqliteStatement _insert;
    private readonly SqliteStatement _upsertStream;
    private readonly SqliteStatement _advanceStream;
    private readonly SqliteStatement _begin;
    private readonly SqliteStatement _commit;
    private readonly SqliteStatement _savepoint;
    private readonly SqliteStatement _release;
    private readonly SqliteStatement _rollbackTo;

    public SqliteWriterCommands(SqliteConnection connection)
    {
        // The statements every append runs are native, bound by position (see SqliteStatement); the look-up, only run for a
        // retry or a conflict, stays a command.
        _version = new SqliteStatement(connection, "SELECT version, org_id IS NULL FROM streams WHERE stream_id = ?1");
        // Which of the batch's ids the stream already holds (only asked when an append may be a retry).
        _lookup = connection.CreateCommand();
        _lookup.CommandText = "SELECT event_id, version, position FROM events WHERE stream_id = $s AND event_id IN (SELECT value FROM json_each($ids))";
        _lookup.Parameters.Add(new SqliteParameter { ParameterName = "$s" });
        _lookup.Parameters.Add(new SqliteParameter { ParameterName = "$ids" });
        _head = new SqliteStatement(connection, "SELECT COALESCE(MAX(position), 0) FROM events");
        _begin = new SqliteStatement(connection, "BEGIN IMMEDIATE");
        _commit = new SqliteStatement(connection, "COMMIT");
        _savepoint = new SqliteStatement(connection, "SAVEPOINT append");
        _release = new SqliteStatement(connection, "RELEASE append");
        _rollbackTo = new SqliteStatement(connection, "ROLLBACK TO append");
        // An id the stream already holds inserts nothing (0 rows): the append is then decided with the stored ids in hand.
        _insert = new SqliteStatement(
            connection,
            """
            INSERT INTO events (position, stream_id, version, event_id, type, data, metadata, org_id, created_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
            ON CONFLICT (stream_id, event_id) DO NOTHING
            """);
        _upsertStream = new SqliteStatement(
            connection,
            """
            INSERT INTO streams (stream_id, version, org_id, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)
            ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at,
                org_id = COALESCE(streams.org_id, excluded.org_id)
            """);
        // The usual case, a stream that exists and whose org is settled: leaves the org index alone (one page less per commit).
        _advanceStream = new SqliteStatement(connection, "UPDATE streams SET version = ?2, updated_at = ?3 WHERE stream_id = ?1");
    }

    /// <summary>Takes SQLite's write lock (waiting up to busy_timeout for other processes).</summary>
    public void Begin() => _begin.Execute();

    public void Commit() => _commit.Execute();

    /// <summary>Opens the savepoint one append runs in.</summary>
    public void Savepoint() => _savepoint.Execute();

    /// <summary>Keeps the append's writes in the transaction.</summary>
    public void Release() => _release.Execute();

    /// <summary>
    /// Undoes everything the append wrote and closes its savepoint; false when that is not possible (the error that
    /// stopped the append also ended the transaction), so the whole group must fail.
    /// </summary>
    public bool TryUndo()
    {
        try
        {
            _rollbackTo.Execute();
            _release.Execute();
            return true;
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    /// <summary>The last global position, read inside the write transaction (no other writer can move it until commit).</summary>
    public long ReadHead() => _head.QueryFirst(static row => raw.sqlite3_column_int64(row, 0), 0L);

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
            _rollbackTo.Execute();
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
        // SQLite keeps bindings across executions: what the events of an append share is bound once (stream, time), and a
        // type, metadata or org that is the same string as the previous event's (a batch's shared metadata) is not re-bound.
        _insert.Bind(2, streamId);
        _insert.Bind(9, nowMicros);
        string? boundType = null, boundMetadata = null, boundOrg = null;
        var first = true;
        Span<char> id = stackalloc char[36];
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            _insert.Bind(1, ++position);
            _insert.Bind(3, version++);
            e.EventId.TryFormat(id, out var written, "D");
            _insert.Bind(4, id[..written]);
            if (first || !ReferenceEquals(e.Type, boundType))
            {
                _insert.Bind(5, boundType = e.Type);
            }

            _insert.BindUtf8(6, e.DataUtf8);
            if (first || !ReferenceEquals(e.MetadataJson, boundMetadata))
            {
                _insert.Bind(7, boundMetadata = e.MetadataJson);
            }

            if (first || !ReferenceEquals(e.OrgId, boundOrg))
            {
                _insert.Bind(8, boundOrg = e.OrgId);
            }

            first = false;
            if (_insert.Execute() == 0)
            {
                return null;
            }

            org ??= e.OrgId;
        }

        if (orgSettled || (org is null && firstVersion > 0))
        {
            _advanceStream.Bind(1, streamId);
            _advanceStream.Bind(2, version - 1);
            _advanceStream.Bind(3, nowMicros);
            _advanceStream.Execute();
        }
        else
        {
            _upsertStream.Bind(1, streamId);
            _upsertStream.Bind(2, version - 1);
            _upsertStream.Bind(3, org);
            _upsertStream.Bind(4, nowMicros);
            _upsertStream.Execute();
        }

        head = position;
        return new AppendResult(version - 1, position);
    }

    /// <summary>The stream's version (null: no stream) and whether its row names no org yet.</summary>
    private (long? Version, bool OrgMissing) ReadStream(string streamId)
    {
        _version.Bind(1, streamId);
        return _version.QueryFirst<(long?, bool)>(static row => (raw.sqlite3_column_int64(row, 0), raw.sqlite3_column_int64(row, 1) != 0), (null, true));
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
}
