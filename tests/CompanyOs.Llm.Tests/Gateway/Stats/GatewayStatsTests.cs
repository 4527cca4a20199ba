using CompanyOs.Llm.Calls;
using CompanyOs.Llm.Gateway;
using CompanyOs.Llm.Gateway.Stats;
using CompanyOs.Llm.Tests.Gateway.Fakes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace CompanyOs.Llm.Tests.Gateway.Stats;

public sealed class GatewayStatsTests
{
    private readonly FakeProviderFactory _factory = new(TimeProvider.System);

    private static ChatOptions For(string org, string agent) => new ChatOptions().WithCallContext(new LlmCallContext { OrgId = org, AgentType = agent });

    [Fact]
    public async Task Stats_are_kept_by_provider_model_org_and_agent()
    {
        using var gateway = LlmGateway.CreateBuilder(TestOptions.Create(), _factory).Build();
        var ct = TestContext.Current.CancellationToken;
        _factory["a"].Usage = new UsageDetails { InputTokenCount = 1_000, CachedInputTokenCount = 400, OutputTokenCount = 200, TotalTokenCount = 1_200 };

        await GatewayCalls.CallAsync(gateway, false, For("acme", "researcher"), cancellationToken: ct);
        await GatewayCalls.CallAsync(gateway, true, For("acme", "researcher"), cancellationToken: ct);
        await GatewayCalls.CallAsync(gateway, false, For("globex", "architect"), cancellationToken: ct);
        _factory["a"].Enqueue(MatrixFault.Status(401));
        await Assert.ThrowsAnyAsync<Exception>(() => GatewayCalls.CallAsync(gateway, false, For("globex", "architect"), cancellationToken: ct));

        var stats = gateway.GetStats();
        var acme = Assert.Single(stats.Rows, r => r.OrgId == "acme");
        Assert.Equal(("a", "gpt-4o-mini", "researcher"), (acme.Provider, acme.Model, acme.AgentType));
        Assert.Equal((2, 2_000, 400, 800), (acme.Requests, acme.InputTokens, acme.OutputTokens, acme.CacheReadTokens));
        var perCall = ((600 * 0.15m) + (400 * 0.075m) + (200 * 0.60m)) / 1_000_000m;
        Assert.Equal(2 * perCall, acme.CostUsd);
        var globex = Assert.Single(stats.Rows, r => r.OrgId == "globex");
        Assert.Equal((2, 1), (globex.Requests, globex.Errors["authentication"]));
        Assert.Equal(4, stats.Requests);
    }

    [Fact]
    public async Task Unknown_cost_is_counted_not_hidden_as_zero()
    {
        using var gateway = LlmGateway.CreateBuilder(TestOptions.Create(), _factory).Build();

        var result = await GatewayCalls.CallAsync(gateway, false, new ChatOptions { ModelId = "a/private-finetune" }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Null(result.Info.CostUsd);
        var row = Assert.Single(gateway.GetStats().Rows);
        Assert.Equal((1, 0m), (row.UnpricedRequests, row.CostUsd));
    }

    [Fact]
    public async Task Metrics_are_published_on_the_CompanyOs_Llm_meter()
    {
        using var gateway = LlmGateway.CreateBuilder(TestOptions.Create(), _factory).Build();
        var scope = gateway.GetService<GatewayStats>();
        using var requests = new MetricCollector<long>(scope, GatewayStats.MeterName, "companyos.llm.requests");
        using var tokens = new MetricCollector<long>(scope, GatewayStats.MeterName, "companyos.llm.tokens");
        using var cost = new MetricCollector<double>(scope, GatewayStats.MeterName, "companyos.llm.cost");

        await GatewayCalls.CallAsync(gateway, true, For("acme", "researcher"), cancellationToken: TestContext.Current.CancellationToken);

        var request = Assert.Single(requests.GetMeasurementSnapshot());
        Assert.Equal("openai", request.Tags["gen_ai.provider.name"]); // the semantic conventions' name of the provider's kind
        Assert.Equal("a", request.Tags["companyos.provider"]); // the configured name
        Assert.Equal("acme", request.Tags["companyos.org"]);
        Assert.Equal(100, tokens.GetMeasurementSnapshot().Single(m => (string?)m.Tags["gen_ai.token.type"] == "input").Value);
        Assert.True(Assert.Single(cost.GetMeasurementSnapshot()).Value > 0);
    }

    [Fact]
    public async Task Call_info_is_on_the_response_and_on_the_last_real_stream_update()
    {
        using var gateway = LlmGateway.CreateBuilder(TestOptions.Create(), _factory).Build();
        var ct = TestContext.Current.CancellationToken;

        var response = await gateway.GetResponseAsync([new(ChatRole.User, "hi")], cancellationToken: ct);
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in gateway.GetStreamingResponseAsync([new(ChatRole.User, "hi")], cancellationToken: ct))
        {
            updates.Add(update);
        }

        var info = LlmCallInfo.From(response)!;
        Assert.Equal(("a", "gpt-4o-mini", 1, false), (info.Provider, info.Model, info.Attempts, info.CacheHit));
        Assert.Equal((100 * 0.15m + 20 * 0.60m) / 1_000_000m, info.CostUsd);
        Assert.Null(LlmCallInfo.From(updates[0]));
        Assert.Equal(info.CostUsd, LlmCallInfo.From(updates[^1])!.CostUsd);

        // The provider's own last update (finish reason and usage) carries the info: no extra, content-free update.
        Assert.Equal(_factory["a"].StreamChunks + 1, updates.Count);
        Assert.All(updates, u => Assert.NotEmpty(u.Contents));
        Assert.Equal(ChatFinishReason.Stop, updates[^1].FinishReason);
        Assert.Single(updates, u => LlmCallInfo.From(u) is not null);
        var aggregated = updates.ToChatResponse();
        Assert.Equal("answer from a part 1 part 2", aggregated.Text);
        Assert.NotNull(LlmCallInfo.From(aggregated));
    }
}
