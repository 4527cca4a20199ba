using CompanyOs.Agents.Runtime;
using CompanyOs.Llm.Gateway.Telemetry;
using CompanyOs.Tools.Registry;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace CompanyOs.Server.Hosting;

/// <summary>
/// OpenTelemetry traces (GenAI semantic conventions: <c>invoke_agent</c>, <c>chat</c>, <c>execute_tool</c>, plus ASP.NET Core's
/// request spans) exported over OTLP — only when an OTLP endpoint is configured, so that an untraced server has no listener
/// on its sources and starts no span. The exporter reads the standard <c>OTEL_EXPORTER_OTLP_*</c> settings (endpoint,
/// headers, protocol) from configuration, which includes the environment.
/// </summary>
internal static class ServerTracing
{
    /// <summary>The service name in the exported resource unless <c>OTEL_SERVICE_NAME</c> says otherwise.</summary>
    public const string ServiceName = "companyos";

    /// <summary>Every <see cref="System.Diagnostics.ActivitySource"/> the server exports.</summary>
    public static readonly string[] Sources =
        [AgentTelemetry.SourceName, GatewayTelemetry.SourceName, ToolTelemetry.SourceName, "Microsoft.AspNetCore"];

    /// <summary>True when <paramref name="configuration"/> names an OTLP endpoint for traces.</summary>
    public static bool IsEnabled(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"])
        || !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]);

    public static IServiceCollection AddServerTracing(this IServiceCollection services, IConfiguration configuration)
    {
        if (IsEnabled(configuration))
        {
            var telemetry = services.AddOpenTelemetry();
            if (string.IsNullOrWhiteSpace(configuration["OTEL_SERVICE_NAME"]))
            {
                // Only as a default: the SDK's own resource detector applies OTEL_SERVICE_NAME, which an explicit name would override.
                telemetry.ConfigureResource(resource => resource.AddService(ServiceName));
            }

            telemetry.WithTracing(tracing => tracing.AddSource(Sources).AddOtlpExporter());
        }

        return services;
    }
}
