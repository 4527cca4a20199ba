using CompanyOs.Agents.Leases;
using CompanyOs.Agents.Tests.TestDoubles;
using CompanyOs.Events;
using Microsoft.Extensions.Time.Testing;

namespace CompanyOs.Agents.Tests.Leases;

/// <summary>The lease rules, run on every event store implementation (in-memory, SQLite, PostgreSQL).</summary>
public abstract class RunLeasesContractTests : IAsyncLifetime
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(30);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private TestStore? _store;

    private protected IEventStore Store => _store!.Store;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _store = await OpenAsync();

    public async ValueTask DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    private protected abstract Task<TestStore> OpenAsync();

    private RunLeases Instance(string owner) => new(Store, owner, Duration, _time);

    private static string NewRun() => "run_" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task A_held_lease_keeps_others_out_until_released()
    {
        var run = NewRun();
        var (lease, _) = await Instance("a").TryAcquireAsync(run, "org", newRun: true, Ct);

        Assert.Equal("a", lease!.Owner);
        Assert.Equal(_time.GetUtcNow() + Duration, lease.ExpiresAt);
        Assert.Equal((null, "a"), ((RunLease?)null, (await Instance("b").TryAcquireAsync(run, "org", newRun: false, Ct)).HeldBy));
        Assert.Equal("a", (await Instance("b").GetHolderAsync(run, Ct))!.Owner);

        await Instance("a").ReleaseAsync(lease, "org", Ct);
        var (taken, heldBy) = await Instance("b").TryAcquireAsync(run, "org", newRun: false, Ct);
        Assert.Equal("b", taken!.Owner);
        Assert.Null(heldBy);
    }

    [Fact]
    public async Task Renewing_extends_the_lease_and_an_unrenewed_lease_expires()
    {
        var run = NewRun();
        var a = Instance("a");
        var (lease, _) = await a.TryAcquireAsync(run, null, newRun: true, Ct);

        _time.Advance(TimeSpan.FromSeconds(20));
        var renewed = await a.RenewAsync(lease!, null, Ct);
        Assert.Equal(_time.GetUtcNow() + Duration, renewed!.ExpiresAt);
        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal("a", (await Instance("b").TryAcquireAsync(run, null, newRun: false, Ct)).HeldBy);

        _time.Advance(TimeSpan.FromSeconds(11));
        Assert.Null(await a.GetHolderAsync(run, Ct));
        var (taken, _) = await Instance("b").TryAcquireAsync(run, null, newRun: false, Ct);
        Assert.Equal("b", taken!.Owner);

        // The old holder's renewal now fails: it lost the run.
        Assert.Null(await a.RenewAsync(renewed, null, Ct));
    }

    [Fact]
    public async Task Of_many_instances_racing_for_a_free_lease_exactly_one_wins()
    {
        var run = NewRun();
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            Task.Run(() => Instance($"i{i}").TryAcquireAsync(run, null, newRun: i % 2 == 0, Ct), Ct)));

        var winners = results.Where(r => r.Lease is not null).ToList();
        var winner = Assert.Single(winners).Lease!.Owner;
        Assert.All(results.Where(r => r.Lease is null), r => Assert.Equal(winner, r.HeldBy));
    }

    [Fact]
    public async Task The_holder_may_take_its_own_lease_again_and_a_stale_release_changes_nothing()
    {
        var run = NewRun();
        var a = Instance("a");
        var (first, _) = await a.TryAcquireAsync(run, null, newRun: true, Ct);
        var (again, _) = await a.TryAcquireAsync(run, null, newRun: false, Ct);

        Assert.NotNull(again);
        Assert.True(again!.Version > first!.Version);
        await a.ReleaseAsync(first, null, Ct);
        Assert.Equal("a", (await a.GetHolderAsync(run, Ct))!.Owner);
    }
}

public sealed class InMemoryRunLeasesTests : RunLeasesContractTests
{
    private protected override Task<TestStore> OpenAsync() => Task.FromResult(TestStore.InMemory());
}

public sealed class SqliteRunLeasesTests : RunLeasesContractTests
{
    private protected override Task<TestStore> OpenAsync() => TestStore.SqliteAsync(Ct);
}

/// <summary>Needs the throw-away PostgreSQL that scripts/test.sh starts (COMPANYOS_TEST_POSTGRES); missing, the tests fail.</summary>
public sealed class PostgresRunLeasesTests : RunLeasesContractTests
{
    private protected override Task<TestStore> OpenAsync() => TestStore.PostgresAsync(Ct);
}
