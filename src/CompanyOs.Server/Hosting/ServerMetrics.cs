using System.Diagnostics.Metrics;
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
    /// <summary>The meter of Kestrel's connection metrics.</summary>
    public const string KestrelMeter = "Microsoft.AspNetCore.Server.Kestrel";

    /// <summary>The meter of ASP.NET Core's request metrics.</summary>
    public const string HostingMeter = "Microsoft.AspNetCore.Hosting";

    /// <summary>
    /// The cardinality limit (distinct attribute sets kept per metric stream) of the streams whose attributes are bounded by
    /// the server's own set-up: Kestrel's connection metrics (transport, address and port of the listeners, TLS protocol,
    /// error type) and <c>http.server.active_requests</c> (method and scheme). OpenTelemetry sizes every stream's array of
    /// points to its limit when the stream is created, 2,000 points (≈ 140 KB) by default: nine streams at the default
    /// kept ≈ 1.3 MB that these attributes never use (issue 17). Attribute sets past the limit are still counted, in the
    /// stream's overflow point (<c>otel.metric.overflow="true"</c>). The gateway's streams (org, agent and model
    /// attributes) and <c>http.server.request.duration</c> (routes × status codes) keep the default.
    /// </summary>
    public const int BoundedStreamLimit = 100;

    /// <summary>Every meter the server exports.</summary>
    public static readonly string[] Meters =
        [GatewayStats.MeterName, AgentTelemetry.MeterName, HostingMeter, KestrelMeter];

    public static IServiceCollection AddServerMetrics(this IServiceCollection services)
    {
        services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddServerMeters().AddPrometheusExporter());
        return services;
    }

    /// <summary>Adds <see cref="Meters"/> with their streams' cardinality limits (<see cref="BoundedStreamLimit"/>).</summary>
    public static MeterProviderBuilder AddServerMeters(this MeterProviderBuilder metrics) =>
        metrics.AddMeter(Meters).AddView(StreamConfiguration);

    public static IEndpointRouteBuilder MapServerMetrics(this IEndpointRouteBuilder routes)
    {
        routes.MapPrometheusScrapingEndpoint("/metrics");
        return routes;
    }

    /// <summary>The view of <paramref name="instrument"/>: <see cref="BoundedStreamLimit"/> for the bounded streams, else
    /// null (the defaults, and the instrument's own advice such as histogram bucket boundaries).</summary>
    internal static MetricStreamConfiguration? StreamConfiguration(Instrument instrument) =>
        instrument.Meter.Name == KestrelMeter || (instrument.Meter.Name == HostingMeter && instrument.Name == "http.server.active_requests")
            ? new MetricStreamConfiguration { CardinalityLimit = BoundedStreamLimit }
            : null;
}
