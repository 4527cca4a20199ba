using System.Globalization;
using Microsoft.Data.Sqlite;

namespace CompanyOs.Events.Sqlite;

/// <summary>Opens connections to one database file with the pragmas every connection needs.</summary>
internal sealed class SqliteConnections
{
    private readonly string _connectionString;
    private readonly string _busyPragma;
    private readonly string _synchronousPragma;

    public SqliteConnections(SqliteEventStoreOptions options)
    {
        DatabasePath = Path.GetFullPath(options.DatabasePath);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds) + 5,
        }.ToString();
        _busyPragma = string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {(long)options.BusyTimeout.TotalMilliseconds}");
        _synchronousPragma = options.Durability == SqliteDurability.Full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL";
    }

    public string DatabasePath { get; }

    /// <summary>A pooled connection for reads.</summary>
    public SqliteConnection OpenReader()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            SqliteSchema.Execute(connection, _busyPragma);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>The writer's long-lived connection: WAL journal and the configured durability.</summary>
    public SqliteConnection OpenWriter()
    {
        var connection = OpenReader();
        try
        {
            using (var wal = connection.CreateCommand())
            {
                wal.CommandText = "PRAGMA journal_mode = WAL";
                var mode = wal.ExecuteScalar() as string;
                if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                {
                    throw new EventStoreException($"Event store '{DatabasePath}': the file system does not support SQLite WAL mode (journal mode is '{mode}').");
                }
            }

            SqliteSchema.Execute(connection, _synchronousPragma);
            // Each append of a group runs in a savepoint; keep its statement journal in memory rather than in a temp file.
            SqliteSchema.Execute(connection, "PRAGMA temp_store = MEMORY");
            // Checkpoint (copy the WAL into the database file: page writes and two fsyncs, on the appending caller's time)
            // every 10,000 WAL pages instead of SQLite's 1,000: an append writes ≈ 5 pages, so the default checkpointed every
            // ≈ 200 single appends (every 6 batches of 1,000 events), and pages rewritten between two checkpoints are copied
            // once. The WAL then grows to ≈ 40 MB; journal_size_limit truncates it back to 64 MB after a checkpoint that
            // found it larger (say, after a long reader held it).
            SqliteSchema.Execute(connection, "PRAGMA wal_autocheckpoint = 10000");
            SqliteSchema.Execute(connection, "PRAGMA journal_size_limit = 67108864");
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Closes pooled connections so the file can be moved or deleted after the store is disposed.</summary>
    public void ClearPool()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }
}
