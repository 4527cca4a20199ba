using System.Globalization;
using Microsoft.Data.Sqlite;

namespace CompanyOs.Events.Tests.Sqlite;

/// <summary>Writes and inspects rows behind the store's back, the way a damaged or foreign writer would.</summary>
internal static class SqliteRawRows
{
    public static void Insert(string databasePath, string streamId, Guid eventId, string type, string dataJson, string metadataJson)
    {
        using var connection = Open(databasePath);
        using var tx = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = """
            INSERT INTO events (position, stream_id, version, event_uuid, type, data, metadata, org, created_at)
            VALUES ((SELECT COALESCE(MAX(position), 0) + 1 FROM events), $s,
                    (SELECT COALESCE(MAX(version), -1) + 1 FROM events WHERE stream_id = $s), $id, $type, $data, $meta, NULL, 0);
            INSERT INTO streams (stream_id, org_id, created_at) VALUES ($s, NULL, 0) ON CONFLICT (stream_id) DO NOTHING;
            """;
        command.Parameters.AddWithValue("$s", streamId);
        command.Parameters.AddWithValue("$id", eventId.ToByteArray(bigEndian: true));
        command.Parameters.AddWithValue("$type", type);
        command.Parameters.AddWithValue("$data", dataJson);
        command.Parameters.AddWithValue("$meta", metadataJson);
        command.ExecuteNonQuery();
        tx.Commit();
    }

    public static SqliteConnection Open(string databasePath)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    /// <summary>The first column of the first row of <paramref name="sql"/>, as invariant text (null when there is none).</summary>
    public static string? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Every event row of a file at schema 3 or later (ids as 16-byte BLOBs), in position order, with its org read from
    /// <paramref name="orgColumn"/> (<c>org_id</c> up to schema 3, <c>org</c> from schema 4).
    /// </summary>
    public static List<RawEventRow> ReadEvents(string databasePath, string orgColumn = "org")
    {
        using var connection = Open(databasePath);
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT position, stream_id, version, event_uuid, data, metadata, {orgColumn}, created_at FROM events ORDER BY position";
        using var reader = command.ExecuteReader();
        var rows = new List<RawEventRow>();
        while (reader.Read())
        {
            rows.Add(new RawEventRow(
                reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), new Guid((byte[])reader.GetValue(3), bigEndian: true),
                reader.GetString(4), reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.GetInt64(7)));
        }

        return rows;
    }
}

/// <summary>An event row as stored (see <see cref="SqliteRawRows.ReadEvents"/>).</summary>
internal sealed record RawEventRow(long Position, string StreamId, long Version, Guid EventId, string Data, string Metadata, string? Org, long CreatedAt);
