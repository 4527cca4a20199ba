using CompanyOs.Emulator;
using CompanyOs.Llm.Gateway;
using CompanyOs.Llm.Providers;
using CompanyOs.Llm.Tests.Gateway.Fakes;

namespace CompanyOs.Llm.Tests.Gateway.Resilience;

/// <summary>
/// The per-attempt timeout is enforced once per attempt, by the gateway's provider stage: the real provider client does not
/// start a second timer for the same limit when it runs inside the gateway (it still does on its own, see the provider
/// conformance tests).
/// </summary>
public sealed class AttemptTimeoutTests
{
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(37);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_gateway_call_through_the_real_provider_client_starts_one_per_attempt_timer(bool streaming)
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        var time = new CountingTimeProvider(AttemptTimeout);
        var options = TestOptions.Create(TestOptions.ProviderA(server.OpenAIEndpoint) with { Timeout = AttemptTimeout, MaxRetries = 0, FallbackProvider = null });
        using var gateway = LlmGateway.CreateBuilder(options).WithTimeProvider(time).Build();

        var result = await GatewayCalls.CallAsync(gateway, streaming, cancellationToken: Ct);

        Assert.False(string.IsNullOrEmpty(result.Text));
        Assert.Equal(1, time.TimersWithAttemptTimeout);
    }

    /// <summary>The system clock, counting the timers created with the per-attempt timeout as their due time.</summary>
    private sealed class CountingTimeProvider(TimeSpan watched) : TimeProvider
    {
        private int _count;

        public int TimersWithAttemptTimeout => Volatile.Read(ref _count);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime == watched)
            {
                Interlocked.Increment(ref _count);
            }

            return System.CreateTimer(callback, state, dueTime, period);
        }
    }
}
