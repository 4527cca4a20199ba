using CompanyOs.Llm.Gateway.Budgets;
using CompanyOs.Llm.Redis;

namespace CompanyOs.Llm.Tests.Redis;

/// <summary>What every <see cref="ISpendStore"/> does, in-process or shared through Redis.</summary>
public abstract class SpendStoreContractTests : IAsyncDisposable
{
    private readonly string _run = Guid.NewGuid().ToString("N");

    protected abstract ISpendStore Store { get; }

    private BudgetCheck Org(decimal? usd = null, long? tokens = null) =>
        new(new BudgetScope(BudgetScopeKind.Org, "org-" + _run), new BudgetLimit(usd, tokens));

    private BudgetCheck Key(decimal? usd = null) => new(new BudgetScope(BudgetScopeKind.ApiKey, "key-" + _run), new BudgetLimit(usd));

    [Fact]
    public async Task A_reservation_within_every_limit_is_granted_and_settles_into_spend()
    {
        BudgetCheck[] checks = [Org(usd: 1m), Key(usd: 2m)];

        var result = await Store.TryReserveAsync(checks, new SpendAmount(0.4m, 100), TestContext.Current.CancellationToken);
        await Store.SettleAsync(checks, new SpendAmount(0.4m, 100), new SpendAmount(0.25m, 80), TestContext.Current.CancellationToken);

        Assert.True(result.Granted);
        Assert.Equal(new SpendAmount(0.25m, 80), await Store.GetSpentAsync(checks[0].Scope, TestContext.Current.CancellationToken));
        Assert.Equal(new SpendAmount(0.25m, 80), await Store.GetSpentAsync(checks[1].Scope, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_reservation_that_would_overflow_is_refused_naming_the_scope_and_what_is_committed()
    {
        BudgetCheck[] checks = [Key(usd: 5m), Org(usd: 1m)];
        Assert.True((await Store.TryReserveAsync(checks, new SpendAmount(0.5m, 10), TestContext.Current.CancellationToken)).Granted);
        await Store.SettleAsync(checks, new SpendAmount(0.5m, 10), new SpendAmount(0.5m, 10), TestContext.Current.CancellationToken);
        Assert.True((await Store.TryReserveAsync(checks, new SpendAmount(0.3m, 10), TestContext.Current.CancellationToken)).Granted);

        var refused = await Store.TryReserveAsync(checks, new SpendAmount(0.3m, 10), TestContext.Current.CancellationToken);

        Assert.False(refused.Granted);
        Assert.Equal(checks[1], refused.Refused);
        Assert.Equal(new SpendAmount(0.8m, 20), refused.Committed);
    }

    [Fact]
    public async Task Reservations_are_all_or_nothing_across_scopes()
    {
        var roomy = Key(usd: 10m);
        var tight = Org(usd: 1m);
        Assert.False((await Store.TryReserveAsync([roomy, tight], new SpendAmount(2m, 0), TestContext.Current.CancellationToken)).Granted);

        // Nothing was reserved on the roomy scope: its whole budget is still there.
        Assert.True((await Store.TryReserveAsync([roomy], new SpendAmount(10m, 0), TestContext.Current.CancellationToken)).Granted);
    }

    [Fact]
    public async Task Reservations_in_flight_count_until_they_settle()
    {
        BudgetCheck[] checks = [Org(usd: 1m)];
        Assert.True((await Store.TryReserveAsync(checks, new SpendAmount(0.6m, 0), TestContext.Current.CancellationToken)).Granted);
        Assert.False((await Store.TryReserveAsync(checks, new SpendAmount(0.6m, 0), TestContext.Current.CancellationToken)).Granted);

        await Store.SettleAsync(checks, new SpendAmount(0.6m, 0), new SpendAmount(0.1m, 0), TestContext.Current.CancellationToken);

        Assert.True((await Store.TryReserveAsync(checks, new SpendAmount(0.6m, 0), TestContext.Current.CancellationToken)).Granted);
        Assert.Equal(new SpendAmount(0.1m, 0), await Store.GetSpentAsync(checks[0].Scope, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Token_limits_hold_like_USD_limits_and_a_limit_may_be_reached_exactly()
    {
        BudgetCheck[] checks = [Org(tokens: 1_000)];
        Assert.True((await Store.TryReserveAsync(checks, new SpendAmount(0m, 1_000), TestContext.Current.CancellationToken)).Granted);
        var refused = await Store.TryReserveAsync(checks, new SpendAmount(0m, 1), TestContext.Current.CancellationToken);

        Assert.False(refused.Granted);
        Assert.Equal(1_000, refused.Committed.Tokens);
    }

    [Fact]
    public async Task A_scope_never_charged_has_spent_nothing()
    {
        Assert.Equal(default, await Store.GetSpentAsync(Org().Scope, TestContext.Current.CancellationToken));
    }

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}

public sealed class InMemorySpendStoreContractTests : SpendStoreContractTests
{
    protected override ISpendStore Store { get; } = new InMemorySpendStore();
}

public sealed class RedisSpendStoreContractTests : SpendStoreContractTests
{
    private readonly RedisConnection _redis;
    private readonly RedisSpendStore _store;

    public RedisSpendStoreContractTests()
    {
        _redis = TestRedis.Connect(TestRedis.NewPrefix());
        _store = new RedisSpendStore(_redis);
    }

    protected override ISpendStore Store => _store;

    public override async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        _redis.Dispose();
        await base.DisposeAsync();
    }
}
