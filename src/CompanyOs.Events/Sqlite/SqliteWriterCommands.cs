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

    private readonly sqlite3 _db;
    private readonly SqliteStatement _version;
    private readonly SqliteStatement _versionBefore;
    private readonly SqliteCommand _lookup;
    private readonly SqliteStatement _insert;
    private readonly SqliteStatement _upsertStream;
    private readonly SqliteOrgSpans _spans;
    private readonly SqliteStreamHeads _heads = new();
    private readonly SqliteStatement _begin;
    private readonly SqliteStatement _commit;
    private readonly SqliteStatement _savepoint;
    private readonly SqliteStatement _release;
    private readonly SqliteStatement _rollbackTo;

    // False from BEGIN until COMMIT returns: a transaction that did not commit was rolled back, and with it whatever org
    // spans it wrote (see SqliteOrgSpans.Forget).
    private bool _committed = true;

    public SqliteWriterCommands(SqliteConnection connection)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The writer connection is not open.");
        // The statements every append runs are native, bound by position (see SqliteStatement); the look-up, only run for a
        // retry or a conflict, stays a command.
        // The stream's version is its last event's (the (stream_id, version) index, newest entry): no head row is written per
        // append (schema 2). The stream row only says whether the stream exists with an org.
        _version = new SqliteStatement(
            connection,
            "SELECT (SELECT MAX(version) FROM events WHERE stream_id = ?1), (SELECT org_id IS NULL FROM streams WHERE stream_id = ?1)");
        // The version an append's first event followed, read after its insert (see TryWrite).
        _versionBefore = new SqliteStatement(connection, "SELECT MAX(version) FROM events WHERE stream_id = ?1 AND position < ?2");
        // Which of the batch's ids the stream already holds (only asked when an append may be a retry).
        _lookup = connection.CreateCommand();
        _lookup.CommandText = "SELECT event_uuid, version, position FROM events WHERE stream_id = $s AND event_uuid IN (SELECT unhex(value) FROM json_each($ids))";
        _lookup.Parameters.Add(new SqliteParameter { ParameterName = "$s" });
        _lookup.Parameters.Add(new SqliteParameter { ParameterName = "$ids" });
        _begin = new SqliteStatement(connection, "BEGIN IMMEDIATE");
        _commit = new SqliteStatement(connection, "COMMIT");
        _savepoint = new SqliteStatement(connection, "SAVEPOINT append");
        _release = new SqliteStatement(connection, "RELEASE append");
        _rollbackTo = new SqliteStatement(connection, "ROLLBACK TO append");
        // The position is left to SQLite: an INTEGER PRIMARY KEY without a value gets max(position) + 1, read inside the
        // write transaction (no other writer can move it until commit) — the rule positions always had, without a separate
        // read of the head. An id the stream already holds inserts nothing (0 rows): the append is then decided with the
        // stored ids in hand. A version the stream already holds inserts nothing as well: an append at a remembered version
        // (SqliteStreamHeads) to a stream another writer has appended to since is then read back and decided again.
        _insert = new SqliteStatement(
            connection,
            """
            INSERT INTO events (stream_id, version, event_uuid, type, data, metadata, org, created_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
            ON CONFLICT DO NOTHING
            """);
        // Where the org changes along the position order (schema 5): what org-filtered reads look up.
        _spans = new SqliteOrgSpans(connection);
        // Written when a stream is created, and once more if its first events named no org and a later one does.
        _upsertStream = new SqliteStatement(
            connection,
            """
            INSERT INTO streams (stream_id, org_id, created_at) VALUES (?1, ?2, ?3)
            ON CONFLICT (stream_id) DO UPDATE SET org_id = COALESCE(streams.org_id, excluded.org_id)
            """);
    }

    /// <summary>Streams whose version the writer remembers (tests).</summary>
    internal int RememberedStreams => _heads.Count;

    /// <summary>Takes SQLite's write lock (waiting up to busy_timeout for other processes).</summary>
    public void Begin()
    {
        if (!_committed)
        {
            _spans.Forget();
            _heads.UndoTransaction();
        }

        _committed = false;
        _heads.BeginTransaction();
        _begin.Execute();
    }

    public void Commit()
    {
        _commit.Execute();
        _committed = true;
    }

    /// <summary>Opens the savepoint one append runs in.</summary>
    public void Savepoint()
    {
        _heads.BeginSavepoint();
        _savepoint.Execute();
    }

    /// <summary>Keeps the append's writes in the transaction.</summary>
    public void Release() => _release.Execute();

    /// <summary>
    /// Undoes everything the append wrote and closes its savepoint; false when that is not possible (the error that
    /// stopped the append also ended the transaction), so the whole group must fail.
    /// </summary>
    public bool TryUndo()
    {
        // The spans this append wrote (if it got that far) are undone with it, and the version it may have remembered.
        _spans.Forget();
        _heads.UndoSavepoint();
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

    /// <summary>
    /// Runs one append, and returns the result and whether anything was written. The stream's version is the one this writer
    /// remembers from its own last append to the stream (<see cref="SqliteStreamHeads"/>), otherwise read from the file.
    /// When the expected version holds, the events are inserted straight away; only when one of their ids is already stored
    /// (a retry), or the expected version does not hold on an existing stream, are the stored ids looked up and the append
    /// decided by <see cref="AppendPlan"/> — so the common append does not pay for the idempotency look-up.
    /// <paramref name="inSavepoint"/>: the append runs in its own savepoint (<see cref="Savepoint"/>), which a retry found
    /// after some of its events were inserted rolls back to. Without one (a lone one-event append, whose group is its own
    /// transaction) nothing needs undoing: its only insert either wrote the event or wrote nothing.
    /// </summary>
    /// <exception cref="ConcurrencyException">The expected version does not match (nothing of this append is written).</exception>
    public (AppendResult Result, bool Wrote) Append(SqliteAppendRequest request, long nowMicros, bool inSavepoint)
    {
        if (!inSavepoint && request.Events.Length != 1)
        {
            throw new InvalidOperationException("An append of several events must run in a savepoint.");
        }

        // Only a remembered version that lets the append go ahead is used: one that does not may be stale, and the conflict is
        // decided on the version read back. Nothing written means a retry or another writer's append: read back, decide again.
        if (_heads.TryGet(request.StreamId, out var known) && AppendPlan.Matches(request.Expected, known.Version))
        {
            var (written, inserted) = TryWrite(request.StreamId, request.Events, known.Version + 1, known.Row, nowMicros, remembered: true);
            if (written is { } result)
            {
                return (result, true);
            }

            if (inserted > 0)
            {
                _rollbackTo.Execute();
            }
        }

        var (current, row) = ReadStream(request.StreamId);
        if (AppendPlan.Matches(request.Expected, current))
        {
            var (written, inserted) = TryWrite(request.StreamId, request.Events, (current ?? -1) + 1, row, nowMicros, remembered: false);
            if (written is { } result)
            {
                return (result, true);
            }

            // Some id is already stored: undo what this append inserted before it and decide with the stored ids.
            if (inserted > 0)
            {
                _rollbackTo.Execute();
            }
        }

        // A stream that does not exist holds no ids: the plan is then a plain conflict (or, for Any/NoStream, never reached).
        var existing = current is null ? NoneStored : Lookup(request);
        var plan = AppendPlan.Decide(request.StreamId, request.Expected, current, request.Events, existing);
        if (plan.AlreadyStored is { } stored)
        {
            return (stored, false);
        }

        return TryWrite(request.StreamId, plan.ToWrite, plan.FirstVersion, row, nowMicros, remembered: false).Result is { } planned
            ? (planned, true)
            : throw new EventStoreException($"Append to stream '{request.StreamId}': an event id not found by the idempotency look-up is already stored.");
    }

    public void Dispose()
    {
        _version.Dispose();
        _versionBefore.Dispose();
        _lookup.Dispose();
        _insert.Dispose();
        _upsertStream.Dispose();
        _spans.Dispose();
        _begin.Dispose();
        _commit.Dispose();
        _savepoint.Dispose();
        _release.Dispose();
        _rollbackTo.Dispose();
    }

    /// <summary>
    /// Inserts <paramref name="events"/> from <paramref name="firstVersion"/> on and writes the stream row when the stream has
    /// none (<paramref name="row"/>: a new stream) or this append names the org its row still lacks. The result is null (with
    /// the number of events inserted before it) when one of their ids, or the version of one, is already stored.
    /// <paramref name="remembered"/>: <paramref name="firstVersion"/> and <paramref name="row"/> come from the writer's memory
    /// rather than from the file.
    /// </summary>
    private (AppendResult? Result, int Inserted) TryWrite(
        string streamId, IReadOnlyList<PreparedEvent> events, long firstVersion, StreamRow row, long nowMicros, bool remembered)
    {
        var version = firstVersion;
        string? org = null;
        // SQLite keeps bindings across executions: what the events of an append share is bound once (stream, time), and a
        // type, metadata or org that is the same string as the previous event's (a batch's shared metadata) is not re-bound.
        _insert.Bind(1, streamId);
        _insert.Bind(8, nowMicros);
        string? boundType = null, boundMetadata = null, boundOrg = null;
        var first = true;
        // The id as its 16 bytes (schema 3; see SqliteEventId).
        Span<byte> id = stackalloc byte[SqliteEventId.Size];
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            _insert.Bind(2, version++);
            SqliteEventId.Write(e.EventId, id);
            _insert.BindBlob(3, id);
            if (first || !ReferenceEquals(e.Type, boundType))
            {
                _insert.Bind(4, boundType = e.Type);
            }

            _insert.BindUtf8(5, e.DataUtf8);
            if (first || !ReferenceEquals(e.MetadataJson, boundMetadata))
            {
                _insert.Bind(6, boundMetadata = e.MetadataJson);
            }

            if (first || !ReferenceEquals(e.OrgId, boundOrg))
            {
                _insert.Bind(7, boundOrg = e.OrgId);
            }

            first = false;
            if (_insert.Execute() == 0)
            {
                return (null, i);
            }

            org ??= e.OrgId;
        }

        // The last insert's rowid is the append's last position (the events of one append get consecutive positions).
        var position = raw.sqlite3_last_insert_rowid(_db);
        var firstPosition = position - events.Count + 1;
        var followsHead = _heads.Follows(firstPosition);
        if (!followsHead && remembered && VersionBefore(streamId, firstPosition) != firstVersion - 1)
        {
            // Something else wrote since this writer remembered the stream, and the remembered version went through although
            // the stream had moved on: its versions are not consecutive, so not written by the store. Fail rather than guess.
            throw new EventStoreException(
                $"Append to stream '{streamId}': the stream's versions are not consecutive (an event was written outside the store); nothing was appended.");
        }

        _spans.Record(events, firstPosition, followsHead);
        // A stream's org is the first org any of its events names: its row is written when the stream is created, and
        // again only while it names none and this append has one.
        if (row == StreamRow.None || (row == StreamRow.WithoutOrg && org is not null))
        {
            _upsertStream.Bind(1, streamId);
            _upsertStream.Bind(2, org);
            _upsertStream.Bind(3, nowMicros);
            _upsertStream.Execute();
            row = org is null ? StreamRow.WithoutOrg : StreamRow.WithOrg;
        }

        _heads.Remember(streamId, version - 1, row, position);
        return (new AppendResult(version - 1, position), events.Count);
    }

    /// <summary>The stream's version (null: no stream) and what its row says.</summary>
    private (long? Version, StreamRow Row) ReadStream(string streamId)
    {
        _version.Bind(1, streamId);
        return _version.QueryFirst<(long?, StreamRow)>(
            static row => (
                raw.sqlite3_column_type(row, 0) == raw.SQLITE_NULL ? null : raw.sqlite3_column_int64(row, 0),
                raw.sqlite3_column_type(row, 1) == raw.SQLITE_NULL ? StreamRow.None
                    : raw.sqlite3_column_int64(row, 1) != 0 ? StreamRow.WithoutOrg : StreamRow.WithOrg),
            (null, StreamRow.None));
    }

    /// <summary>The stream's last version before <paramref name="position"/> (null: none).</summary>
    private long? VersionBefore(string streamId, long position)
    {
        _versionBefore.Bind(1, streamId);
        _versionBefore.Bind(2, position);
        return _versionBefore.QueryFirst<long?>(
            static row => raw.sqlite3_column_type(row, 0) == raw.SQLITE_NULL ? null : raw.sqlite3_column_int64(row, 0), null);
    }

    private Dictionary<Guid, StoredEventRef> Lookup(SqliteAppendRequest request)
    {
        var ids = new string[request.Events.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = SqliteEventId.Hex(request.Events[i].EventId);
        }

        _lookup.Parameters[0].Value = request.StreamId;
        _lookup.Parameters[1].Value = JsonSerializer.Serialize(ids, EventsJsonContext.Default.StringArray);
        var existing = new Dictionary<Guid, StoredEventRef>();
        using var reader = _lookup.ExecuteReader();
        while (reader.Read())
        {
            existing[SqliteEventId.Read(reader.GetValue(0))] = new StoredEventRef(reader.GetInt64(1), reader.GetInt64(2));
        }

        return existing;
    }
}

/// <summary>What a stream's row in the <c>streams</c> table says: missing, there without an org, or naming its org.</summary>
internal enum StreamRow
{
    None,
    WithoutOrg,
    WithOrg,
}
