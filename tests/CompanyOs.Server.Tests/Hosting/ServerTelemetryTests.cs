using System.Diagnostics;
using CompanyOs.Llm.Gateway.Telemetry;
using CompanyOs.Server.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace CompanyOs.Server.Tests.Hosting;

/// <summary>
/// Telemetry is exported over OTLP only when an endpoint is configured; otherwise no tracer provider exists. Every signal's
/// resource is the SDK's default one with the service named <c>companyos</c> unless <c>OTEL_SERVICE_NAME</c> names it.
/// </summary>
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

    [Fact]
    public void Every_signal_s_resource_names_the_service_companyos_with_the_SDK_s_attributes()
    {
        using var services = Build(new Dictionary<string, string?> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:4317" });

        foreach (var resource in new[] { Attributes(services.GetRequiredService<MeterProvider>()), Attributes(services.GetRequiredService<TracerProvider>()) })
        {
            Assert.Equal("companyos", resource["service.name"]);
            Assert.True(Guid.TryParse((string)resource["service.instance.id"], out _));
            Assert.Equal("opentelemetry", resource["telemetry.sdk.name"]);
            Assert.Equal("dotnet", resource["telemetry.sdk.language"]);
            Assert.Contains("telemetry.sdk.version", resource.Keys);
        }
    }

    [Fact]
    public void OTEL_SERVICE_NAME_and_OTEL_RESOURCE_ATTRIBUTES_reach_the_resource()
    {
        using var services = Build(new Dictionary<string, string?>
        {
            ["OTEL_SERVICE_NAME"] = "gateway-eu",
            ["OTEL_RESOURCE_ATTRIBUTES"] = "deployment.environment=test,service.name=ignored",
        });

        var resource = Attributes(services.GetRequiredService<MeterProvider>());

        Assert.Equal("gateway-eu", resource["service.name"]);
        Assert.Equal("test", resource["deployment.environment"]);
        Assert.Equal("opentelemetry", resource["telemetry.sdk.name"]);
    }

    [Fact]
    public void Without_OTEL_SERVICE_NAME_the_service_name_wins_over_OTEL_RESOURCE_ATTRIBUTES()
    {
        using var services = Build(new Dictionary<string, string?> { ["OTEL_RESOURCE_ATTRIBUTES"] = "service.name=other,region=eu" });

        var resource = Attributes(services.GetRequiredService<MeterProvider>());

        Assert.Equal("companyos", resource["service.name"]);
        Assert.Equal("eu", resource["region"]);
    }

    private static Dictionary<string, object> Attributes(BaseProvider provider) => provider.GetResource().Attributes.ToDictionary(a => a.Key, a => a.Value);

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddServerMetrics();
        services.AddServerTelemetry(configuration);
        return services.BuildServiceProvider();
    }
}
