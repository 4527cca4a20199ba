using System.Data.Common;
using CompanyOs.Server.Keys;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CompanyOs.Server.Hosting;

/// <summary>Readiness of the server's store (keys, spend, usage; SQLite or PostgreSQL): it must answer a read of the keys table.</summary>
internal sealed class KeyStoreReadiness(ServerStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await store.Database.ProbeAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or IOException or TimeoutException)
        {
            // The description never holds a connection string; SQLite's and Npgsql's messages name the problem, not secrets.
            return HealthCheckResult.Unhealthy($"the key store ({store.Database.Description}) does not answer ({e.Message})");
        }
    }
}
