using System.Runtime.CompilerServices;
using CompanyOs.Agents.Runtime;
using CompanyOs.Llm.Gateway.Telemetry;
using CompanyOs.Tools.Registry;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
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
        var named = !string.IsNullOrWhiteSpace(configuration["OTEL_SERVICE_NAME"]);
        services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.SetResourceBuilder(Resource(named)));
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.SetResourceBuilder(Resource(named)));
        services.ConfigureOpenTelemetryLoggerProvider(logging => logging.SetResourceBuilder(Resource(named)));
        if (IsOtlpEnabled(configuration))
        {
            UseOtlp(telemetry);
        }

        return services;
    }

    /// <summary>
    /// A signal's resource: what <see cref="ResourceBuilder.CreateDefault"/> gives (the SDK's attributes, then
    /// <c>OTEL_RESOURCE_ATTRIBUTES</c> and <c>OTEL_SERVICE_NAME</c>), then <see cref="ServiceName"/> unless
    /// <paramref name="named"/> (only as a default: an explicit name would override the variable). Built from an empty one:
    /// the default one starts with a service name made from the process's name, which the name added here or the variable
    /// always replaces, and reading it loads System.Diagnostics.Process into the server for nothing.
    /// </summary>
    private static ResourceBuilder Resource(bool named)
    {
        var resource = ResourceBuilder.CreateEmpty().AddTelemetrySdk().AddEnvironmentVariableDetector();
        return named ? resource : resource.AddService(ServiceName);
    }

    // Its own method: the JIT loads the assemblies a method calls into when it compiles it, so a server without an OTLP
    // endpoint never loads the OTLP exporter.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void UseOtlp(IOpenTelemetryBuilder telemetry) =>
        telemetry.WithTracing(tracing => tracing.AddSource(Sources)).UseOtlpExporter();
}
