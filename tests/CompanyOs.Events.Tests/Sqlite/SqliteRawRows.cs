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
}
