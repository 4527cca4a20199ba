using CompanyOs.Llm.Gateway.Budgets;
using CompanyOs.Llm.Redis;
using Microsoft.Extensions.Logging.Testing;

namespace CompanyOs.Llm.Tests.Redis;

public sealed class RedisSpendStoreTests
{
    private static readonly BudgetScope Acme = new(BudgetScopeKind.Org, "acme");

    [Fact]
    public async Task Two_instances_never_overspend_a_shared_budget_under_concurrent_reservations()
    {
        var prefix = TestRedis.NewPrefix();
        using var a = TestRedis.Connect(prefix, instances: 2);
        using var b = TestRedis.Connect(prefix, instances: 2);
        await using var first = new RedisSpendStore(a);
        await using var second = new RedisSpendStore(b);
        BudgetCheck[] checks = [new(Acme, new BudgetLimit(MaxUsd: 1m))];
        var call = new SpendAmount(0.05m, 100);
        var granted = 0;

        await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
        {
            var store = i % 2 == 0 ? first : second;
            for (var attempt = 0; attempt < 5; attempt++)
            {
                if ((await store.TryReserveAsync(checks, call, TestContext.Current.CancellationToken)).Granted)
                {
                    Interlocked.Increment(ref granted);
                    await Task.Yield();
                    await store.SettleAsync(checks, call, call, TestContext.Current.CancellationToken);
                }
            }
        }));

        var spent = await first.GetSpentAsync(Acme, TestContext.Current.CancellationToken);
        Assert.InRange(granted, 1, 20);
        Assert.Equal(new SpendAmount(0.05m * granted, 100 * granted), spent);
        Assert.True(spent.Usd <= 1m, $"spent {spent.Usd}");
        Assert.Equal(spent, await second.GetSpentAsync(Acme, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_scope_new_to_Redis_starts_from_the_durable_total_and_settlements_reach_the_ledger()
    {
        var ledger = new InMemorySpendStore();
        BudgetCheck[] checks = [new(Acme, new BudgetLimit(MaxUsd: 1m))];
        await ledger.SettleAsync(checks, default, new SpendAmount(0.9m, 900), TestContext.Current.CancellationToken);
        using var redis = TestRedis.Connect(TestRedis.NewPrefix());
        await using var sut = new RedisSpendStore(redis, ledger);

        var refused = await sut.TryReserveAsync(checks, new SpendAmount(0.2m, 10), TestContext.Current.CancellationToken);
        Assert.True((await sut.TryReserveAsync(checks, new SpendAmount(0.1m, 10), TestContext.Current.CancellationToken)).Granted);
        await sut.SettleAsync(checks, new SpendAmount(0.1m, 10), new SpendAmount(0.05m, 5), TestContext.Current.CancellationToken);

        Assert.False(refused.Granted);
        Assert.Equal(new SpendAmount(0.9m, 900), refused.Committed);
        Assert.Equal(new SpendAmount(0.95m, 905), await sut.GetSpentAsync(Acme, TestContext.Current.CancellationToken));
        Assert.Equal(new SpendAmount(0.95m, 905), await ledger.GetSpentAsync(Acme, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_crashed_instance_holds_its_reservations_only_until_its_lease_ends()
    {
        var prefix = TestRedis.NewPrefix();
        using var a = TestRedis.Connect(prefix);
        using var b = TestRedis.Connect(prefix);
        var crashed = new RedisSpendStore(a, instanceLease: TimeSpan.FromSeconds(1));
        await using var survivor = new RedisSpendStore(b);
        BudgetCheck[] checks = [new(Acme, new BudgetLimit(MaxUsd: 1m))];
        Assert.True((await crashed.TryReserveAsync(checks, new SpendAmount(0.8m, 0), TestContext.Current.CancellationToken)).Granted);
        // Stops renewing its lease, as a crashed process would; its reservation is never settled.
        await crashed.DisposeAsync();

        Assert.False((await survivor.TryReserveAsync(checks, new SpendAmount(0.5m, 0), TestContext.Current.CancellationToken)).Granted);
        await Poll.UntilAsync(async () => (await survivor.TryReserveAsync(checks, new SpendAmount(0.5m, 0), TestContext.Current.CancellationToken)).Granted,
            "the crashed instance's reservation being dropped after its lease", cancellationToken: TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Without_Redis_a_reservation_is_refused_at_once_and_a_settlement_waits()
    {
        using var redis = TestRedis.Connect(TestRedis.NewPrefix(), logger: new FakeLogger(), configuration: TestRedis.ClosedPort());
        await using var sut = new RedisSpendStore(redis);
        BudgetCheck[] checks = [new(Acme, new BudgetLimit(MaxUsd: 100m))];

        var refused = await Assert.ThrowsAsync<SpendStoreUnavailableException>(
            async () => await sut.TryReserveAsync(checks, new SpendAmount(0.01m, 1), TestContext.Current.CancellationToken));
        await sut.SettleAsync(checks, new SpendAmount(0.01m, 1), new SpendAmount(0.01m, 1), TestContext.Current.CancellationToken);

        Assert.Contains("Redis", refused.Message, StringComparison.Ordinal);
        Assert.Equal(1, sut.PendingSettlements);
    }

    [Fact]
    public async Task Operations_that_timed_out_while_Redis_was_paused_are_applied_exactly_once_when_it_answers_again()
    {
        // A Redis of this test alone: pausing the shared one would stall every other test.
        using var server = await PrivateRedis.StartAsync();
        var prefix = TestRedis.NewPrefix();
        using var redis = TestRedis.Connect(prefix, configuration: server.Configuration);
        using var admin = TestRedis.Connect(prefix, configuration: server.Configuration + ",allowAdmin=true");
        await using var sut = new RedisSpendStore(redis);
        BudgetCheck[] checks = [new(Acme, new BudgetLimit(MaxUsd: 1m))];
        Assert.True((await sut.TryReserveAsync(checks, new SpendAmount(0.5m, 50), TestContext.Current.CancellationToken)).Granted);

        // Every other client's commands wait 2 s: longer than the command timeout.
        await admin.Multiplexer.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", "2000", "WRITE");
        // Both commands time out here but run once the pause ends: the reservation must be released, the settlement counted once.
        await Assert.ThrowsAsync<SpendStoreUnavailableException>(
            async () => await sut.TryReserveAsync(checks, new SpendAmount(0.3m, 0), TestContext.Current.CancellationToken));
        await sut.SettleAsync(checks, new SpendAmount(0.5m, 50), new SpendAmount(0.4m, 40), TestContext.Current.CancellationToken);
        Assert.Equal(2, sut.PendingSettlements);

        await Poll.UntilAsync(async () =>
        {
            try
            {
                return (await sut.TryReserveAsync(checks, new SpendAmount(0.6m, 0), TestContext.Current.CancellationToken)).Granted;
            }
            catch (SpendStoreUnavailableException)
            {
                return false;
            }
        }, "the kept settlement releasing its reservation once Redis answers", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(0, sut.PendingSettlements);
        Assert.Equal(new SpendAmount(0.4m, 40), await sut.GetSpentAsync(Acme, TestContext.Current.CancellationToken));
    }
}
