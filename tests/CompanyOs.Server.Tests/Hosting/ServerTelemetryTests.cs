using System.Diagnostics;
using CompanyOs.Llm.Gateway.Telemetry;
using CompanyOs.Server.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace CompanyOs.Server.Tests.Hosting;

/// <summary>Telemetry is exported over OTLP only when an endpoint is configured; otherwise no tracer provider exists.</summary>
public sealed class ServerTelemetryTests
{
    [Fact]
    public void Without_an_OTLP_endpoint_no_tracer_provider_is_registered()
    {
        using var services = Build(new Dictionary<string, string?>());

        Assert.Null(services.GetService<TracerProvider>());
    }

    [Theory]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT")]
    [InlineData("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")]
    [InlineData("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT")]
    public void With_an_OTLP_endpoint_the_product_sources_are_traced(string key)
    {
        using var services = Build(new Dictionary<string, string?> { [key] = "http://127.0.0.1:4317" });

        Assert.NotNull(services.GetService<TracerProvider>());
        using var probe = new ActivitySource(GatewayTelemetry.SourceName);
        Assert.True(probe.HasListeners(), "the tracer provider listens to the gateway's source");
        Assert.Contains(CompanyOs.Agents.Runtime.AgentTelemetry.SourceName, ServerTelemetry.Sources);
        Assert.Contains(CompanyOs.Tools.Registry.ToolTelemetry.SourceName, ServerTelemetry.Sources);
        Assert.Contains(CompanyOs.Agents.Runtime.AgentTelemetry.MeterName, ServerMetrics.Meters);
        Assert.Contains(CompanyOs.Llm.Gateway.Stats.GatewayStats.MeterName, ServerMetrics.Meters);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddServerTelemetry(configuration);
        return services.BuildServiceProvider();
    }
}
