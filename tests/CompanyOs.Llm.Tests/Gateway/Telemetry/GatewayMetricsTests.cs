using System.Diagnostics.Metrics;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Gateway;
using CompanyOs.Llm.Gateway.RateLimiting;
using CompanyOs.Llm.Gateway.Stats;
using CompanyOs.Llm.Tests.Gateway.Fakes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace CompanyOs.Llm.Tests.Gateway.Telemetry;

/// <summary>The gateway's metric instruments: the semantic conventions' units and buckets, rate-limit waits.</summary>
public sealed class GatewayMetricsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void The_GenAI_histograms_advise_the_semantic_conventions_bucket_boundaries()
    {
        using var gateway = LlmGateway.CreateBuilder(TestOptions.Create(), new FakeProviderFactory(TimeProvider.System)).Build();
        var scope = gateway.GetService<GatewayStats>();
        var instruments = new Dictionary<string, Instrument>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Scope == scope)
                {
                    instruments[instrument.Name] = instrument;
                }
            },
        };
        listener.Start();

        var tokens = Assert.IsType<Histogram<long>>(instruments["gen_ai.client.token.usage"]);
        var duration = Assert.IsType<Histogram<double>>(instruments["gen_ai.client.operation.duration"]);
        Assert.Equal("{token}", tokens.Unit);
        Assert.Equal("s", duration.Unit);
        Assert.Equal([1L, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864], tokens.Advice!.HistogramBucketBoundaries!);
        Assert.Equal([0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92], duration.Advice!.HistogramBucketBoundaries!);
        Assert.Equal("USD", instruments["companyos.llm.cost"].Unit);
    }

    [Fact]
    public async Task A_wait_for_a_rate_limit_permit_is_recorded_with_its_duration_and_outcome()
    {
        var time = FakeClock.Create();
        var factory = new FakeProviderFactory(time);
        var options = TestOptions.Create() with
        {
            Providers = new Dictionary<string, ProviderOptions> { ["a"] = TestOptions.ProviderA() with { RateLimitRpm = 1, FallbackProvider = null } },
            RateLimits = new RateLimitPolicyOptions { Mode = RateLimitMode.Wait, MaxWait = TimeSpan.FromMinutes(5) },
            Retry = TestOptions.Create().Retry with { TotalDeadline = TimeSpan.FromMinutes(30) },
        };
        using var gateway = LlmGateway.CreateBuilder(options, factory).WithTimeProvider(time).Build();
        using var waits = new MetricCollector<double>(gateway.GetService<GatewayStats>(), GatewayStats.MeterName, "companyos.llm.rate_limit.wait.duration");

        await GatewayCalls.CallAsync(gateway, false, cancellationToken: Ct);
        Assert.Empty(waits.GetMeasurementSnapshot());
        var second = Task.Run(() => GatewayCalls.CallAsync(gateway, false, cancellationToken: Ct), Ct);
        var limiter = gateway.Services.RateLimiters.For(gateway.Services.Options.Providers["a"])!;
        for (var i = 0; i < 1_000 && limiter.GetStatistics()!.CurrentQueuedCount == 0; i++)
        {
            await Task.Delay(10, Ct);
        }

        time.Advance(TimeSpan.FromMinutes(1));
        await second.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        var wait = Assert.Single(waits.GetMeasurementSnapshot());
        Assert.Equal(60, wait.Value, 3);
        Assert.Equal(("acquired", "a", "openai"), ((string?)wait.Tags["companyos.rate_limit.outcome"], (string?)wait.Tags["companyos.provider"], (string?)wait.Tags["gen_ai.provider.name"]));
        Assert.Equal(2, factory["a"].Attempts);
    }
}
