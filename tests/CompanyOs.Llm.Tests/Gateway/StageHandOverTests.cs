using CompanyOs.Llm.Calls;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Errors;
using CompanyOs.Llm.Gateway;
using CompanyOs.Llm.Gateway.Budgets;
using CompanyOs.Llm.Tests.Gateway.Fakes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace CompanyOs.Llm.Tests.Gateway;

/// <summary>
/// When a call waits for its provider, the budget stage hands its settlement to the resilience stage and the rate-limit stage
/// hands its permit to the provider-call stage, so that the call waits in fewer async states. Whatever the outcome — an
/// answer, a failure, a retried failure, the caller's cancellation — the reservation is settled exactly once with what the
/// call spent, and the permit is corrected with the provider's usage when it answered.
/// </summary>
public sealed class StageHandOverTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly RecordingSpendStore _store = new();

    public enum Outcome
    {
        Answered,
        Failed,
        RetriedThenAnswered,
        Cancelled,
    }

    [Theory]
    [InlineData(Outcome.Answered)]
    [InlineData(Outcome.Failed)]
    [InlineData(Outcome.RetriedThenAnswered)]
    [InlineData(Outcome.Cancelled)]
    public async Task A_call_that_waits_for_its_provider_settles_its_budget_once_and_corrects_its_permit(Outcome outcome)
    {
        using var provider = new HeldClient();
        var options = TestOptions.Create(TestOptions.ProviderA() with { FallbackProvider = null, RateLimitRpm = 1_000, RateLimitTpm = 1_000_000 }) with
        {
            Budgets = new BudgetOptions { PerRun = new BudgetLimit(MaxTokens: 10_000) },
        };
        using var gateway = LlmGateway.CreateBuilder(options, new SingleClientFactory(provider)).WithSpendStore(_store).WithTimeProvider(_time).Build();
        var limiter = gateway.Services.RateLimiters.For(gateway.Services.Options.Providers["a"])!;
        using var caller = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var chatOptions = new ChatOptions { MaxOutputTokens = 50 }.WithCallContext(new LlmCallContext { OrgId = "acme", RunId = "r" });
        if (outcome == Outcome.RetriedThenAnswered)
        {
            provider.FailFirst = true;
        }

        var call = Task.Run(() => gateway.GetResponseAsync("hold", chatOptions, caller.Token), Ct);
        await provider.HeldEntered.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        // While the provider holds the answer: the reservation is held, not settled, and the permit counts the estimate.
        Assert.Single(_store.Reservations);
        Assert.Empty(_store.Settlements);
        var estimate = _store.Reservations[0].Tokens;
        Assert.True(estimate > 50, $"estimate {estimate}");
        var held = limiter.GetWindowState();

        switch (outcome)
        {
            case Outcome.Answered:
            case Outcome.RetriedThenAnswered:
                provider.Release(null);
                var answer = await TimeDriver.RunAsync(_time, () => call);
                Assert.Equal("held answer", answer.Text);
                Assert.Equal(outcome == Outcome.Answered ? 1 : 2, LlmCallInfo.From(answer)!.Attempts);
                break;
            case Outcome.Failed:
                provider.Release(400);
                var error = await Assert.ThrowsAsync<ProviderException>(() => call);
                Assert.Equal(ProviderErrorKind.BadRequest, error.Kind);
                break;
            case Outcome.Cancelled:
                await caller.CancelAsync();
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
                break;
        }

        var settlement = Assert.Single(_store.Settlements);
        Assert.Equal(_store.Reservations[0], settlement.Reserved);
        var answered = outcome is Outcome.Answered or Outcome.RetriedThenAnswered;
        Assert.Equal(answered ? 120 : 0, settlement.Actual.Tokens);
        Assert.Equal(answered ? 120 : 0, (await _store.GetSpentAsync(new BudgetScope(BudgetScopeKind.Run, "r"), Ct)).Tokens);

        // The answering attempt's permit now counts the provider's usage instead of its estimate; a failed attempt keeps its estimate.
        var after = limiter.GetWindowState();
        Assert.Equal(1L, held.Requests);
        Assert.Equal(outcome == Outcome.RetriedThenAnswered ? 2L : 1L, after.Requests);
        Assert.Equal(outcome switch
        {
            Outcome.Answered => 120,
            Outcome.RetriedThenAnswered => held.Tokens + 120,
            _ => held.Tokens,
        }, after.Tokens);
        Assert.NotEqual(120, held.Tokens);
    }

    /// <summary>"hold" waits for <see cref="Release"/> (optionally after one retriable failure), then answers with usage 100 + 20.</summary>
    private sealed class HeldClient : IChatClient
    {
        private readonly TaskCompletionSource<int?> _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _attempts;

        public TaskCompletionSource HeldEntered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The first attempt, once released, fails with a retriable 503; the retry answers at once.</summary>
        public bool FailFirst { get; set; }

        public void Release(int? status) => _release.SetResult(status);

        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var attempt = Interlocked.Increment(ref _attempts);
            if (attempt == 1)
            {
                HeldEntered.TrySetResult();
                if (await _release.Task.WaitAsync(cancellationToken) is { } status)
                {
                    throw MatrixFault.Status(status).ToException("a");
                }

                if (FailFirst)
                {
                    throw MatrixFault.Status(503).ToException("a");
                }
            }

            return new ChatResponse(new ChatMessage(ChatRole.Assistant, "held answer"))
            {
                ModelId = options?.ModelId,
                Usage = new UsageDetails { InputTokenCount = 100, OutputTokenCount = 20, TotalTokenCount = 120 },
            };
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    /// <summary>An in-memory store that records every reservation and settlement.</summary>
    private sealed class RecordingSpendStore : ISpendStore
    {
        private readonly InMemorySpendStore _inner = new();

        public List<SpendAmount> Reservations { get; } = [];

        public List<(SpendAmount Reserved, SpendAmount Actual)> Settlements { get; } = [];

        public ValueTask<ReservationResult> TryReserveAsync(IReadOnlyList<BudgetCheck> checks, SpendAmount amount, CancellationToken cancellationToken = default)
        {
            lock (Reservations)
            {
                Reservations.Add(amount);
            }

            return _inner.TryReserveAsync(checks, amount, cancellationToken);
        }

        public ValueTask SettleAsync(IReadOnlyList<BudgetCheck> checks, SpendAmount reserved, SpendAmount actual, CancellationToken cancellationToken = default)
        {
            lock (Reservations)
            {
                Settlements.Add((reserved, actual));
            }

            return _inner.SettleAsync(checks, reserved, actual, cancellationToken);
        }

        public ValueTask<SpendAmount> GetSpentAsync(BudgetScope scope, CancellationToken cancellationToken = default) => _inner.GetSpentAsync(scope, cancellationToken);
    }
}
