using CompanyOs.Llm.Calls;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Gateway;
using CompanyOs.Llm.Gateway.Caching;
using CompanyOs.Llm.Tests.Gateway.Fakes;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Tests.Gateway.Caching;

public sealed class ResponseCacheTests
{
    private readonly FakeProviderFactory _factory = new(TimeProvider.System);

    private LlmGateway Build(bool enabledForAll = false) =>
        LlmGateway.CreateBuilder(TestOptions.Create() with { Cache = new ResponseCacheOptions { Enabled = enabledForAll } }, _factory).Build();

    private static ChatOptions Cached(string org = "acme", bool useCache = true) =>
        new ChatOptions { Temperature = 0 }.WithCallContext(new LlmCallContext { OrgId = org, UseCache = useCache });

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public async Task An_opted_in_repeat_is_a_free_hit(bool firstStreaming, bool secondStreaming)
    {
        using var gateway = Build();
        var ct = TestContext.Current.CancellationToken;

        var miss = await GatewayCalls.CallAsync(gateway, firstStreaming, Cached(), cancellationToken: ct);
        var hit = await GatewayCalls.CallAsync(gateway, secondStreaming, Cached(), cancellationToken: ct);

        Assert.False(miss.Info.CacheHit);
        Assert.NotEqual(0m, miss.Info.CostUsd);
        Assert.True(hit.Info.CacheHit);
        Assert.Equal(0m, hit.Info.CostUsd);
        Assert.Equal(0, hit.Info.Attempts);
        Assert.Equal(miss.Text, hit.Text);
        Assert.Equal(1, _factory["a"].Attempts);
        var stats = gateway.GetStats();
        Assert.Equal((1, 2), (stats.CacheHits, stats.Requests));
        Assert.Equal(miss.Info.CostUsd, stats.CostUsd);
    }

    [Fact]
    public async Task Anything_that_shapes_the_answer_changes_the_key()
    {
        using var gateway = Build();
        var ct = TestContext.Current.CancellationToken;
        await GatewayCalls.CallAsync(gateway, false, Cached(), cancellationToken: ct);

        await GatewayCalls.CallAsync(gateway, false, Cached(org: "globex"), cancellationToken: ct);
        await GatewayCalls.CallAsync(gateway, false, Cached(), prompt: "something else", cancellationToken: ct);
        var hotter = Cached();
        hotter.Temperature = 1;
        await GatewayCalls.CallAsync(gateway, false, hotter, cancellationToken: ct);
        var otherModel = Cached();
        otherModel.ModelId = "gpt-4o";
        await GatewayCalls.CallAsync(gateway, false, otherModel, cancellationToken: ct);
        var withTool = Cached();
        withTool.Tools = [AIFunctionFactory.Create((string city) => city, "weather")];
        await GatewayCalls.CallAsync(gateway, false, withTool, cancellationToken: ct);

        Assert.Equal(6, _factory["a"].Attempts);
        Assert.Equal(0, gateway.GetStats().CacheHits);
    }

    [Fact]
    public async Task Calls_that_did_not_opt_in_are_not_cached_unless_configured()
    {
        var ct = TestContext.Current.CancellationToken;
        using (var gateway = Build())
        {
            await GatewayCalls.CallAsync(gateway, false, Cached(useCache: false), cancellationToken: ct);
            await GatewayCalls.CallAsync(gateway, false, Cached(useCache: false), cancellationToken: ct);
            Assert.Equal(2, _factory["a"].Attempts);
        }

        using var everything = Build(enabledForAll: true);
        await GatewayCalls.CallAsync(everything, false, cancellationToken: ct);
        var hit = await GatewayCalls.CallAsync(everything, false, cancellationToken: ct);
        Assert.True(hit.Info.CacheHit);
        Assert.Equal(3, _factory["a"].Attempts);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_exhausted_budget_still_serves_a_free_cache_hit(bool streaming)
    {
        var options = TestOptions.Create() with { Budgets = new Llm.Gateway.Budgets.BudgetOptions { DefaultOrg = new(MaxTokens: 130) } };
        using var gateway = LlmGateway.CreateBuilder(options, _factory).Build();
        var ct = TestContext.Current.CancellationToken;
        ChatOptions Capped(bool useCache) => new ChatOptions { Temperature = 0, MaxOutputTokens = 20 }.WithCallContext(new LlmCallContext { OrgId = "acme", UseCache = useCache });

        await GatewayCalls.CallAsync(gateway, streaming, Capped(true), cancellationToken: ct);
        await Assert.ThrowsAsync<Llm.Gateway.Budgets.BudgetExceededException>(() => GatewayCalls.CallAsync(gateway, streaming, Capped(false), cancellationToken: ct));
        var hit = await GatewayCalls.CallAsync(gateway, streaming, Capped(true), cancellationToken: ct);

        Assert.True(hit.Info.CacheHit);
        Assert.Equal(0m, hit.Info.CostUsd);
        Assert.Equal(1, _factory["a"].Attempts);
    }

    [Fact]
    public async Task Failed_or_interrupted_answers_are_not_cached()
    {
        using var gateway = Build();
        var ct = TestContext.Current.CancellationToken;
        _factory["a"].Enqueue(MatrixFault.CutAfter(1));

        await Assert.ThrowsAsync<CompanyOs.Llm.Errors.ProviderException>(() => GatewayCalls.CallAsync(gateway, true, Cached(), cancellationToken: ct));
        var next = await GatewayCalls.CallAsync(gateway, true, Cached(), cancellationToken: ct);

        Assert.False(next.Info.CacheHit);
        Assert.Equal(2, _factory["a"].Attempts);
    }
}
