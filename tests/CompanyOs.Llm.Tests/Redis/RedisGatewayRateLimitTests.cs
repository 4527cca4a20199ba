using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Gateway;
using CompanyOs.Llm.Gateway.RateLimiting;
using CompanyOs.Llm.Redis;
using CompanyOs.Llm.Tests.Gateway.Fakes;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Tests.Redis;

/// <summary>A provider's RPM/TPM held by two gateways (two instances) through Redis, via <see cref="GatewayBuilder.WithRateLimiterFactory"/>.</summary>
public sealed class RedisGatewayRateLimitTests
{
    private static LlmOptions Limited(int rpm, int tpm) => TestOptions.Create() with
    {
        Providers = new Dictionary<string, ProviderOptions>
        {
            ["a"] = TestOptions.ProviderA() with { RateLimitRpm = rpm, RateLimitTpm = tpm, FallbackProvider = null, MaxRetries = 0 },
        },
        RateLimits = new RateLimitPolicyOptions { Mode = RateLimitMode.FailFast },
    };

    [Fact]
    public async Task Two_gateways_share_a_providers_rpm_and_correct_tpm_estimates_with_actual_usage()
    {
        var prefix = TestRedis.NewPrefix();
        using var a = TestRedis.Connect(prefix, instances: 2);
        using var b = TestRedis.Connect(prefix, instances: 2);
        var providersA = new FakeProviderFactory(TimeProvider.System);
        var providersB = new FakeProviderFactory(TimeProvider.System);
        providersA["a"].Usage = providersB["a"].Usage = new UsageDetails { InputTokenCount = 40, OutputTokenCount = 60, TotalTokenCount = 100 };
        using var first = LlmGateway.CreateBuilder(Limited(rpm: 3, tpm: 10_000), providersA).WithRateLimiterFactory(new RedisRateLimiterFactory(a)).Build();
        using var second = LlmGateway.CreateBuilder(Limited(rpm: 3, tpm: 10_000), providersB).WithRateLimiterFactory(new RedisRateLimiterFactory(b)).Build();
        var options = new ChatOptions { MaxOutputTokens = 2_000 };
        var ct = TestContext.Current.CancellationToken;

        await GatewayCalls.CallAsync(first, false, options, cancellationToken: ct);
        await GatewayCalls.CallAsync(second, true, options, cancellationToken: ct);
        await GatewayCalls.CallAsync(first, false, options, cancellationToken: ct);
        var refused = await Assert.ThrowsAsync<RateLimitedException>(() => GatewayCalls.CallAsync(second, false, options, cancellationToken: ct));

        Assert.Equal("a", refused.Provider);
        Assert.NotNull(refused.RetryAfter);
        Assert.Equal(3, providersA["a"].Attempts + providersB["a"].Attempts);
        // Each call reserved its estimate (≥ 2,000 tokens) and was corrected to its usage (100): the shared window holds 300.
        await Poll.UntilAsync(() => second.Services.GetRateLimitState("a") is { Tokens: 300 } || Refresh(second), "the corrections reaching Redis",
            cancellationToken: ct);
    }

    /// <summary>A limiter shows the window as of its last check with Redis: a (refused) check refreshes it.</summary>
    private static bool Refresh(LlmGateway gateway)
    {
        gateway.Services.RateLimiters.For("a")!.AttemptAcquire(0).Dispose();
        return false;
    }
}
