using CompanyOs.Llm.Gateway.Budgets;

namespace CompanyOs.Llm.Tests.Gateway.Budgets;

public sealed class InMemorySpendStoreTests
{
    private static BudgetCheck Check(string org, long maxTokens) => new(new BudgetScope(BudgetScopeKind.Org, org), new BudgetLimit(MaxTokens: maxTokens));

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(6)]
    public async Task Reserves_on_every_scope_or_on_none(int scopes)
    {
        var store = new InMemorySpendStore();
        var ct = TestContext.Current.CancellationToken;
        // The last scope allows two calls of 100 tokens, the others ten.
        var checks = Enumerable.Range(0, scopes).Select(i => Check($"org-{i}", i == scopes - 1 ? 200 : 1_000)).ToArray();

        Assert.True((await store.TryReserveAsync(checks, new SpendAmount(0, 100), ct)).Granted);
        Assert.True((await store.TryReserveAsync(checks, new SpendAmount(0, 100), ct)).Granted);
        var refused = await store.TryReserveAsync(checks, new SpendAmount(0, 100), ct);

        Assert.False(refused.Granted);
        Assert.Equal(checks[^1], refused.Refused);
        Assert.Equal(new SpendAmount(0, 200), refused.Committed);

        // Settling both releases their reservations on every scope and records the spend; a refused call reserved nothing.
        await store.SettleAsync(checks, new SpendAmount(0, 100), new SpendAmount(0.5m, 60), ct);
        await store.SettleAsync(checks, new SpendAmount(0, 100), new SpendAmount(0.25m, 40), ct);
        foreach (var check in checks)
        {
            Assert.Equal(new SpendAmount(0.75m, 100), await store.GetSpentAsync(check.Scope, ct));
        }

        Assert.True((await store.TryReserveAsync(checks, new SpendAmount(0, 100), ct)).Granted);
        Assert.False((await store.TryReserveAsync(checks, new SpendAmount(0, 1), ct)).Granted);
    }

    [Fact]
    public async Task A_refusal_names_the_first_scope_that_would_overflow_and_its_committed_spend()
    {
        var store = new InMemorySpendStore();
        var ct = TestContext.Current.CancellationToken;
        var roomy = Check("roomy", 1_000);
        var tight = Check("tight", 150);
        Assert.True((await store.TryReserveAsync([tight], new SpendAmount(0, 100), ct)).Granted);

        var result = await store.TryReserveAsync([roomy, tight], new SpendAmount(0, 100), ct);

        Assert.Equal(new ReservationResult(false, tight, new SpendAmount(0, 100)), result);
        Assert.Equal(default, await store.GetSpentAsync(roomy.Scope, ct));
        Assert.True((await store.TryReserveAsync([roomy], new SpendAmount(0, 1_000), ct)).Granted);
    }

    [Fact]
    public async Task Unknown_scopes_have_spent_nothing()
    {
        var store = new InMemorySpendStore();

        Assert.Equal(default, await store.GetSpentAsync(new BudgetScope(BudgetScopeKind.Run, "never"), TestContext.Current.CancellationToken));
    }
}
