using System.Data.Common;
using CompanyOs.Events;
using CompanyOs.Events.Postgres;
using CompanyOs.Events.Sqlite;
using Microsoft.Data.Sqlite;

namespace CompanyOs.Agents.Storage;

/// <summary>
/// Connections to the event store's own database for the tables the agents keep next to the run events (the
/// <c>run_summaries</c> read model, the <c>run_leases</c> table): a pooled read-write SQLite connection with a 30 s busy
/// timeout, or a connection from the PostgreSQL store's data source — and what both tables' SQL code shares: parameters,
/// times as Unix microseconds, errors.
/// </summary>
internal static class RunDatabase
{
    /// <summary>The connection string of a store's SQLite file (pooled, read-write, 35 s command timeout).</summary>
    public static string SqliteConnectionString(SqliteEventStore store) => new SqliteConnectionStringBuilder
    {
        DataSource = store.DatabasePath,
        Mode = SqliteOpenMode.ReadWrite,
        Pooling = true,
        DefaultTimeout = 35,
    }.ToString();

    /// <summary>Opens a connection to <paramref name="connectionString"/> and sets its busy timeout; disposed on failure.</summary>
    public static async Task<DbConnection> OpenSqliteAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            using var busy = connection.CreateCommand();
            busy.CommandText = "PRAGMA busy_timeout = 30000";
            await busy.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Opens a connection from the PostgreSQL store's data source.</summary>
    public static async Task<DbConnection> OpenPostgresAsync(PostgresEventStore store, CancellationToken cancellationToken) =>
        await store.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Adds the parameter <paramref name="name"/> to <paramref name="command"/>; a null value as SQL NULL.</summary>
    public static void Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }

    /// <summary>A time as the tables store it: Unix microseconds.</summary>
    public static long Micros(DateTimeOffset value) => (value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    /// <summary>The time of a stored Unix-microseconds value.</summary>
    public static DateTimeOffset FromMicros(long micros) => DateTimeOffset.UnixEpoch.AddTicks(micros * 10);

    /// <summary>
    /// The store error for a failed <paramref name="operation"/> on <paramref name="what"/> (e.g. "Run leases in FILE"):
    /// transient when the driver says so or SQLite was busy or locked (codes 5 and 6), so callers may retry it.
    /// </summary>
    public static EventStoreException Failure(DbException ex, string what, string operation) =>
        new($"{what}: {operation} failed: {ex.Message}", ex, ex.IsTransient || ex is SqliteException { SqliteErrorCode: 5 or 6 });
}
