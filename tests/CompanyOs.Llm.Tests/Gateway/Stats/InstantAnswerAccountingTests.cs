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
        using var gateway = LlmGateway.CreateBuilder(options, new InstantProviderFactory(Usage)).WithSpendStore(store).Build();
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

    [Fact]
    public async Task An_instant_answer_corrects_the_tpm_estimate_to_the_usage_the_provider_reported()
    {
        // Each call is admitted on its estimate (a short prompt + 200 output tokens) and then counted for its 1,100 tokens.
        var options = TestOptions.Create(TestOptions.ProviderA() with { FallbackProvider = null, RateLimitTpm = 2_300 })
            with { RateLimits = new RateLimitPolicyOptions { Mode = RateLimitMode.FailFast } };
        using var gateway = LlmGateway.CreateBuilder(options, new InstantProviderFactory(Usage)).Build();
        var capped = new ChatOptions { MaxOutputTokens = 200 };

        await gateway.GetResponseAsync("hello", capped, Ct);
        await gateway.GetResponseAsync("hello", capped, Ct);

        // 2 × 1,100 counted: a third estimate no longer fits (uncorrected, 3 estimates of ~210 tokens would).
        await Assert.ThrowsAsync<RateLimitedException>(() => gateway.GetResponseAsync("hello", capped, Ct));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_instant_failure_releases_its_budget_reservation_and_charges_nothing(bool throwsSynchronously)
    {
        var options = TestOptions.Create(TestOptions.ProviderA() with { FallbackProvider = null, MaxRetries = 0 })
            with { Budgets = new BudgetOptions { Orgs = new Dictionary<string, BudgetLimit> { ["acme"] = new(MaxTokens: 1_000) } } };
        var store = new InMemorySpendStore();
        using var gateway = LlmGateway.CreateBuilder(options, new FailingFactory(throwsSynchronously)).WithSpendStore(store).Build();
        var attributed = new ChatOptions { MaxOutputTokens = 600 }.WithCallContext(new LlmCallContext { OrgId = "acme" });

        // Each call reserves > 600 of the org's 1,000 tokens: a reservation left behind would refuse the next call.
        for (var i = 0; i < 3; i++)
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => gateway.GetResponseAsync("hello", attributed, Ct));
            Assert.Equal("provider down", error.Message);
        }

        Assert.Equal(default, await store.GetSpentAsync(new BudgetScope(BudgetScopeKind.Org, "acme"), Ct));
    }

    private sealed class FailingFactory(bool throwsSynchronously) : IProviderClientFactory
    {
        public IChatClient Create(ProviderOptions provider) => new Failing(throwsSynchronously);
    }

    private sealed class Failing(bool throwsSynchronously) : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throwsSynchronously ? throw new InvalidOperationException("provider down") : Task.FromException<ChatResponse>(new InvalidOperationException("provider down"));

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
