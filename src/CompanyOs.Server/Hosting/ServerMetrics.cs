using CompanyOs.Agents.Runtime;
using CompanyOs.Llm.Gateway.Stats;
using OpenTelemetry.Metrics;

namespace CompanyOs.Server.Hosting;

/// <summary>
/// <c>/metrics</c> in the Prometheus text format through OpenTelemetry: the gateway's meter (GenAI client token usage and
/// operation duration, requests, errors, cost, retries, fallbacks, cache hits, budget refusals, rate-limit waits), the agent
/// runtime's (runs by status) and ASP.NET Core's HTTP server metrics. The same meters go over OTLP when it is configured
/// (<see cref="ServerTelemetry"/>).
/// </summary>
internal static class ServerMetrics
{
    /// <summary>Every meter the server exports.</summary>
    public static readonly string[] Meters =
        [GatewayStats.MeterName, AgentTelemetry.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel"];

    public static IServiceCollection AddServerMetrics(this IServiceCollection services)
    {
        services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(Meters).AddPrometheusExporter());
        return services;
    }

    public static IEndpointRouteBuilder MapServerMetrics(this IEndpointRouteBuilder routes)
    {
        routes.MapPrometheusScrapingEndpoint("/metrics");
        return routes;
    }
}
