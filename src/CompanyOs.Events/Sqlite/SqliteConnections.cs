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
    public SqliteConnection OpenReader() => Open(_connectionString, _busyPragma);

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
            // No automatic checkpoint on this connection: SQLite would run it inside the commit that crosses the threshold, on
            // the appending caller's time (copying the WAL into the database file: page writes and two fsyncs). The store's
            // SqliteCheckpointer runs them in the background instead, with a caller-path fallback that bounds the WAL.
            // journal_size_limit truncates the WAL file back to 64 MB when it restarts after having grown larger (say, after
            // a long reader held it).
            SqliteSchema.Execute(connection, "PRAGMA wal_autocheckpoint = 0");
            SqliteSchema.Execute(connection, "PRAGMA journal_size_limit = 67108864");
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The background checkpointer's own connection: not pooled (it lives as long as the store), with the configured
    /// <c>synchronous</c> (a checkpoint fsyncs the WAL before copying it and the database file after).
    /// </summary>
    public SqliteConnection OpenCheckpointer() =>
        Open(new SqliteConnectionStringBuilder(_connectionString) { Pooling = false }.ToString(), _busyPragma, _synchronousPragma);

    /// <summary>Opens a connection and runs <paramref name="pragmas"/> on it; disposed again if any of that fails.</summary>
    private static SqliteConnection Open(string connectionString, params ReadOnlySpan<string> pragmas)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            foreach (var pragma in pragmas)
            {
                SqliteSchema.Execute(connection, pragma);
            }

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
