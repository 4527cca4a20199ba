using CompanyOs.Server.Keys;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CompanyOs.Server.Hosting;

/// <summary>
/// Readiness of the SQLite key store: a fresh, unpooled connection that may not create the file reads the keys table. A
/// pooled connection could go on reading a file that was deleted or replaced under it; a new request's would not.
/// </summary>
internal sealed class KeyStoreReadiness(SqliteApiKeyStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = store.DatabasePath,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
            DefaultTimeout = 5,
        }.ToString();
        try
        {
            await using var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM api_keys WHERE 0";
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (SqliteException e)
        {
            // SQLite's messages name the problem ("unable to open database file", "file is not a database"), not secrets.
            return HealthCheckResult.Unhealthy($"the key store '{Path.GetFileName(store.DatabasePath)}' does not answer ({e.Message})");
        }
    }
}
