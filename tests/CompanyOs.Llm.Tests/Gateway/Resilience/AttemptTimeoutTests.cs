using CompanyOs.Emulator;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Errors;
using CompanyOs.Llm.Gateway;
using CompanyOs.Llm.Providers;
using CompanyOs.Llm.Tests.Gateway.Fakes;
using Microsoft.Extensions.AI;

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

    /// <summary>
    /// On the system clock the attempt's cancellation source is reused across calls: a reused one must start uncancelled, still
    /// time out, and not be reachable by an earlier caller's token (the link is removed before reuse). Real time, bounded.
    /// </summary>
    [Fact]
    public async Task Reused_attempt_timeouts_still_fire_and_are_not_cancelled_by_an_earlier_caller()
    {
        var options = TestOptions.Create(TestOptions.ProviderA() with { Timeout = TimeSpan.FromMilliseconds(300), MaxRetries = 0, FallbackProvider = null });
        var provider = new WaitingClient();
        using var gateway = LlmGateway.CreateBuilder(options, new SingleClientFactory(provider)).Build();

        using (var earlier = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            await gateway.GetResponseAsync("quick", cancellationToken: earlier.Token);
            await earlier.CancelAsync();
        }

        // Answers after 50 ms: cancelled only if the earlier caller's cancellation still reached this attempt's source.
        var answer = await gateway.GetResponseAsync("wait 50", cancellationToken: Ct);
        Assert.Equal("ok", answer.Text);

        var started = DateTime.UtcNow;
        var error = await Assert.ThrowsAsync<ProviderException>(() => gateway.GetResponseAsync("hang", cancellationToken: Ct));
        Assert.Equal(ProviderErrorKind.Timeout, error.Kind);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(30));

        Assert.Equal("ok", (await gateway.GetResponseAsync("quick", cancellationToken: Ct)).Text);
        Assert.Equal(0, provider.StartedCancelled);
    }

    /// <summary>Answers at once ("quick"), after a delay ("wait N" ms) or never ("hang"), honouring the attempt's token.</summary>
    private sealed class WaitingClient : IChatClient
    {
        private int _startedCancelled;

        public int StartedCancelled => Volatile.Read(ref _startedCancelled);

        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref _startedCancelled);
            }

            var prompt = messages.Last().Text;
            if (prompt == "hang")
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            else if (prompt.StartsWith("wait ", StringComparison.Ordinal))
            {
                await Task.Delay(int.Parse(prompt[5..], System.Globalization.CultureInfo.InvariantCulture), cancellationToken);
            }

            return new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")) { ModelId = options?.ModelId };
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
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
