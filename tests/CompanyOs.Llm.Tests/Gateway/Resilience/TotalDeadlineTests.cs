using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Errors;
using CompanyOs.Llm.Gateway;
using CompanyOs.Llm.Gateway.Resilience;
using CompanyOs.Llm.Gateway.Routing;
using CompanyOs.Llm.Tests.Gateway.Fakes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;

namespace CompanyOs.Llm.Tests.Gateway.Resilience;

/// <summary>
/// <c>retry.total_deadline</c>: all attempts, backoff and rate-limit waits on one provider together. It is the resilience
/// stage's own cancellation source (pooled), not a Polly timeout strategy; these pin what it does (the rate-limit side is in
/// <c>GatewayRateLimitTests</c>).
/// </summary>
public sealed class TotalDeadlineTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_deadline_passing_during_the_backoff_fails_the_call_as_a_provider_timeout_without_another_attempt(bool streaming)
    {
        var time = FakeClock.Create();
        var factory = new FakeProviderFactory(time);
        var options = TestOptions.Create(TestOptions.ProviderA() with { MaxRetries = 5, FallbackProvider = null }) with
        {
            Retry = TestOptions.Create().Retry with { TotalDeadline = TimeSpan.FromSeconds(30) },
        };
        factory["a"].Enqueue(MatrixFault.Status(503, retryAfter: TimeSpan.FromSeconds(20)), times: 5);
        using var gateway = LlmGateway.CreateBuilder(options, factory).WithTimeProvider(time).Build();
        var started = time.GetUtcNow();

        // Attempts at 0 s and 20 s; the retry due at 40 s is never made: the deadline passes at 30 s, during the wait. Time moves
        // only once the call has settled, so that each timer is set at the fake instant it would be.
        var call = GatewayCalls.CallAsync(gateway, streaming, cancellationToken: Ct);
        await FakeClock.AdvanceUntilAsync(time, () => call.IsCompleted, () => factory["a"].Attempts, TimeSpan.FromSeconds(1), maxSteps: 100);
        var error = await Assert.ThrowsAsync<ProviderException>(() => call);

        Assert.Equal(("a", ProviderErrorKind.Timeout), (error.Provider, error.Kind));
        Assert.Contains("total deadline of 00:00:30", error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<OperationCanceledException>(error.InnerException);
        Assert.Equal([TimeSpan.Zero, TimeSpan.FromSeconds(20)], factory["a"].AttemptTimes.Select(t => t - started));
        Assert.Equal(TimeSpan.FromSeconds(30), time.GetUtcNow() - started);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_deadline_shorter_than_the_attempt_timeout_ends_a_hanging_attempt(bool streaming)
    {
        var time = FakeClock.Create();
        var factory = new FakeProviderFactory(time);
        var options = TestOptions.Create(TestOptions.ProviderA() with { MaxRetries = 2, FallbackProvider = null }) with
        {
            Retry = TestOptions.Create().Retry with { TotalDeadline = TimeSpan.FromSeconds(10) },
        };
        factory["a"].OnAttempt = token => Task.Delay(Timeout.Infinite, token);
        using var gateway = LlmGateway.CreateBuilder(options, factory).WithTimeProvider(time).Build();

        var call = GatewayCalls.CallAsync(gateway, streaming, cancellationToken: Ct);
        await Poll.UntilAsync(() => factory["a"].Attempts == 1, "the attempt started", cancellationToken: Ct);
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(call.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        var error = await Assert.ThrowsAsync<ProviderException>(() => call);

        Assert.Equal(ProviderErrorKind.Timeout, error.Kind);
        Assert.Contains("total deadline", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, factory["a"].Attempts);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_callers_cancellation_is_a_cancellation_not_a_deadline(bool streaming)
    {
        var time = FakeClock.Create();
        var factory = new FakeProviderFactory(time);
        var options = TestOptions.Create(TestOptions.ProviderA() with { FallbackProvider = null });
        factory["a"].OnAttempt = token => Task.Delay(Timeout.Infinite, token);
        using var gateway = LlmGateway.CreateBuilder(options, factory).WithTimeProvider(time).Build();
        using var caller = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var call = GatewayCalls.CallAsync(gateway, streaming, cancellationToken: caller.Token);
        await Poll.UntilAsync(() => factory["a"].Attempts == 1, "the attempt started", cancellationToken: Ct);
        await caller.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Equal(1, factory["a"].Attempts);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(86_400_001)]
    public void A_deadline_outside_10_ms_to_1_day_is_refused_when_the_gateway_is_built(int milliseconds)
    {
        var options = TestOptions.Create() with { Retry = TestOptions.Create().Retry with { TotalDeadline = TimeSpan.FromMilliseconds(milliseconds) } };

        var error = Assert.Throws<ConfigurationException>(() => LlmGateway.CreateBuilder(options, new FakeProviderFactory(TimeProvider.System)).Build());

        Assert.Equal("retry.total_deadline", error.KeyPath);
    }

    /// <summary>
    /// The stage's own allocations for a call whose answer comes later (as every answer from the network does): with the
    /// deadline a pooled source of the stage and the attempt's adapter pooled, what is left is Polly's retry and breaker states
    /// and this stage's task. Measured 1,040 B per call in the tests' Debug build (whose async methods allocate their state);
    /// a Polly timeout strategy in the pipeline adds ≈ 300 B more and does not fit.
    /// </summary>
    [Fact]
    public void A_call_answered_later_allocates_only_the_retry_and_breaker_states_and_the_stages_task()
    {
        var perCall = Measure(TestOptions.Create(TestOptions.ProviderA() with { FallbackProvider = null }));
        Assert.True(perCall < 1_200, $"{perCall} bytes per call");
    }

    private static long Measure(LlmOptions options)
    {
        var provider = options.Providers["a"];
        var pipelines = new ResiliencePipelines(options, TimeProvider.System, NullLogger.Instance);
        var inner = new LaterClient();
        using var stage = new ResilienceChatClient(inner, pipelines, options.Retry.TotalDeadline, TimeProvider.System);
        var response = new ChatResponse();
        ChatMessage[] messages = [new(ChatRole.User, "hi")];
        const int Calls = 200;
        var calls = new GatewayChatOptions[Calls];
        var answers = new TaskCompletionSource<ChatResponse>[Calls];
        long allocated = 0;
        for (var round = 0; round < 3; round++) // the first rounds fill the pools (sources, contexts, pooled async states)
        {
            for (var i = 0; i < Calls; i++)
            {
                calls[i] = new GatewayChatOptions(null, new GatewayCall(new ModelRoute(provider, "gpt-4o-mini"), null, 0));
                answers[i] = new TaskCompletionSource<ChatResponse>(); // continuations run inline, on this thread
            }

            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < Calls; i++)
            {
                inner.Next = answers[i].Task;
                var call = stage.GetResponseAsync(messages, calls[i], CancellationToken.None);
                answers[i].SetResult(response);
                Assert.True(call.IsCompletedSuccessfully); // completed inline, by SetResult
            }

            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        return allocated / Calls;
    }

    private sealed class LaterClient : IChatClient
    {
        public Task<ChatResponse>? Next { get; set; }

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            Next ?? throw new InvalidOperationException("no answer set");

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
