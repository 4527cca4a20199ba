using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace CompanyOs.Server.Keys;

/// <summary>The server's store in one SQLite file (the default), in WAL mode so that readers never wait for the usage writer.</summary>
internal sealed class SqliteStoreDatabase(string path) : StoreDatabase
{
    private readonly string _connectionString = new SqliteConnectionStringBuilder
    {
        DataSource = Path.GetFullPath(path),
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();

    public string DatabasePath { get; } = Path.GetFullPath(path);

    public override string Description => $"SQLite file '{DatabasePath}'";

    protected override string IdentityColumn => "INTEGER PRIMARY KEY";

    public override ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken) => OpenAsync(_connectionString, cancellationToken);

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;

    // A fresh, unpooled connection that may not create the file: a pooled one could go on reading a file that was deleted
    // or replaced under it, and a probe must not recreate a deleted store.
    protected override ValueTask<DbConnection> OpenProbeAsync(CancellationToken cancellationToken) => OpenAsync(
        new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
            DefaultTimeout = 5,
        }.ToString(),
        cancellationToken);

    /// <summary>
    /// Each connection's page cache, at most 256 KiB (SQLite's default is 2 MB per connection). The store's work is appends
    /// (usage rows, spend) and small reads: the pages an append touches are the B-trees' upper levels and right edges, a few
    /// dozen, while a 2 MB cache per pooled connection only kept appended pages that are never read again (−0.9 MB of
    /// SQLite memory on average and −2.7 MB at the peak under load, docs/benchmarks.md "RSS after load, eighth session").
    /// </summary>
    internal const string CacheSizePragma = "PRAGMA cache_size = -256";

    // The connections (pooled SQLite handles) whose cache is capped already: the pragma runs once per handle, not per open.
    private static readonly ConditionalWeakTable<SQLitePCL.sqlite3, object> CacheCapped = new();

    /// <summary>Opens a connection to <paramref name="connectionString"/>, its page cache capped; disposed when opening fails.</summary>
    private static async ValueTask<DbConnection> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            if (!CacheCapped.TryGetValue(connection.Handle!, out _))
            {
                await using (var cache = connection.CreateCommand())
                {
                    cache.CommandText = CacheSizePragma;
                    await cache.ExecuteNonQueryAsync(cancellationToken);
                }

                CacheCapped.AddOrUpdate(connection.Handle!, CacheCapped);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    // SQLite's DDL is transactional: one writer transaction makes the whole schema step atomic between processes.
    protected override async Task PrepareAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, "PRAGMA journal_mode=WAL;", cancellationToken);
        await ExecuteAsync(connection, "BEGIN IMMEDIATE;", cancellationToken);
    }

    protected override Task FinishAsync(DbConnection connection, bool created) =>
        ExecuteAsync(connection, created ? "COMMIT;" : "ROLLBACK;", CancellationToken.None);

    protected override async Task<bool> HasColumnAsync(DbConnection connection, string table, string column, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM pragma_table_info('{table}') WHERE name = @column";
        command.With("@column", column);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }
}
