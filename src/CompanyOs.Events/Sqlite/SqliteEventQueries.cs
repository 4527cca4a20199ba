using System.Text;
using System.Text.Json;
using CompanyOs.Events.Serialization;
using CompanyOs.Events.Subscriptions;
using Microsoft.Data.Sqlite;

namespace CompanyOs.Events.Sqlite;

/// <summary>Read queries, each on its own pooled connection (WAL readers never block the writer or each other).</summary>
internal sealed class SqliteEventQueries(SqliteConnections connections)
{
    /// <summary>What an event is read from, in <see cref="ReadEvents"/>' order: the events table aliased <c>e</c>.</summary>
    private const string Columns = "e.position, e.stream_id, e.version, e.event_uuid, e.type, e.data, e.metadata, e.created_at";

    /// <summary>Exclusive upper bound for prefix scans; stream ids never contain U+10FFFF.</summary>
    public const string PrefixEnd = "\U0010FFFF";

    public List<RecordedEvent> ReadStreamPage(string streamId, long fromVersion, int maxCount)
    {
        using var connection = connections.OpenReader();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM events e WHERE e.stream_id = $s AND e.version >= $v ORDER BY e.version LIMIT $n";
        command.Parameters.AddWithValue("$s", streamId);
        command.Parameters.AddWithValue("$v", fromVersion);
        command.Parameters.AddWithValue("$n", maxCount);
        return ReadEvents(command);
    }

    public EventPage ReadAllPage(long after, EventFilter? filter, int maxCount)
    {
        using var connection = connections.OpenReader();
        long head;
        using (var headCommand = connection.CreateCommand())
        {
            // Read the head first: every position at or below a committed head is already committed (one writer at a time).
            headCommand.CommandText = "SELECT COALESCE(MAX(position), 0) FROM events";
            head = (long)headCommand.ExecuteScalar()!;
        }

        if (head <= after)
        {
            return new EventPage([], after);
        }

        using var command = connection.CreateCommand();
        var sql = new StringBuilder();
        string order;
        if (filter?.OrgId is { } org)
        {
            // Through the org's spans (schema 5), in position order: the span holding after + 1 (the last one starting at or
            // before it, when it reaches past it) and every later one up to the head; for each span, its events in range, by
            // position (the span's other events name no org; e.org skips them). The open span (last_position 2^63 - 1)
            // reaches the head read above: a span closed since then ends at or after every event of its org up to that
            // head, and one opened since starts past it. CROSS JOIN keeps the spans as the outer loop, so rows come in
            // position order (spans are disjoint and ordered by first_position) without a sort, and LIMIT ends the scan.
            // Each span's event range is one rowid range.
            sql.Append($"SELECT {Columns} FROM org_spans r CROSS JOIN events e")
                .Append(" WHERE r.org_id = $org")
                .Append(" AND r.first_position >= COALESCE((SELECT MAX(first_position) FROM org_spans WHERE org_id = $org AND first_position <= $after), 0)")
                .Append(" AND r.first_position <= $head AND r.last_position > $after")
                .Append(" AND e.position >= max(r.first_position, $after + 1) AND e.position <= min(r.last_position, $head) AND e.org = $org");
            command.Parameters.AddWithValue("$org", org);
            order = " ORDER BY r.first_position, e.position";
        }
        else
        {
            sql.Append($"SELECT {Columns} FROM events e WHERE e.position > $after AND e.position <= $head");
            order = " ORDER BY e.position";
        }

        command.Parameters.AddWithValue("$after", after);
        command.Parameters.AddWithValue("$head", head);
        if (filter?.Types is { } types)
        {
            sql.Append(" AND e.type IN (SELECT value FROM json_each($types))");
            command.Parameters.AddWithValue("$types", JsonSerializer.Serialize(types.ToArray(), EventsJsonContext.Default.StringArray));
        }

        if (filter?.StreamPrefix is { } prefix)
        {
            sql.Append(" AND e.stream_id >= $prefix AND e.stream_id < $prefixEnd AND substr(e.stream_id, 1, length($prefix)) = $prefix");
            command.Parameters.AddWithValue("$prefix", prefix);
            command.Parameters.AddWithValue("$prefixEnd", prefix + PrefixEnd);
        }

        sql.Append(order).Append(" LIMIT $n");
        command.Parameters.AddWithValue("$n", maxCount);
        command.CommandText = sql.ToString();
        var events = ReadEvents(command);
        return new EventPage(events, events.Count == maxCount ? events[^1].Position : head);
    }

    public long? GetStreamVersion(string streamId)
    {
        using var connection = connections.OpenReader();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT MAX(version) FROM events WHERE stream_id = $s";
        command.Parameters.AddWithValue("$s", streamId);
        return command.ExecuteScalar() is long version ? version : null;
    }

    public List<StreamInfo> ListStreamsPage(string prefix, string? orgId, string? afterStreamId, int maxCount)
    {
        using var connection = connections.OpenReader();
        using var command = connection.CreateCommand();
        // A stream's version and latest append time are its last event's.
        var sql = new StringBuilder(
            "SELECT s.stream_id, e.version, s.created_at, e.created_at FROM streams s"
            + " JOIN events e ON e.stream_id = s.stream_id AND e.version = (SELECT MAX(version) FROM events WHERE stream_id = s.stream_id)"
            + " WHERE s.stream_id >= $prefix AND s.stream_id < $prefixEnd AND substr(s.stream_id, 1, length($prefix)) = $prefix");
        command.Parameters.AddWithValue("$prefix", prefix);
        command.Parameters.AddWithValue("$prefixEnd", prefix + PrefixEnd);
        if (afterStreamId is not null)
        {
            sql.Append(" AND s.stream_id > $after");
            command.Parameters.AddWithValue("$after", afterStreamId);
        }

        if (orgId is not null)
        {
            sql.Append(" AND s.org_id = $org");
            command.Parameters.AddWithValue("$org", orgId);
        }

        sql.Append(" ORDER BY s.stream_id LIMIT $n");
        command.Parameters.AddWithValue("$n", maxCount);
        command.CommandText = sql.ToString();
        var streams = new List<StreamInfo>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            streams.Add(new StreamInfo(
                reader.GetString(0),
                reader.GetInt64(1),
                UnixMicros.ToDateTimeOffset(reader.GetInt64(2)),
                UnixMicros.ToDateTimeOffset(reader.GetInt64(3))));
        }

        return streams;
    }

    private static List<RecordedEvent> ReadEvents(SqliteCommand command)
    {
        var events = new List<RecordedEvent>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            events.Add(StoredEventDecoder.Decode(
                streamId: reader.GetString(1),
                version: reader.GetInt64(2),
                position: reader.GetInt64(0),
                eventId: SqliteEventId.Read(reader.GetValue(3)),
                type: reader.GetString(4),
                dataJson: reader.GetString(5),
                metadataJson: reader.GetString(6),
                createdAtMicros: reader.GetInt64(7)));
        }

        return events;
    }
}
