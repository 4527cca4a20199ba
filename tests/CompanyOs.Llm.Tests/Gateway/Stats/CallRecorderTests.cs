using CompanyOs.Llm.Calls;
using CompanyOs.Llm.Gateway;
using CompanyOs.Llm.Gateway.Budgets;
using CompanyOs.Llm.Tests.Gateway.Fakes;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Tests.Gateway.Stats;

/// <summary>
/// <see cref="ILlmCallRecorder"/> hears every charged call exactly once, with the figure the budgets settle with — also
/// for streams that break or are abandoned after output began — and never a call that was refused before the provider.
/// </summary>
public sealed class CallRecorderTests
{
    private readonly FakeProviderFactory _factory = new(TimeProvider.System);
    private readonly InMemorySpendStore _store = new();
    private readonly Recorder _recorder = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private LlmGateway Build(BudgetOptions? budgets = null) =>
        LlmGateway.CreateBuilder(TestOptions.Create() with { Budgets = budgets ?? new BudgetOptions() }, _factory)
            .WithSpendStore(_store).WithCallRecorder(_recorder).Build();

    private static ChatOptions For(string key, int maxOutput = 50) => new ChatOptions { MaxOutputTokens = maxOutput }
        .WithCallContext(new LlmCallContext { OrgId = "acme", AgentType = "researcher", ApiKeyId = key, ApiKeyBudget = new BudgetLimit(MaxUsd: 1m) });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_answered_call_is_recorded_once_with_its_context_and_the_charge_its_budget_settled(bool streaming)
    {
        using var gateway = Build();

        var result = await GatewayCalls.CallAsync(gateway, streaming, For("key_1"), cancellationToken: Ct);

        var (context, info) = Assert.Single(_recorder.Calls);
        Assert.Equal(("acme", "researcher", "key_1"), (context!.OrgId, context.AgentType, context.ApiKeyId));
        Assert.Equal(result.Info, info);
        Assert.Equal(info.CostUsd, (await _store.GetSpentAsync(new BudgetScope(BudgetScopeKind.ApiKey, "key_1"), Ct)).Usd);
    }

    [Fact]
    public async Task A_stream_cut_after_output_began_is_recorded_once_at_its_charged_maximum()
    {
        using var gateway = Build();
        _factory["a"].Enqueue(MatrixFault.CutAfter(1));

        var error = await Assert.ThrowsAsync<CompanyOs.Llm.Errors.ProviderException>(() => GatewayCalls.CallAsync(gateway, true, For("key_1"), cancellationToken: Ct));

        var (_, info) = Assert.Single(_recorder.Calls);
        Assert.Equal(LlmCallInfo.From(error), info);
        Assert.Equal(50, info.Usage!.OutputTokenCount);
        Assert.Equal(info.CostUsd, (await _store.GetSpentAsync(new BudgetScope(BudgetScopeKind.ApiKey, "key_1"), Ct)).Usd);
    }

    [Fact]
    public async Task A_stream_the_caller_stops_reading_after_output_began_is_recorded_once_at_its_charged_maximum()
    {
        using var gateway = Build();

        await foreach (var update in gateway.GetStreamingResponseAsync("hello", For("key_1", maxOutput: 70), Ct))
        {
            if (update.Contents.Count > 0)
            {
                break;
            }
        }

        var (_, info) = Assert.Single(_recorder.Calls);
        Assert.Equal(70, info.Usage!.OutputTokenCount);
        Assert.Equal(1, info.Usage.AdditionalCounts![UsageKeys.Estimated]);
        var spent = await _store.GetSpentAsync(new BudgetScope(BudgetScopeKind.ApiKey, "key_1"), Ct);
        Assert.Equal(new SpendAmount(info.CostUsd!.Value, info.Usage.TotalTokenCount!.Value), spent);
    }

    [Fact]
    public async Task A_call_refused_by_a_budget_before_the_provider_is_not_recorded()
    {
        using var gateway = Build();
        var options = new ChatOptions { MaxOutputTokens = 50 }.WithCallContext(
            new LlmCallContext { OrgId = "acme", ApiKeyId = "key_poor", ApiKeyBudget = new BudgetLimit(MaxUsd: 0.0000001m) });

        await Assert.ThrowsAsync<BudgetExceededException>(() => GatewayCalls.CallAsync(gateway, false, options, cancellationToken: Ct));

        Assert.Empty(_recorder.Calls);
        Assert.Equal(0, _factory["a"].Attempts);
    }

    private sealed class Recorder : ILlmCallRecorder
    {
        private readonly List<(LlmCallContext?, LlmCallInfo)> _calls = [];

        public IReadOnlyList<(LlmCallContext? Context, LlmCallInfo Info)> Calls
        {
            get
            {
                lock (_calls)
                {
                    return [.. _calls];
                }
            }
        }

        public void Record(LlmCallContext? context, LlmCallInfo info)
        {
            lock (_calls)
            {
                _calls.Add((context, info));
            }
        }
    }
}
