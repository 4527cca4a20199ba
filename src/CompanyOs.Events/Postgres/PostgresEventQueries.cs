using System.Text;
using CompanyOs.Events.Serialization;
using CompanyOs.Events.Subscriptions;
using Npgsql;

namespace CompanyOs.Events.Postgres;

/// <summary>
/// Read queries. Plain READ COMMITTED reads; global reads stop at the safe position (see <see cref="PostgresSafePosition"/>),
/// so they never see a gap that fills later.
/// </summary>
internal sealed class PostgresEventQueries(NpgsqlDataSource dataSource, string schema, PostgresSafePosition safePosition)
{
    private const string Columns = "position, stream_id, version, event_id, type, data::text, metadata::text, created_at";
    private const string PrefixEnd = "\U0010FFFF";
    private readonly string _s = PostgresSchema.Quote(schema);

    public async Task<List<RecordedEvent>> ReadStreamPageAsync(string streamId, long fromVersion, int maxCount, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT {Columns} FROM {_s}.events WHERE stream_id = @s AND version >= @v ORDER BY version LIMIT @n");
        command.Parameters.AddWithValue("s", streamId);
        command.Parameters.AddWithValue("v", fromVersion);
        command.Parameters.AddWithValue("n", maxCount);
        return await ReadEventsAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<EventPage> ReadAllPageAsync(long after, EventFilter? filter, int maxCount, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        // First: every position at or below the safe position is committed or a permanent gap.
        var safe = await safePosition.SettleAsync(connection, cancellationToken).ConfigureAwait(false);

        if (safe <= after)
        {
            return new EventPage([], after);
        }

        await using var command = new NpgsqlCommand { Connection = connection };
        var sql = new StringBuilder($"SELECT {Columns} FROM {_s}.events WHERE position > @after AND position <= @safe");
        command.Parameters.AddWithValue("after", after);
        command.Parameters.AddWithValue("safe", safe);
        if (filter?.Types is { } types)
        {
            sql.Append(" AND type = ANY(@types)");
            command.Parameters.AddWithValue("types", types.ToArray());
        }

        if (filter?.OrgId is { } org)
        {
            sql.Append(" AND org_id = @org");
            command.Parameters.AddWithValue("org", org);
        }

        if (filter?.StreamPrefix is { } prefix)
        {
            sql.Append(" AND stream_id >= @prefix AND stream_id < @prefixEnd AND starts_with(stream_id, @prefix)");
            command.Parameters.AddWithValue("prefix", prefix);
            command.Parameters.AddWithValue("prefixEnd", prefix + PrefixEnd);
        }

        sql.Append(" ORDER BY position LIMIT @n");
        command.Parameters.AddWithValue("n", maxCount);
        command.CommandText = sql.ToString();
        var events = await ReadEventsAsync(command, cancellationToken).ConfigureAwait(false);
        return new EventPage(events, events.Count == maxCount ? events[^1].Position : safe);
    }

    public async Task<long?> GetStreamVersionAsync(string streamId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT version FROM {_s}.streams WHERE stream_id = @s");
        command.Parameters.AddWithValue("s", streamId);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long version ? version : null;
    }

    public async Task<List<StreamInfo>> ListStreamsPageAsync(
        string prefix, string? orgId, string? afterStreamId, int maxCount, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand();
        var sql = new StringBuilder(
            $"SELECT stream_id, version, created_at, updated_at FROM {_s}.streams WHERE stream_id >= @prefix AND stream_id < @prefixEnd AND starts_with(stream_id, @prefix)");
        command.Parameters.AddWithValue("prefix", prefix);
        command.Parameters.AddWithValue("prefixEnd", prefix + PrefixEnd);
        if (afterStreamId is not null)
        {
            sql.Append(" AND stream_id > @after");
            command.Parameters.AddWithValue("after", afterStreamId);
        }

        if (orgId is not null)
        {
            sql.Append(" AND org_id = @org");
            command.Parameters.AddWithValue("org", orgId);
        }

        sql.Append(" ORDER BY stream_id LIMIT @n");
        command.Parameters.AddWithValue("n", maxCount);
        command.CommandText = sql.ToString();
        var streams = new List<StreamInfo>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            streams.Add(new StreamInfo(
                reader.GetString(0), reader.GetInt64(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetFieldValue<DateTimeOffset>(3)));
        }

        return streams;
    }

    private static async Task<List<RecordedEvent>> ReadEventsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var events = new List<RecordedEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            events.Add(StoredEventDecoder.Decode(
                streamId: reader.GetString(1),
                version: reader.GetInt64(2),
                position: reader.GetInt64(0),
                eventId: reader.GetGuid(3),
                type: reader.GetString(4),
                dataJson: reader.GetString(5),
                metadataJson: reader.GetString(6),
                createdAtMicros: UnixMicros.From(reader.GetFieldValue<DateTimeOffset>(7))));
        }

        return events;
    }
}
