using CompanyOs.Llm.Calls;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Gateway;
using CompanyOs.Llm.Gateway.Budgets;
using CompanyOs.Llm.Tests.Gateway.Fakes;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Tests.Gateway.Budgets;

public sealed class BudgetTests
{
    private readonly FakeProviderFactory _factory = new(TimeProvider.System);
    private readonly InMemorySpendStore _store = new();

    private LlmGateway Build(BudgetOptions budgets) =>
        LlmGateway.CreateBuilder(TestOptions.Create() with { Budgets = budgets }, _factory).WithSpendStore(_store).Build();

    private static ChatOptions For(string org, string? agent = null, string? run = null, int? maxOutput = 50) =>
        new ChatOptions { MaxOutputTokens = maxOutput }.WithCallContext(new LlmCallContext { OrgId = org, AgentType = agent, RunId = run });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_run_over_its_token_budget_is_refused_before_calling(bool streaming)
    {
        using var gateway = Build(new BudgetOptions { PerRun = new BudgetLimit(MaxTokens: 400) });
        var ct = TestContext.Current.CancellationToken;

        for (var i = 0; i < 3; i++)
        {
            await GatewayCalls.CallAsync(gateway, streaming, For("acme", run: "run-1"), cancellationToken: ct);
        }

        var error = await Assert.ThrowsAsync<BudgetExceededException>(() => GatewayCalls.CallAsync(gateway, streaming, For("acme", run: "run-1"), cancellationToken: ct));

        Assert.Equal(new BudgetScope(BudgetScopeKind.Run, "run-1"), error.Scope);
        Assert.Equal(3, _factory["a"].Attempts);
        Assert.Equal(360, (await _store.GetSpentAsync(error.Scope, ct)).Tokens);
        await GatewayCalls.CallAsync(gateway, streaming, For("acme", run: "run-2"), cancellationToken: ct);
        Assert.Equal(1, gateway.GetStats().Rows.Single().Errors["budget_exceeded"]);
    }

    [Fact]
    public async Task The_maximum_possible_cost_is_checked_against_a_usd_budget()
    {
        // gpt-4o-mini: $0.60 per 1M output tokens; 4,096 default max output ≈ $0.0025 > $0.001.
        using var gateway = Build(new BudgetOptions { Orgs = new Dictionary<string, BudgetLimit> { ["acme"] = new(MaxUsd: 0.001m) } });
        var ct = TestContext.Current.CancellationToken;

        await Assert.ThrowsAsync<BudgetExceededException>(() => GatewayCalls.CallAsync(gateway, false, For("acme", maxOutput: null), cancellationToken: ct));
        var allowed = await GatewayCalls.CallAsync(gateway, false, For("acme", maxOutput: 100), cancellationToken: ct);

        var spent = await _store.GetSpentAsync(new BudgetScope(BudgetScopeKind.Org, "acme"), ct);
        Assert.Equal(allowed.Info.CostUsd, spent.Usd);
        Assert.Equal((100 * 0.15m + 20 * 0.60m) / 1_000_000m, spent.Usd);
    }

    [Fact]
    public async Task Agent_budgets_are_separate_per_org_and_other_orgs_are_unaffected()
    {
        using var gateway = Build(new BudgetOptions { DefaultAgent = new BudgetLimit(MaxTokens: 150) });
        var ct = TestContext.Current.CancellationToken;

        await GatewayCalls.CallAsync(gateway, false, For("acme", agent: "researcher"), cancellationToken: ct);
        await Assert.ThrowsAsync<BudgetExceededException>(() => GatewayCalls.CallAsync(gateway, false, For("acme", agent: "researcher"), cancellationToken: ct));
        await GatewayCalls.CallAsync(gateway, false, For("globex", agent: "researcher"), cancellationToken: ct);
        await GatewayCalls.CallAsync(gateway, false, For("acme", agent: "architect"), cancellationToken: ct);

        Assert.Equal(120, (await _store.GetSpentAsync(new BudgetScope(BudgetScopeKind.Agent, "acme/researcher"), ct)).Tokens);
    }

    [Fact]
    public async Task A_model_without_price_cannot_pass_a_usd_budget()
    {
        using var gateway = Build(new BudgetOptions { DefaultOrg = new BudgetLimit(MaxUsd: 10m) });
        var options = For("acme");
        options.ModelId = "a/private-finetune";

        var error = await Assert.ThrowsAsync<BudgetExceededException>(() => GatewayCalls.CallAsync(gateway, false, options, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains("no price", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, _factory["a"].Attempts);
    }

    [Fact]
    public async Task Failed_calls_release_their_reservation()
    {
        using var gateway = Build(new BudgetOptions { PerRun = new BudgetLimit(MaxTokens: 100) });
        var ct = TestContext.Current.CancellationToken;
        _factory["a"].Enqueue(MatrixFault.Status(400));

        await Assert.ThrowsAsync<CompanyOs.Llm.Errors.ProviderException>(() => GatewayCalls.CallAsync(gateway, false, For("acme", run: "r"), cancellationToken: ct));

        Assert.Equal(new SpendAmount(0, 0), await _store.GetSpentAsync(new BudgetScope(BudgetScopeKind.Run, "r"), ct));
        await GatewayCalls.CallAsync(gateway, false, For("acme", run: "r"), cancellationToken: ct);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_callers_run_limit_refuses_a_call_whose_maximum_does_not_fit_without_any_configured_budget(bool streaming)
    {
        using var gateway = Build(new BudgetOptions());
        var ct = TestContext.Current.CancellationToken;
        ChatOptions Spent(long tokens) => new ChatOptions { MaxOutputTokens = 50 }.WithCallContext(
            new LlmCallContext { OrgId = "acme", RunId = "run-1", RunLimit = new BudgetLimit(MaxTokens: 1_000), RunSpent = new SpendAmount(0, tokens) });

        await GatewayCalls.CallAsync(gateway, streaming, Spent(900), cancellationToken: ct);
        var error = await Assert.ThrowsAsync<BudgetExceededException>(() => GatewayCalls.CallAsync(gateway, streaming, Spent(960), cancellationToken: ct));

        Assert.Equal(new BudgetScope(BudgetScopeKind.Run, "run-1"), error.Scope);
        Assert.Equal(new SpendAmount(0, 960), error.Committed);
        Assert.True(error.Requested.Tokens > 50, "the prompt estimate plus the output cap");
        Assert.Equal(1, _factory["a"].Attempts);
        Assert.Equal(default, await _store.GetSpentAsync(error.Scope, ct));
    }

    [Fact]
    public async Task An_interrupted_stream_tells_the_caller_what_it_was_charged_the_same_as_the_budget()
    {
        using var gateway = Build(new BudgetOptions { PerRun = new BudgetLimit(MaxTokens: 10_000) });
        _factory["a"].Enqueue(MatrixFault.CutAfter(1));

        var error = await Assert.ThrowsAsync<CompanyOs.Llm.Errors.ProviderException>(() =>
            GatewayCalls.CallAsync(gateway, true, For("acme", run: "r", maxOutput: 50), cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(CompanyOs.Llm.Errors.ProviderErrorKind.StreamInterrupted, error.Kind);
        var charged = LlmCallInfo.From(error);
        Assert.NotNull(charged);
        Assert.Equal(("a", "gpt-4o-mini"), (charged.Provider, charged.Model));
        Assert.Equal(1, charged.Usage!.AdditionalCounts![UsageKeys.Estimated]);
        Assert.Equal(50, charged.Usage.OutputTokenCount);
        var spent = await _store.GetSpentAsync(new BudgetScope(BudgetScopeKind.Run, "r"), TestContext.Current.CancellationToken);
        Assert.Equal(new SpendAmount(charged.CostUsd!.Value, charged.Usage.TotalTokenCount!.Value), spent);
        Assert.True(spent.Usd > 0m);
    }

    [Fact]
    public async Task Concurrent_reservations_never_overshoot()
    {
        var store = new InMemorySpendStore();
        var checks = new[] { new BudgetCheck(new BudgetScope(BudgetScopeKind.Org, "acme"), new BudgetLimit(MaxTokens: 1_000)) };

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => store.TryReserveAsync(checks, new SpendAmount(0, 100)).AsTask())));

        Assert.Equal(10, results.Count(r => r.Granted));
    }
}
