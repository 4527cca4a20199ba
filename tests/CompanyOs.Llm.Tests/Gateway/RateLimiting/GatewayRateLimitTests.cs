using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Gateway;
using CompanyOs.Llm.Gateway.RateLimiting;
using CompanyOs.Llm.Tests.Gateway.Fakes;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Tests.Gateway.RateLimiting;

public sealed class GatewayRateLimitTests
{
    private static LlmOptions Limited(int rpm, int tpm, RateLimitMode mode = RateLimitMode.Wait) => TestOptions.Create() with
    {
        Providers = new Dictionary<string, ProviderOptions>
        {
            ["a"] = TestOptions.ProviderA() with { RateLimitRpm = rpm, RateLimitTpm = tpm, FallbackProvider = null },
        },
        RateLimits = new RateLimitPolicyOptions { Mode = mode, MaxWait = TimeSpan.FromMinutes(30) },
        Retry = TestOptions.Create().Retry with { TotalDeadline = TimeSpan.FromMinutes(30) },
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_burst_of_calls_keeps_every_60_second_window_within_rpm_and_tpm(bool streaming)
    {
        var time = FakeClock.Create();
        var factory = new FakeProviderFactory(time);
        factory["a"].Usage = new UsageDetails { InputTokenCount = 40, OutputTokenCount = 60, TotalTokenCount = 100 };
        using var gateway = LlmGateway.CreateBuilder(Limited(rpm: 10, tpm: 500), factory).WithTimeProvider(time).Build();
        var options = new ChatOptions { MaxOutputTokens = 150 };

        var calls = Enumerable.Range(0, 24)
            .Select(i => Task.Run(() => GatewayCalls.CallAsync(gateway, streaming, options, prompt: $"question {i}", cancellationToken: TestContext.Current.CancellationToken)))
            .ToArray();
        var limiter = gateway.Services.RateLimiters.For(gateway.Services.Options.Providers["a"])!;
        await FakeClock.AdvanceUntilAsync(time, () => calls.All(c => c.IsCompleted), () => factory["a"].Attempts, TimeSpan.FromSeconds(5),
            ready: () => factory["a"].Attempts >= limiter.GetStatistics()!.TotalSuccessfulLeases && calls.Count(c => c.IsCompleted) >= factory["a"].Attempts);
        await Task.WhenAll(calls);

        var attempts = factory["a"].AttemptTimes.Order().ToArray();
        Assert.Equal(24, attempts.Length);
        for (var i = 0; i < attempts.Length; i++)
        {
            var inWindow = attempts.Count(t => t >= attempts[i] && t < attempts[i] + TimeSpan.FromMinutes(1));
            Assert.True(inWindow <= 10, $"{inWindow} requests within 60 s of {attempts[i]:HH:mm:ss}");
            Assert.True(inWindow * 100 <= 500, $"{inWindow * 100} tokens (real usage) within 60 s of {attempts[i]:HH:mm:ss}");
        }

        Assert.True(attempts[^1] - attempts[0] >= TimeSpan.FromMinutes(4), "24 requests of 100 tokens at 500 TPM need at least four full windows");
    }

    [Fact]
    public async Task Fail_fast_mode_refuses_with_a_typed_error_and_retry_after()
    {
        var time = FakeClock.Create();
        var factory = new FakeProviderFactory(time);
        using var gateway = LlmGateway.CreateBuilder(Limited(rpm: 2, tpm: 100_000, RateLimitMode.FailFast), factory).WithTimeProvider(time).Build();
        var ct = TestContext.Current.CancellationToken;

        await GatewayCalls.CallAsync(gateway, false, cancellationToken: ct);
        await GatewayCalls.CallAsync(gateway, true, cancellationToken: ct);
        var error = await Assert.ThrowsAsync<RateLimitedException>(() => GatewayCalls.CallAsync(gateway, false, cancellationToken: ct));

        Assert.Equal("a", error.Provider);
        Assert.Equal(TimeSpan.FromMinutes(1), error.RetryAfter);
        Assert.Equal(2, factory["a"].Attempts);
        Assert.Equal(1, gateway.GetStats().Rows.Single().Errors["local_rate_limit"]);
    }

    [Fact]
    public async Task A_request_that_can_never_fit_the_tpm_is_refused_with_a_clear_message()
    {
        var factory = new FakeProviderFactory(TimeProvider.System);
        using var gateway = LlmGateway.CreateBuilder(Limited(rpm: 100, tpm: 1_000), factory).Build();

        var error = await Assert.ThrowsAsync<RateLimitedException>(() =>
            GatewayCalls.CallAsync(gateway, false, new ChatOptions { MaxOutputTokens = 5_000 }, cancellationToken: TestContext.Current.CancellationToken));

        // Users set max_tokens / max_output_tokens, never the .NET property name (issue 15, defect 9).
        Assert.Contains("output token limit (max_tokens on the wire, max_output_tokens of an agent)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("MaxOutputTokens", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, factory["a"].Attempts);
    }

    [Theory]
    [InlineData(false, 30, 10)]
    [InlineData(true, 30, 10)]
    [InlineData(false, 10, 30)]
    [InlineData(true, 10, 30)]
    public async Task A_long_rpm_wait_is_a_rate_limit_error_whichever_deadline_fires_first(bool streaming, int totalDeadlineSeconds, int maxWaitSeconds)
    {
        var time = FakeClock.Create();
        var factory = new FakeProviderFactory(time);
        var options = Limited(rpm: 1, tpm: 100_000) with
        {
            RateLimits = new RateLimitPolicyOptions { MaxWait = TimeSpan.FromSeconds(maxWaitSeconds) },
            Retry = TestOptions.Create().Retry with { TotalDeadline = TimeSpan.FromSeconds(totalDeadlineSeconds) },
        };
        using var gateway = LlmGateway.CreateBuilder(options, factory).WithTimeProvider(time).Build();
        var ct = TestContext.Current.CancellationToken;
        await GatewayCalls.CallAsync(gateway, streaming, cancellationToken: ct);

        // The next permit comes 60 s after the first call, later than either deadline.
        var error = await Assert.ThrowsAsync<RateLimitedException>(() =>
            TimeDriver.RunAsync(time, () => GatewayCalls.CallAsync(gateway, streaming, cancellationToken: ct), TimeSpan.FromSeconds(1)));

        Assert.Equal("a", error.Provider);
        Assert.Equal(1, factory["a"].Attempts);
        Assert.Equal(1, gateway.GetStats().Rows.Single().Errors["local_rate_limit"]);
    }

    [Fact]
    public async Task A_fallback_provider_that_times_out_after_a_rate_limit_wait_is_a_provider_timeout()
    {
        var time = FakeClock.Create();
        var factory = new FakeProviderFactory(time);
        var options = TestOptions.Create(
            TestOptions.ProviderA() with { RateLimitRpm = 1, MaxRetries = 0 },
            TestOptions.ProviderB() with { MaxRetries = 0 }) with
        {
            RateLimits = new RateLimitPolicyOptions { MaxWait = TimeSpan.FromSeconds(5) },
            Retry = TestOptions.Create().Retry with { TotalDeadline = TimeSpan.FromSeconds(10) },
        };
        using var gateway = LlmGateway.CreateBuilder(options, factory).WithTimeProvider(time).Build();
        var ct = TestContext.Current.CancellationToken;
        await GatewayCalls.CallAsync(gateway, false, cancellationToken: ct);
        factory["b"].OnAttempt = token => Task.Delay(Timeout.Infinite, token);

        // a: no permit within max_wait → fallback to b, which hangs until b's total deadline (before its 30 s attempt timeout).
        var error = await Assert.ThrowsAsync<CompanyOs.Llm.Errors.ProviderException>(() =>
            TimeDriver.RunAsync(time, () => GatewayCalls.CallAsync(gateway, false, cancellationToken: ct), TimeSpan.FromSeconds(1)));

        Assert.Equal(("b", CompanyOs.Llm.Errors.ProviderErrorKind.Timeout), (error.Provider, error.Kind));
        Assert.Equal((1, 1), (factory["a"].Attempts, factory["b"].Attempts));
    }

    [Fact]
    public async Task A_waiting_call_can_be_cancelled()
    {
        var time = FakeClock.Create();
        var factory = new FakeProviderFactory(time);
        using var gateway = LlmGateway.CreateBuilder(Limited(rpm: 1, tpm: 100_000), factory).WithTimeProvider(time).Build();
        await GatewayCalls.CallAsync(gateway, false, cancellationToken: TestContext.Current.CancellationToken);
        using var cancel = new CancellationTokenSource();

        var waiting = GatewayCalls.CallAsync(gateway, false, cancellationToken: cancel.Token);
        await Task.Delay(20, TestContext.Current.CancellationToken);
        Assert.False(waiting.IsCompleted);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(1, factory["a"].Attempts);
    }
}
