using CompanyOs.Events.Appending;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace CompanyOs.Events.Sqlite;

/// <summary>
/// Keeps <c>org_spans</c> (schema 5) in step with the events the writer inserts: a row only where the org changes along the
/// position order. The writer remembers the open span (the org the last org-naming event named, where its span starts and
/// that org's last position); an append of that org then writes nothing here. The memory is trusted only while nothing
/// else has written since: the append must follow the head this writer last left (<see cref="SqliteStreamHeads.Follows"/>,
/// the writer's one check of it, handed to <see cref="Record"/>), and the memory must not come from a transaction or
/// savepoint that was rolled back (<see cref="Forget"/>: its positions may since have been taken by another process, so the
/// head alone would not tell). Otherwise the open span is read back from the file inside the same write transaction (the
/// last org-naming event, then its org's last span), before anything is written.
/// </summary>
internal sealed class SqliteOrgSpans : IDisposable
{
    /// <summary>The last position of the open span: it reaches whatever the head is (see the schema's migration 5).</summary>
    public const long OpenEnd = long.MaxValue;

    private readonly SqliteStatement _open;
    private readonly SqliteStatement _insertClosed;
    private readonly SqliteStatement _close;
    private readonly SqliteStatement _lastOrgEvent;
    private readonly SqliteStatement _lastSpan;

    // What the file held after this writer's last append (valid only while _known and the append follows that append): the
    // open span (none while _org is null: no event has named an org yet).
    private bool _known;
    private string? _org;
    private long _first;
    private long _orgLast;

    public SqliteOrgSpans(SqliteConnection connection)
    {
        _open = new SqliteStatement(connection, $"INSERT INTO org_spans (org_id, first_position, last_position) VALUES (?1, ?2, {OpenEnd})");
        _insertClosed = new SqliteStatement(connection, "INSERT INTO org_spans (org_id, first_position, last_position) VALUES (?1, ?2, ?3)");
        _close = new SqliteStatement(
            connection, $"UPDATE org_spans SET last_position = ?3 WHERE org_id = ?1 AND first_position = ?2 AND last_position = {OpenEnd}");
        _lastOrgEvent = new SqliteStatement(
            connection, "SELECT org, position FROM events WHERE position < ?1 AND org IS NOT NULL ORDER BY position DESC LIMIT 1");
        _lastSpan = new SqliteStatement(
            connection,
            $"SELECT first_position, last_position = {OpenEnd} FROM org_spans WHERE org_id = ?1 AND first_position <= ?2 ORDER BY first_position DESC LIMIT 1");
    }

    /// <summary>
    /// Forgets the open span: what this writer wrote since its last commit may have been rolled back (a failed append's
    /// savepoint, a failed transaction), so the next append reads it back from the file.
    /// </summary>
    public void Forget() => _known = false;

    /// <summary>
    /// Records the orgs of the events just inserted at <paramref name="firstPosition"/> onwards (one position each, in order):
    /// nothing for events without an org or of the open span's org; for each change of org, the open span closed and the new
    /// org's opened — a span that both starts and ends within this append is inserted closed. <paramref name="followsHead"/>:
    /// this append's first position follows the last position of this writer's previous append.
    /// </summary>
    public void Record(IReadOnlyList<PreparedEvent> events, long firstPosition, bool followsHead)
    {
        var valid = _known && followsHead;
        // Anything thrown below leaves the memory unknown; it is trusted again only once this append's spans are written.
        _known = false;
        var inserted = true;
        for (var i = 0; i < events.Count; i++)
        {
            var org = events[i].OrgId;
            if (org is null)
            {
                continue;
            }

            if (!valid)
            {
                Load(firstPosition);
                valid = true;
            }

            var position = firstPosition + i;
            if (string.Equals(org, _org, StringComparison.Ordinal))
            {
                _orgLast = position;
                continue;
            }

            if (_org is not null)
            {
                Close(inserted);
            }

            (_org, _first, _orgLast, inserted) = (org, position, position, false);
        }

        if (!valid)
        {
            // No event of this append names an org, and what was remembered is stale: read it back when an org comes.
            return;
        }

        if (!inserted)
        {
            _open.Bind(1, _org);
            _open.Bind(2, _first);
            _open.Execute();
        }

        _known = true;
    }

    public void Dispose()
    {
        _open.Dispose();
        _insertClosed.Dispose();
        _close.Dispose();
        _lastOrgEvent.Dispose();
        _lastSpan.Dispose();
    }

    /// <summary>Ends the open span at its org's last event: the row written before (an update), or one this append opened.</summary>
    private void Close(bool inserted)
    {
        var statement = inserted ? _close : _insertClosed;
        statement.Bind(1, _org);
        statement.Bind(2, _first);
        statement.Bind(3, _orgLast);
        if (statement.Execute() != 1)
        {
            throw Inconsistent($"the open span of org '{_org}' at position {_first} is not in org_spans");
        }
    }

    /// <summary>Reads the open span back: the last event before <paramref name="before"/> that names an org, and that org's last span.</summary>
    private void Load(long before)
    {
        _lastOrgEvent.Bind(1, before);
        var (org, position) = _lastOrgEvent.QueryFirst<(string?, long)>(
            static row => (raw.sqlite3_column_text(row, 0).utf8_to_string(), raw.sqlite3_column_int64(row, 1)), (null, 0));
        (_org, _orgLast) = (org, position);
        if (org is null)
        {
            return;
        }

        _lastSpan.Bind(1, org);
        _lastSpan.Bind(2, position);
        var (first, open) = _lastSpan.QueryFirst<(long?, bool)>(
            static row => (raw.sqlite3_column_int64(row, 0), raw.sqlite3_column_int64(row, 1) != 0), (null, false));
        if (first is null || !open)
        {
            throw Inconsistent($"the event at position {position} names org '{org}' but no open span of that org holds it");
        }

        _first = first.Value;
    }

    private static EventStoreException Inconsistent(string what) =>
        new($"The event store's org spans are inconsistent ({what}): an event naming an org was written or changed outside the store. Org-filtered reads would miss events; nothing was appended.");
}
