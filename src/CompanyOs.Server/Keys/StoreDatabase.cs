using System.Data.Common;

namespace CompanyOs.Server.Keys;

/// <summary>
/// The server's own database — API keys, budget spend and the usage log — as plain ADO.NET with SQL both SQLite (the default)
/// and PostgreSQL understand; only the connection and a few column types differ. Money is kept as whole nano-dollars and times
/// as ISO-8601 UTC text, so that both read back exactly what was written.
/// </summary>
internal abstract class StoreDatabase : IAsyncDisposable
{
    /// <summary>What to call the database in messages: never a connection string (it may hold a password).</summary>
    public abstract string Description { get; }

    /// <summary>The column type of an auto-numbered primary key.</summary>
    protected abstract string IdentityColumn { get; }

    public abstract ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Creates the tables when missing and brings older ones up to date.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await PrepareAsync(connection, cancellationToken);
        var created = false;
        try
        {
            await CreateTablesAsync(connection, cancellationToken);
            created = true;
        }
        finally
        {
            await FinishAsync(connection, created);
        }
    }

    public abstract ValueTask DisposeAsync();

    /// <summary>
    /// Readiness: reads the keys table over a connection that does not create anything (<see cref="OpenProbeAsync"/>).
    /// </summary>
    /// <exception cref="DbException">The database does not answer.</exception>
    public async Task ProbeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenProbeAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM api_keys WHERE 1 = 0";
        await command.ExecuteScalarAsync(cancellationToken);
    }

    /// <summary>A connection for <see cref="ProbeAsync"/>; by default the usual one.</summary>
    protected virtual ValueTask<DbConnection> OpenProbeAsync(CancellationToken cancellationToken) => OpenAsync(cancellationToken);

    private async Task CreateTablesAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, $"""
            CREATE TABLE IF NOT EXISTS api_keys (
                id TEXT PRIMARY KEY,
                key_hash TEXT NOT NULL UNIQUE,
                prefix TEXT NOT NULL,
                org TEXT NOT NULL,
                scopes TEXT NOT NULL,
                models TEXT NULL,
                rpm INTEGER NULL,
                created_at TEXT NOT NULL,
                revoked_at TEXT NULL);
            CREATE TABLE IF NOT EXISTS budget_spend (
                scope_kind TEXT NOT NULL,
                scope_id TEXT NOT NULL,
                usd_nanos BIGINT NOT NULL,
                tokens BIGINT NOT NULL,
                PRIMARY KEY (scope_kind, scope_id));
            CREATE TABLE IF NOT EXISTS usage_records (
                id {IdentityColumn},
                org TEXT NOT NULL,
                key_id TEXT NULL,
                provider TEXT NOT NULL,
                model TEXT NOT NULL,
                agent TEXT NULL,
                input_tokens BIGINT NOT NULL,
                output_tokens BIGINT NOT NULL,
                cost_nanos BIGINT NULL,
                emulated INTEGER NOT NULL,
                at TEXT NOT NULL,
                day TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS usage_records_org_day ON usage_records (org, day);
            """, cancellationToken);
        if (!await HasColumnAsync(connection, "api_keys", "budget_nanos", cancellationToken))
        {
            // Key databases made before per-key budgets.
            await ExecuteAsync(connection, "ALTER TABLE api_keys ADD COLUMN budget_nanos BIGINT NULL", cancellationToken);
        }
    }

    /// <summary>
    /// Before the tables are made: settings the schema relies on, and exclusion of other instances initialising the same store
    /// at once (they would race on creating a table or adding a column).
    /// </summary>
    protected abstract Task PrepareAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>After the tables are made (<paramref name="created"/>) or not: releases what <see cref="PrepareAsync"/> took.</summary>
    protected abstract Task FinishAsync(DbConnection connection, bool created);

    protected abstract Task<bool> HasColumnAsync(DbConnection connection, string table, string column, CancellationToken cancellationToken);

    protected static async Task ExecuteAsync(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Whole nano-dollars: exact in a BIGINT on both databases, and finer than any price.</summary>
    public static long ToNanos(decimal usd) => (long)decimal.Round(usd * 1_000_000_000m, MidpointRounding.AwayFromZero);

    public static decimal FromNanos(long nanos) => nanos / 1_000_000_000m;
}

/// <summary>Adds parameters the same way on both providers.</summary>
internal static class DbCommandParameters
{
    public static DbCommand With(this DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return command;
    }
}
