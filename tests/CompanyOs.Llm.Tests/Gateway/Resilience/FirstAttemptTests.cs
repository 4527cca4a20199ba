using CompanyOs.Llm.Calls;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Errors;
using CompanyOs.Llm.Gateway;
using CompanyOs.Llm.Providers;
using CompanyOs.Llm.Tests.Gateway.Fakes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace CompanyOs.Llm.Tests.Gateway.Resilience;

/// <summary>
/// While a provider's circuit is closed, the resilience stage sends a call's first attempt before its Polly pipeline runs and
/// hands the pipeline that attempt's outcome (one async state per waiting call instead of one per strategy). A circuit that
/// opens while such an attempt is out must not change what the call gets: the answer it was sent for, or the error the
/// pipeline would have ended it with.
/// </summary>
public sealed class FirstAttemptTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Theory]
    [InlineData(null, null)]
    [InlineData(503, ProviderErrorKind.CircuitOpen)]
    [InlineData(400, ProviderErrorKind.BadRequest)]
    public async Task An_attempt_sent_through_a_closed_circuit_ends_as_the_pipeline_would_end_it_when_the_circuit_opens_meanwhile(
        int? heldStatus, ProviderErrorKind? expectedError)
    {
        var provider = new HeldClient();
        var options = TestOptions.Create(TestOptions.ProviderA() with { FallbackProvider = null, MaxRetries = 2 });
        using var gateway = LlmGateway.CreateBuilder(options, new SingleClientFactory(provider)).WithTimeProvider(_time).Build();

        var held = Task.Run(() => gateway.GetResponseAsync("hold", cancellationToken: Ct), Ct);
        await provider.HeldEntered.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        // Other calls fail until the breaker opens; the held call's attempt is still out.
        for (var i = 0; ; i++)
        {
            Assert.True(i < 20, "the circuit did not open");
            var error = await Assert.ThrowsAsync<ProviderException>(
                () => TimeDriver.RunAsync(_time, () => gateway.GetResponseAsync("fail", cancellationToken: Ct)));
            if (error.Kind == ProviderErrorKind.CircuitOpen)
            {
                break;
            }
        }

        var sentBefore = provider.Attempts;
        provider.Release(heldStatus);

        if (expectedError is null)
        {
            var answer = await TimeDriver.RunAsync(_time, () => held);
            Assert.Equal("held answer", answer.Text);
            Assert.Equal(1, LlmCallInfo.From(answer)!.Attempts);
        }
        else
        {
            // 503: the retry it would make is refused by the open circuit; 400: not retried, so the call ends with it as it is.
            var error = await Assert.ThrowsAsync<ProviderException>(() => TimeDriver.RunAsync(_time, () => held));
            Assert.Equal(expectedError, error.Kind);
        }

        Assert.Equal(sentBefore, provider.Attempts);
        Assert.Equal(1, provider.HeldAttempts);
    }

    [Fact]
    public async Task A_failed_first_attempt_is_retried_and_counted_by_the_breaker()
    {
        var provider = new HeldClient();
        var options = TestOptions.Create(TestOptions.ProviderA() with { FallbackProvider = null, MaxRetries = 0 });
        using var gateway = LlmGateway.CreateBuilder(options, new SingleClientFactory(provider)).WithTimeProvider(_time).Build();

        // MinimumThroughput 4 at a failure ratio of 0.5: four failed first attempts open the circuit, the fifth is not sent.
        for (var i = 0; i < 4; i++)
        {
            var error = await Assert.ThrowsAsync<ProviderException>(() => gateway.GetResponseAsync("fail", cancellationToken: Ct));
            Assert.Equal(ProviderErrorKind.Unavailable, error.Kind);
        }

        var refused = await Assert.ThrowsAsync<ProviderException>(() => gateway.GetResponseAsync("fail", cancellationToken: Ct));
        Assert.Equal(ProviderErrorKind.CircuitOpen, refused.Kind);
        Assert.Equal(4, provider.Attempts);
    }

    /// <summary>"hold" waits for <see cref="Release"/>; "fail" fails with a retriable 503; anything else answers at once.</summary>
    private sealed class HeldClient : IChatClient
    {
        private readonly TaskCompletionSource<int?> _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _attempts;
        private int _heldAttempts;

        public TaskCompletionSource HeldEntered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Attempts => Volatile.Read(ref _attempts);

        public int HeldAttempts => Volatile.Read(ref _heldAttempts);

        public void Release(int? status) => _release.SetResult(status);

        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _attempts);
            var prompt = messages.Last().Text;
            if (prompt == "fail")
            {
                throw MatrixFault.Status(503).ToException("a");
            }

            if (prompt == "hold")
            {
                Interlocked.Increment(ref _heldAttempts);
                HeldEntered.TrySetResult();
                if (await _release.Task.WaitAsync(cancellationToken) is { } status)
                {
                    throw MatrixFault.Status(status).ToException("a");
                }

                return new ChatResponse(new ChatMessage(ChatRole.Assistant, "held answer")) { ModelId = options?.ModelId };
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
}
