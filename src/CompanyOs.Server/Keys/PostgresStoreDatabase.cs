using System.Data.Common;
using Npgsql;

namespace CompanyOs.Server.Keys;

/// <summary>
/// The server's store in PostgreSQL (<c>keys_store: postgres</c>), for several server instances sharing keys, spend and usage.
/// The connection string's <c>Search Path</c> selects the schema.
/// </summary>
internal sealed class PostgresStoreDatabase(string connectionString) : StoreDatabase
{
    private readonly NpgsqlDataSource _source = NpgsqlDataSource.Create(connectionString);

    /// <summary>Database, host and port — what an operator needs to find it, never the credentials.</summary>
    public override string Description { get; } = Describe(new NpgsqlConnectionStringBuilder(connectionString));

    protected override string IdentityColumn => "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY";

    public override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _source.OpenConnectionAsync(cancellationToken);

    public override ValueTask DisposeAsync() => _source.DisposeAsync();

    // Instances starting together over one database would race on CREATE TABLE IF NOT EXISTS (a unique violation in the
    // catalog): one at a time. A session lock on a pooled connection must be released by hand.
    protected override Task PrepareAsync(DbConnection connection, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, $"SELECT pg_advisory_lock({SchemaLock})", cancellationToken);

    protected override Task FinishAsync(DbConnection connection, bool created) =>
        ExecuteAsync(connection, $"SELECT pg_advisory_unlock({SchemaLock})", CancellationToken.None);

    /// <summary>An arbitrary constant naming "the server store's schema" among advisory locks.</summary>
    private const long SchemaLock = 0x636F735F6B657973; // "cos_keys"

    protected override async Task<bool> HasColumnAsync(DbConnection connection, string table, string column, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = @table AND column_name = @column";
        command.With("@table", table).With("@column", column);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    private static string Describe(NpgsqlConnectionStringBuilder builder) =>
        $"PostgreSQL database '{builder.Database ?? "(default)"}' on '{builder.Host}:{builder.Port}'";
}
