using CompanyOs.Emulator;
using CompanyOs.Emulator.Faults;
using CompanyOs.Emulator.Scripting;
using CompanyOs.Llm.Calls;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Gateway;
using CompanyOs.Llm.Gateway.Budgets;
using CompanyOs.Llm.Providers;
using CompanyOs.Llm.Tests.Gateway.Fakes;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Tests.Gateway.Budgets;

/// <summary>
/// A budget is reserved for the model actually called: a cheap primary (gpt-4o-mini, $0.60 / M output) that fails over to an
/// expensive fallback (claude-3-opus, $75 / M output) is re-priced and re-reserved on the fallback step.
/// </summary>
public sealed class FallbackBudgetTests
{
    private const decimal Limit = 0.01m;
    private readonly FakeProviderFactory _factory = new(TimeProvider.System);
    private readonly InMemorySpendStore _store = new();

    public FallbackBudgetTests()
    {
        // What opus would report for a full answer: 100 × $15 / M + 1,000 × $75 / M = $0.0765, 7.65 × the limit.
        _factory["b"].Usage = new UsageDetails { InputTokenCount = 100, OutputTokenCount = 1_000, TotalTokenCount = 1_100 };
        _factory["a"].Enqueue(MatrixFault.Status(503));
    }

    private LlmGateway Build(BudgetOptions? budgets = null, string fallbackModel = "claude-3-opus-20240229") =>
        LlmGateway.CreateBuilder(TestOptions.Create(
                TestOptions.ProviderA() with { MaxRetries = 0 },
                TestOptions.ProviderB() with { MaxRetries = 0, FallbackModels = new Dictionary<string, string> { ["gpt-4o-mini"] = fallbackModel } })
                with { Budgets = budgets ?? new BudgetOptions() },
            _factory).WithSpendStore(_store).Build();

    private static ChatOptions For(LlmCallContext context) => new ChatOptions { MaxOutputTokens = 1_000 }.WithCallContext(context);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_fallback_to_a_dearer_model_that_does_not_fit_the_org_budget_is_refused_before_calling_it(bool streaming)
    {
        using var gateway = Build(new BudgetOptions { Orgs = new Dictionary<string, BudgetLimit> { ["acme"] = new(MaxUsd: Limit) } });
        var scope = new BudgetScope(BudgetScopeKind.Org, "acme");

        var error = await Assert.ThrowsAsync<BudgetExceededException>(() =>
            GatewayCalls.CallAsync(gateway, streaming, For(new LlmCallContext { OrgId = "acme" }), cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(scope, error.Scope);
        Assert.True(error.Requested.Usd > Limit, $"the fallback step is priced at opus rates, got ${error.Requested.Usd}");
        Assert.Contains("claude-3-opus-20240229", error.Message, StringComparison.Ordinal);
        Assert.Equal((1, 0), (_factory["a"].Attempts, _factory["b"].Attempts));
        var spent = await _store.GetSpentAsync(scope, TestContext.Current.CancellationToken);
        Assert.True(spent.Usd <= Limit, $"spent ${spent.Usd} of ${Limit}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_fallback_to_a_dearer_model_that_does_not_fit_the_callers_run_limit_is_refused_before_calling_it(bool streaming)
    {
        using var gateway = Build();
        var context = new LlmCallContext { OrgId = "acme", RunId = "run-1", RunLimit = new BudgetLimit(MaxUsd: Limit), RunSpent = new SpendAmount(0.002m, 500) };

        var error = await Assert.ThrowsAsync<BudgetExceededException>(() =>
            GatewayCalls.CallAsync(gateway, streaming, For(context), cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(new BudgetScope(BudgetScopeKind.Run, "run-1"), error.Scope);
        Assert.Equal(new SpendAmount(0.002m, 500), error.Committed);
        Assert.Equal((1, 0), (_factory["a"].Attempts, _factory["b"].Attempts));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_fallback_to_a_dearer_model_that_does_not_fit_the_api_key_budget_is_refused_before_calling_it(bool streaming)
    {
        using var gateway = Build(); // no budgets section: the key's own budget still applies
        var context = new LlmCallContext { OrgId = "acme", ApiKeyId = "key_1", ApiKeyBudget = new BudgetLimit(MaxUsd: Limit) };
        var scope = new BudgetScope(BudgetScopeKind.ApiKey, "key_1");

        var error = await Assert.ThrowsAsync<BudgetExceededException>(() =>
            GatewayCalls.CallAsync(gateway, streaming, For(context), cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(scope, error.Scope);
        Assert.Contains("API key 'key_1'", error.Message, StringComparison.Ordinal);
        Assert.Contains("claude-3-opus-20240229", error.Message, StringComparison.Ordinal);
        Assert.Equal((1, 0), (_factory["a"].Attempts, _factory["b"].Attempts));
        Assert.Equal(default, await _store.GetSpentAsync(new BudgetScope(BudgetScopeKind.Org, "acme"), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_fallback_step_that_fits_is_reserved_and_settled_at_its_own_price()
    {
        // claude-3-5-haiku: 100 × $0.80 / M + 1,000 × $4 / M = $0.00408; its maximum (prompt + 1,000 output) fits $0.01.
        using var gateway = Build(new BudgetOptions { Orgs = new Dictionary<string, BudgetLimit> { ["acme"] = new(MaxUsd: Limit) } }, "claude-3-5-haiku-20241022");

        var result = await GatewayCalls.CallAsync(gateway, false, For(new LlmCallContext { OrgId = "acme" }), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(("b", "claude-3-5-haiku-20241022"), (result.Info.Provider, result.Info.Model));
        Assert.Equal(0.00408m, result.Info.CostUsd);
        Assert.Equal(0.00408m, (await _store.GetSpentAsync(new BudgetScope(BudgetScopeKind.Org, "acme"), TestContext.Current.CancellationToken)).Usd);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task On_the_wire_a_cheap_openai_primary_failing_over_to_anthropic_opus_is_refused_before_opus_is_called(bool streaming)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await EmulatorServer.StartAsync(cancellationToken: ct);
        server.Faults.Enqueue(Fault.Status(503), times: 1, route: EmulatorRoute.OpenAIChatCompletions);
        server.Script.Enqueue(ScriptedTurn.Text("an expensive answer").WithUsage(100, 1_000));
        var options = TestOptions.Create(
                TestOptions.ProviderA(server.OpenAIEndpoint) with { MaxRetries = 0 },
                TestOptions.ProviderB(server.BaseUri) with { MaxRetries = 0, FallbackModels = new Dictionary<string, string> { ["gpt-4o-mini"] = "claude-3-opus-20240229" } })
            with { Budgets = new BudgetOptions { Orgs = new Dictionary<string, BudgetLimit> { ["acme"] = new(MaxUsd: Limit) } } };
        using var gateway = LlmGateway.CreateBuilder(options, new ProviderClientFactory()).WithSpendStore(_store).Build();

        var error = await Assert.ThrowsAsync<BudgetExceededException>(() =>
            GatewayCalls.CallAsync(gateway, streaming, For(new LlmCallContext { OrgId = "acme" }), cancellationToken: ct));

        Assert.Contains("claude-3-opus-20240229", error.Message, StringComparison.Ordinal);
        Assert.Equal([EmulatorRoute.OpenAIChatCompletions], server.Requests.Select(r => r.Route));
        Assert.Equal(1, server.Script.Pending);
        Assert.True((await _store.GetSpentAsync(error.Scope, ct)).Usd <= Limit);
    }
}
