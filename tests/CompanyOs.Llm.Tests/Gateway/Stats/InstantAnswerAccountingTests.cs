using CompanyOs.Llm.Calls;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Gateway;
using CompanyOs.Llm.Gateway.Budgets;
using CompanyOs.Llm.Gateway.RateLimiting;
using CompanyOs.Llm.Providers;
using CompanyOs.Llm.Tests.Gateway.Fakes;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Tests.Gateway.Stats;

/// <summary>
/// A provider that answers at once (its task already complete) takes the pipeline's fast path, where the accounting,
/// fallback and provider stages hand the answer back without an async state: usage, cost, stats, budgets and rate limits
/// must be recorded exactly as on the slow path.
/// </summary>
public sealed class InstantAnswerAccountingTests
{
    private static readonly UsageDetails Usage = new() { InputTokenCount = 1_000, OutputTokenCount = 100, TotalTokenCount = 1_100 };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_instant_answer_is_charged_usage_and_cost_to_its_info_the_stats_the_budget_and_the_rate_limit()
    {
        var options = TestOptions.Create(TestOptions.ProviderA() with { FallbackProvider = null, RateLimitRpm = 1 })
            with
            {
                RateLimits = new RateLimitPolicyOptions { Mode = RateLimitMode.FailFast },
                Budgets = new BudgetOptions { Orgs = new Dictionary<string, BudgetLimit> { ["acme"] = new(MaxUsd: 1m) } },
            };
        var store = new InMemorySpendStore();
        using var gateway = LlmGateway.CreateBuilder(options, new InstantFactory()).WithSpendStore(store).Build();
        var attributed = new ChatOptions { MaxOutputTokens = 200 }.WithCallContext(new LlmCallContext { OrgId = "acme" });

        var call = gateway.GetResponseAsync("hello", attributed, Ct);
        Assert.True(call.IsCompletedSuccessfully, "an instant answer should come back complete (the fast path)");
        var info = LlmCallInfo.From(await call) ?? throw new InvalidOperationException("no call info on the response");

        Assert.Equal((1_000L, 100L), (info.Usage?.InputTokenCount, info.Usage?.OutputTokenCount));
        Assert.True(info.CostUsd > 0m, $"cost {info.CostUsd}");
        Assert.Equal(1, info.Attempts);
        var stats = gateway.GetStats();
        Assert.Equal((1L, info.CostUsd!.Value), (stats.Requests, stats.CostUsd));
        Assert.Equal(new SpendAmount(info.CostUsd.Value, 1_100), await store.GetSpentAsync(new BudgetScope(BudgetScopeKind.Org, "acme"), Ct));

        // RPM 1: the limiter counted the instant attempt, so the next call is refused.
        await Assert.ThrowsAsync<RateLimitedException>(() => gateway.GetResponseAsync("again", attributed, Ct));
    }

    private sealed class InstantFactory : IProviderClientFactory
    {
        public IChatClient Create(ProviderOptions provider) => new Instant();
    }

    private sealed class Instant : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")) { ModelId = options?.ModelId, Usage = Usage });

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
