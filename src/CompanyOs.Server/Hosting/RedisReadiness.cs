using CompanyOs.Llm.Redis;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CompanyOs.Server.Hosting;

/// <summary>
/// Readiness of the shared Redis: degraded (not unready) when it does not answer — every instance shares it, so taking them
/// all out of a load balancer helps nobody; meanwhile rate-limited calls are refused (in an outage: limited per instance at
/// limit ÷ instances) and calls with a budget are refused.
/// </summary>
internal sealed class RedisReadiness(RedisConnection redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (redis.Multiplexer.IsConnected)
        {
            try
            {
                await redis.Multiplexer.GetDatabase().PingAsync();
                return HealthCheckResult.Healthy();
            }
            catch (Exception e) when (RedisConnection.IsUnavailable(e))
            {
                // Reported below.
            }
        }

        return HealthCheckResult.Degraded(
            $"Redis does not answer: rate-limited calls are refused, or limited per instance (limit ÷ {redis.Instances}) once the connection has been down for the connect timeout, and calls with a budget are refused until it does");
    }
}
