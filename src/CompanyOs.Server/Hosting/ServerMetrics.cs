using CompanyOs.Llm.Gateway.Stats;
using OpenTelemetry.Metrics;

namespace CompanyOs.Server.Hosting;

/// <summary>
/// <c>/metrics</c> in the Prometheus text format through OpenTelemetry: the gateway's meter (requests, errors, retries,
/// fallbacks, cache hits, tokens, cost, duration by provider, model and org) and ASP.NET Core's HTTP server metrics.
/// </summary>
internal static class ServerMetrics
{
    public static IServiceCollection AddServerMetrics(this IServiceCollection services)
    {
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(GatewayStats.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
            .AddPrometheusExporter());
        return services;
    }

    public static IEndpointRouteBuilder MapServerMetrics(this IEndpointRouteBuilder routes)
    {
        routes.MapPrometheusScrapingEndpoint("/metrics");
        return routes;
    }
}
