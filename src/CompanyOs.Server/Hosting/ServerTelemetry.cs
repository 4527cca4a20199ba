using System.Runtime.CompilerServices;
using CompanyOs.Agents.Runtime;
using CompanyOs.Llm.Gateway.Telemetry;
using CompanyOs.Tools.Registry;
using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace CompanyOs.Server.Hosting;

/// <summary>
/// OTLP export of traces (GenAI semantic conventions: <c>invoke_agent</c>, <c>chat</c>, <c>execute_tool</c>, plus ASP.NET
/// Core's request spans), metrics (every meter <see cref="ServerMetrics"/> exposes at <c>/metrics</c>) and logs — only when an
/// OTLP endpoint is configured, so that a server without one has no listener on its activity sources and starts no span.
/// Through the SDK's <c>UseOtlpExporter</c>, which reads the standard <c>OTEL_EXPORTER_OTLP_*</c> settings (endpoint, headers,
/// protocol, timeout, compression, and their per-signal <c>_TRACES_</c>/<c>_METRICS_</c>/<c>_LOGS_</c> overrides) from
/// configuration — the environment and the command line included.
/// </summary>
internal static class ServerTelemetry
{
    /// <summary>The service name in the exported resource unless <c>OTEL_SERVICE_NAME</c> says otherwise.</summary>
    public const string ServiceName = "companyos";

    /// <summary>Every <see cref="System.Diagnostics.ActivitySource"/> the server exports.</summary>
    public static readonly string[] Sources =
        [AgentTelemetry.SourceName, GatewayTelemetry.SourceName, ToolTelemetry.SourceName, "Microsoft.AspNetCore"];

    /// <summary>The settings any one of which turns OTLP export on.</summary>
    public static readonly string[] EndpointKeys =
        ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"];

    /// <summary>True when <paramref name="configuration"/> names an OTLP endpoint (for all signals or for one).</summary>
    public static bool IsOtlpEnabled(IConfiguration configuration) =>
        EndpointKeys.Any(key => !string.IsNullOrWhiteSpace(configuration[key]));

    public static IServiceCollection AddServerTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var telemetry = services.AddOpenTelemetry();
        if (string.IsNullOrWhiteSpace(configuration["OTEL_SERVICE_NAME"]))
        {
            // Only as a default: the SDK's own resource detector applies OTEL_SERVICE_NAME, which an explicit name would override.
            telemetry.ConfigureResource(resource => resource.AddService(ServiceName));
        }

        if (IsOtlpEnabled(configuration))
        {
            UseOtlp(telemetry);
        }

        return services;
    }

    // Its own method: the JIT loads the assemblies a method calls into when it compiles it, so a server without an OTLP
    // endpoint never loads the OTLP exporter.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void UseOtlp(IOpenTelemetryBuilder telemetry) =>
        telemetry.WithTracing(tracing => tracing.AddSource(Sources)).UseOtlpExporter();
}
