using System.Text.Json.Nodes;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Gateway;
using CompanyOs.Llm.Gateway.Resilience;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CompanyOs.Server.Hosting;

/// <summary>
/// <c>/healthz</c> (the process answers) and <c>/readyz</c>: the configuration is loaded, every store the server was given
/// answers (the registered health checks: the key store when <c>KeysDatabase</c> is set; Redis when <c>redis</c> is set,
/// which is "degraded", not unready, when it does not answer), and each enabled provider's
/// circuit-breaker state. 503 when a store does not answer; an open circuit is reported but does not make the server
/// unready (fallback or other models may still serve, and taking every instance out of a load balancer helps nobody).
/// </summary>
internal static class HealthApi
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/healthz", () => TypedResults.Text("ok"));
        routes.MapGet("/readyz", ReadyAsync);
        return routes;
    }

    private static async Task<IResult> ReadyAsync(
        LlmOptions llm, GatewayServices gateway, HealthCheckService checks, Microsoft.Extensions.Options.IOptions<ServerOptions> server,
        CancellationToken cancellationToken)
    {
        var report = await checks.CheckHealthAsync(cancellationToken);
        // Degraded (Redis down: limits per instance, budgeted calls refused) is reported but still ready.
        var ready = report.Status != HealthStatus.Unhealthy;
        var stores = new JsonObject();
        foreach (var (name, entry) in report.Entries)
        {
            stores[name] = entry.Status switch
            {
                HealthStatus.Healthy => "reachable",
                HealthStatus.Degraded => $"degraded: {entry.Description}",
                _ => $"unreachable: {entry.Description ?? entry.Status.ToString()}",
            };
        }

        var providers = new JsonObject();
        foreach (var provider in llm.Providers.Values.Where(p => p.Enabled))
        {
            // No pipeline built yet means no call yet: an enabled breaker is closed.
            var circuit = gateway.GetCircuitState(provider.Name) ?? (llm.CircuitBreaker.Enabled ? ProviderCircuitState.Closed : null);
            providers[provider.Name] = new JsonObject
            {
                ["circuit"] = circuit switch
                {
                    null => "disabled",
                    ProviderCircuitState.Closed => "closed",
                    ProviderCircuitState.HalfOpen => "half-open",
                    _ => "open",
                },
            };
        }

        var body = new JsonObject
        {
            ["status"] = ready ? "ready" : "not_ready",
            ["config"] = "loaded",
            ["emulated"] = server.Value.Emulator,
            ["stores"] = stores,
            ["providers"] = providers,
        };
        return TypedResults.Text(body.ToJsonString(), "application/json", System.Text.Encoding.UTF8,
            ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }
}
