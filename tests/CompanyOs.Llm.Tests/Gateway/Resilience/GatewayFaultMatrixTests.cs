using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Errors;
using CompanyOs.Llm.Gateway;
using CompanyOs.Llm.Tests.Gateway.Fakes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace CompanyOs.Llm.Tests.Gateway.Resilience;

/// <summary>
/// The failure matrix of issue 4, for non-streaming and streaming calls: each harness (fakes, emulator) runs the same cases.
/// The gateway's clock is fake, so backoff, Retry-After and breaker durations elapse instantly but are measured exactly.
/// </summary>
public abstract class GatewayFaultMatrixTests
{
    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    protected abstract ValueTask<IFaultHarness> StartAsync();

    public static TheoryData<int, bool> TransientStatuses() => new()
    {
        { 500, false }, { 500, true }, { 502, false }, { 502, true }, { 503, false }, { 503, true }, { 529, false }, { 529, true },
    };

    public static TheoryData<int, bool> ClientErrors() => new() { { 400, false }, { 400, true }, { 401, false }, { 401, true } };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RateLimited_RetryAfter_is_waited_before_the_retry(bool streaming)
    {
        await using var harness = await StartAsync();
        harness.Inject("a", MatrixFault.Status(429, TimeSpan.FromSeconds(3)));
        using var gateway = Build(harness);

        var result = await TimeDriver.RunAsync(Time, () => GatewayCalls.CallAsync(gateway, streaming, cancellationToken: TestContext.Current.CancellationToken));

        var attempts = harness.AttemptTimes("a");
        Assert.Equal(2, attempts.Count);
        Assert.True(attempts[1] - attempts[0] >= TimeSpan.FromSeconds(3), $"waited only {attempts[1] - attempts[0]}");
        Assert.Equal(("a", 2), (result.Info.Provider, result.Info.Attempts));
        Assert.Equal(1, gateway.GetStats().Retries);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Consecutive_calls_each_count_only_their_own_retries_and_attempts(bool streaming)
    {
        // The resilience stage reuses pooled Polly contexts: a context carrying the previous call (its GatewayCall, its
        // attempt) into the next one would show here as retries or attempts counted on the wrong call.
        await using var harness = await StartAsync();
        using var gateway = Build(harness);
        harness.Inject("a", MatrixFault.Status(503));
        var first = await TimeDriver.RunAsync(Time, () => GatewayCalls.CallAsync(gateway, streaming, cancellationToken: TestContext.Current.CancellationToken));
        var clean = await TimeDriver.RunAsync(Time, () => GatewayCalls.CallAsync(gateway, streaming, cancellationToken: TestContext.Current.CancellationToken));
        harness.Inject("a", MatrixFault.Status(503));
        var third = await TimeDriver.RunAsync(Time, () => GatewayCalls.CallAsync(gateway, streaming, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal([2, 1, 2], new[] { first.Info.Attempts, clean.Info.Attempts, third.Info.Attempts });
        Assert.Equal(2, gateway.GetStats().Retries);
    }

    [Theory]
    [MemberData(nameof(TransientStatuses))]
    public async Task Transient_status_is_retried_then_succeeds(int status, bool streaming)
    {
        await using var harness = await StartAsync();
        harness.Inject("a", MatrixFault.Status(status));
        using var gateway = Build(harness);

        var result = await TimeDriver.RunAsync(Time, () => GatewayCalls.CallAsync(gateway, streaming, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(2, harness.AttemptTimes("a").Count);
        Assert.Empty(harness.AttemptTimes("b"));
        Assert.Equal(("a", 2), (result.Info.Provider, result.Info.Attempts));
        Assert.False(string.IsNullOrWhiteSpace(result.Text));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Connection_reset_is_retried_then_succeeds(bool streaming)
    {
        await using var harness = await StartAsync();
        harness.Inject("a", MatrixFault.Reset());
        using var gateway = Build(harness);

        var result = await TimeDriver.RunAsync(Time, () => GatewayCalls.CallAsync(gateway, streaming, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(("a", 2), (result.Info.Provider, result.Info.Attempts));
    }

    [Theory]
    [MemberData(nameof(ClientErrors))]
    public async Task Client_errors_are_neither_retried_nor_fallen_back(int status, bool streaming)
    {
        await using var harness = await StartAsync();
        harness.Inject("a", MatrixFault.Status(status));
        using var gateway = Build(harness);

        var error = await Assert.ThrowsAsync<ProviderException>(() => TimeDriver.RunAsync(Time, () => GatewayCalls.CallAsync(gateway, streaming, cancellationToken: TestContext.Current.CancellationToken)));

        Assert.Equal(status == 401 ? ProviderErrorKind.Authentication : ProviderErrorKind.BadRequest, error.Kind);
        Assert.Single(harness.AttemptTimes("a"));
        Assert.Empty(harness.AttemptTimes("b"));
        var stats = gateway.GetStats();
        Assert.Equal(1, stats.Errors);
        Assert.Equal(0, stats.Retries);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Retries_exhausted_falls_back_with_the_mapped_model(bool streaming)
    {
        await using var harness = await StartAsync();
        harness.Inject("a", MatrixFault.Status(503), times: 3);
        using var gateway = Build(harness);

        var result = await TimeDriver.RunAsync(Time, () => GatewayCalls.CallAsync(gateway, streaming, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(3, harness.AttemptTimes("a").Count);
        Assert.Single(harness.AttemptTimes("b"));
        Assert.Equal("b", result.Info.Provider);
        Assert.Equal(harness.Options.Providers["b"].FallbackModels["gpt-4o-mini"], result.Info.Model);
        Assert.Equal(["a"], result.Info.FallbackPath);
        Assert.Equal(4, result.Info.Attempts);
        Assert.Equal(1, gateway.GetStats().Fallbacks);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Circuit_breaker_opens_under_sustained_failure_and_recovers(bool streaming)
    {
        await using var harness = await StartAsync();
        harness.Inject("a", MatrixFault.Status(503), times: 1000);
        using var gateway = Build(harness, o => o with { Providers = o.Providers.ToDictionary(p => p.Key, p => p.Key == "a" ? p.Value with { MaxRetries = 0 } : p.Value) });

        for (var i = 0; i < 4; i++)
        {
            // No retries on "a" and "b" answers at once: no fake time needs to pass, so the sampling window holds all four.
            var fellBack = await GatewayCalls.CallAsync(gateway, streaming, cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal("b", fellBack.Info.Provider);
        }

        Assert.Equal(4, harness.AttemptTimes("a").Count);
        var whileOpen = await GatewayCalls.CallAsync(gateway, streaming, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(4, harness.AttemptTimes("a").Count);
        Assert.Equal("b", whileOpen.Info.Provider);
        Assert.Equal(["a"], whileOpen.Info.FallbackPath);

        harness.ClearFaults("a");
        Time.Advance(TimeSpan.FromSeconds(11));
        var probe = await GatewayCalls.CallAsync(gateway, streaming, cancellationToken: TestContext.Current.CancellationToken);
        var closed = await GatewayCalls.CallAsync(gateway, streaming, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(("a", "a"), (probe.Info.Provider, closed.Info.Provider));
        Assert.Equal(6, harness.AttemptTimes("a").Count);
    }

    [Fact]
    public async Task Stream_cut_before_the_first_chunk_is_retried()
    {
        await using var harness = await StartAsync();
        harness.Inject("a", MatrixFault.CutAfter(0));
        using var gateway = Build(harness);

        var result = await TimeDriver.RunAsync(Time, () => GatewayCalls.CallAsync(gateway, streaming: true, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(("a", 2), (result.Info.Provider, result.Info.Attempts));
        Assert.False(string.IsNullOrWhiteSpace(result.Text));
    }

    [Fact]
    public async Task Stream_cut_after_the_first_chunk_surfaces_as_an_error()
    {
        await using var harness = await StartAsync();
        harness.Inject("a", MatrixFault.CutAfter(2));
        using var gateway = Build(harness);
        var received = new List<string>();

        var error = await Assert.ThrowsAsync<ProviderException>(() => TimeDriver.RunAsync(Time, async () =>
        {
            await foreach (var update in ((IChatClient)gateway).GetStreamingResponseAsync("hello", cancellationToken: TestContext.Current.CancellationToken))
            {
                received.Add(update.Text);
            }
        }));

        Assert.Equal(ProviderErrorKind.StreamInterrupted, error.Kind);
        Assert.NotEmpty(received);
        Assert.Single(harness.AttemptTimes("a"));
        Assert.Empty(harness.AttemptTimes("b"));
        Assert.Equal(1, gateway.GetStats().Errors);
    }

    protected LlmGateway Build(IFaultHarness harness, Func<LlmOptions, LlmOptions>? configure = null) =>
        LlmGateway.CreateBuilder(configure?.Invoke(harness.Options) ?? harness.Options, harness.Factory).WithTimeProvider(Time).Build();
}
