using CompanyOs.Emulator;
using CompanyOs.Emulator.Faults;
using CompanyOs.Emulator.Scripting;
using CompanyOs.Llm.Calls;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Errors;
using CompanyOs.Llm.Gateway;
using CompanyOs.Llm.Gateway.Budgets;
using CompanyOs.Llm.Providers;
using CompanyOs.Llm.Tests.Gateway.Fakes;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Tests.Gateway.Budgets;

/// <summary>
/// Attempts that fail after the provider answered 200 (here: a body the SDK cannot read) were billed by the provider, so
/// budgets, the call's info and the stats charge them — every retry and fallback step, not only the last attempt. Attempts
/// the provider refused (5xx) are not billed.
/// </summary>
public sealed class BilledAttemptTests
{
    private static readonly BudgetScope Acme = new(BudgetScopeKind.Org, "acme");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ChatOptions For() => new ChatOptions { MaxOutputTokens = 1_000 }.WithCallContext(new LlmCallContext { OrgId = "acme" });

    private static LlmOptions Options(EmulatorServer server, int maxRetries, string? fallback = null) =>
        TestOptions.Create(
                TestOptions.ProviderA(server.OpenAIEndpoint) with { MaxRetries = maxRetries, FallbackProvider = fallback },
                TestOptions.ProviderB(server.BaseUri) with { MaxRetries = 0 })
            with { Budgets = new BudgetOptions { Orgs = new Dictionary<string, BudgetLimit> { ["acme"] = new(MaxUsd: 1m) } } };

    /// <summary>Calls an upstream that answers every attempt 200 with a malformed body; returns the org's spend and the failure.</summary>
    private static async Task<(SpendAmount Spent, ProviderException Error, int Requests, decimal StatsCost)> CallMalformedAsync(int maxRetries)
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        server.Faults.Enqueue(Fault.Malformed(), times: maxRetries + 1, route: EmulatorRoute.OpenAIChatCompletions);
        var store = new InMemorySpendStore();
        using var gateway = LlmGateway.CreateBuilder(Options(server, maxRetries), new ProviderClientFactory()).WithSpendStore(store).Build();

        var error = await Assert.ThrowsAsync<ProviderException>(() => GatewayCalls.CallAsync(gateway, false, For(), cancellationToken: Ct));

        Assert.Equal((ProviderErrorKind.MalformedResponse, 200), (error.Kind, error.StatusCode));
        return (await store.GetSpentAsync(Acme, Ct), error, server.Requests.Count, gateway.GetStats().CostUsd);
    }

    [Fact]
    public async Task Retried_attempts_the_provider_answered_are_all_charged_to_the_budget_the_call_info_and_the_stats()
    {
        var once = await CallMalformedAsync(maxRetries: 0);
        var thrice = await CallMalformedAsync(maxRetries: 2);

        // The SDK could not read the answers, so each attempt is charged its maximum (prompt estimate + output cap), estimated.
        Assert.Equal(3, thrice.Requests);
        Assert.True(once.Spent.Usd > 0m && once.Spent.Tokens > 1_000, $"one billed attempt was charged {once.Spent}");
        Assert.Equal(new SpendAmount(once.Spent.Usd * 3, once.Spent.Tokens * 3), thrice.Spent);

        var info = LlmCallInfo.From(thrice.Error) ?? throw new InvalidOperationException("no call info on the failure");
        Assert.Equal(3, info.Attempts);
        Assert.Equal(thrice.Spent.Usd, info.CostUsd);
        Assert.Equal(thrice.Spent.Tokens, info.Usage?.TotalTokenCount);
        Assert.Equal(1, info.Usage?.AdditionalCounts?[UsageKeys.Estimated]);
        Assert.Equal(thrice.Spent.Usd, thrice.StatsCost);
    }

    [Fact]
    public async Task A_fallback_steps_billed_failure_is_charged_with_the_answer_of_the_next_step()
    {
        var single = await CallMalformedAsync(maxRetries: 0);
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        server.Faults.Enqueue(Fault.Malformed(), times: 1, route: EmulatorRoute.OpenAIChatCompletions);

        // The malformed answer is rendered from a scripted turn too: one for it, one for the fallback's answer.
        server.Script.Enqueue(ScriptedTurn.Text("cut in half").WithUsage(100, 1_000));
        server.Script.Enqueue(ScriptedTurn.Text("from haiku").WithUsage(100, 1_000));
        var store = new InMemorySpendStore();
        using var gateway = LlmGateway.CreateBuilder(Options(server, maxRetries: 0, fallback: "b"), new ProviderClientFactory()).WithSpendStore(store).Build();

        var result = await GatewayCalls.CallAsync(gateway, false, For(), cancellationToken: Ct);

        // claude-3-5-haiku: 100 × $0.80 / M + 1,000 × $4 / M = $0.00408, plus the billed failed step on "a".
        Assert.Equal("b", result.Info.Provider);
        Assert.Equal(["a"], result.Info.FallbackPath);
        Assert.True(result.Info.CostUsd > 0.00408m, $"the call was charged ${result.Info.CostUsd}, only haiku's answer");
        Assert.Equal(0.00408m + single.Spent.Usd, result.Info.CostUsd);
        Assert.Equal(new SpendAmount(0.00408m + single.Spent.Usd, 1_100 + single.Spent.Tokens), await store.GetSpentAsync(Acme, Ct));
        Assert.Equal(result.Info.CostUsd, gateway.GetStats().CostUsd);
    }

    [Fact]
    public async Task Attempts_refused_with_500_are_not_charged()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        server.Faults.Enqueue(Fault.Status(500), times: 2, route: EmulatorRoute.OpenAIChatCompletions);
        server.Script.Enqueue(ScriptedTurn.Text("third time").WithUsage(100, 1_000));
        var store = new InMemorySpendStore();
        using var gateway = LlmGateway.CreateBuilder(Options(server, maxRetries: 2), new ProviderClientFactory()).WithSpendStore(store).Build();

        var result = await GatewayCalls.CallAsync(gateway, false, For(), cancellationToken: Ct);

        // gpt-4o-mini: 100 × $0.15 / M + 1,000 × $0.60 / M = $0.000615 — the answering attempt only.
        Assert.Equal(3, result.Info.Attempts);
        Assert.Equal(0.000615m, result.Info.CostUsd);
        Assert.False(result.Info.Usage?.AdditionalCounts?.ContainsKey(UsageKeys.Estimated) ?? false);
        Assert.Equal(new SpendAmount(0.000615m, 1_100), await store.GetSpentAsync(Acme, Ct));
    }
}
