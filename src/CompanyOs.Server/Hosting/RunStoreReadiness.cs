using System.Data.Common;
using CompanyOs.Events;
using CompanyOs.Server.Agents;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CompanyOs.Server.Hosting;

/// <summary>
/// Readiness of the run store when it is PostgreSQL (<c>runs_postgres</c>, possibly another database than the key store's):
/// it must answer a read of one stream's version. Without it the agent API cannot serve, and a load balancer should know.
/// </summary>
internal sealed class RunStoreReadiness(AgentRuns runs) : IHealthCheck
{
    private const string ProbeStream = "companyos-readiness-probe";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await runs.WhenReadyAsync().WaitAsync(cancellationToken);
            await runs.Store.GetStreamVersionAsync(ProbeStream, cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is EventStoreException or DbException or InvalidOperationException or TimeoutException)
        {
            // Npgsql's and the store's messages name host, port and database, never the password.
            return HealthCheckResult.Unhealthy($"the run store (PostgreSQL) does not answer ({e.Message})");
        }
    }
}
