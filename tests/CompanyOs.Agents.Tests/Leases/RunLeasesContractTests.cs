using CompanyOs.Agents.Leases;
using CompanyOs.Agents.Tests.TestDoubles;
using CompanyOs.Events;
using Microsoft.Extensions.Time.Testing;

namespace CompanyOs.Agents.Tests.Leases;

/// <summary>The lease rules, run on every lease store (in memory, the SQLite and the PostgreSQL <c>run_leases</c> table).</summary>
public abstract class RunLeasesContractTests : IAsyncLifetime
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(30);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private TestStore? _store;

    private protected IEventStore Store => _store!.Store;

    private IRunLeaseStore Leases => RunLeaseStore.For(Store);

    private DateTimeOffset Now => _time.GetUtcNow();

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
    public async Task The_first_acquire_takes_the_lease_with_token_one_and_stores_a_row()
    {
        var run = NewRun();
        Assert.Null(await Leases.GetAsync(run, Ct));

        var attempt = await Leases.TryAcquireAsync(run, "a", "org", Now, Duration, Ct);

        Assert.Equal(new RunLease(run, "a", Now + Duration, 1), attempt.Lease);
        Assert.Equal(new StoredRunLease(run, "a", Now + Duration, 1), await Leases.GetAsync(run, Ct));
        Assert.Equal("a", (await Instance("b").GetHolderAsync(run, Ct))!.Owner);
    }

    [Fact]
    public async Task A_held_lease_keeps_another_holder_out_and_its_holder_renews_it()
    {
        var run = NewRun();
        var lease = (await Leases.TryAcquireAsync(run, "a", "org", Now, Duration, Ct)).Lease!;

        _time.Advance(TimeSpan.FromSeconds(20));
        var refused = await Leases.TryAcquireAsync(run, "b", "org", Now, Duration, Ct);
        Assert.Null(refused.Lease);
        Assert.Equal(new StoredRunLease(run, "a", lease.ExpiresAt, 1), refused.Current);
        Assert.Equal((null, "a"), await Instance("b").TryAcquireAsync(run, "org", Ct));

        var renewed = await Leases.RenewAsync(lease, Now, Duration, Ct);
        Assert.Equal(lease with { ExpiresAt = Now + Duration }, renewed);
        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.Null((await Leases.TryAcquireAsync(run, "b", null, Now, Duration, Ct)).Lease);
    }

    [Fact]
    public async Task An_expired_lease_is_listed_and_taken_over_with_the_next_token_and_the_old_holder_can_neither_renew_nor_release()
    {
        var run = NewRun();
        var old = (await Leases.TryAcquireAsync(run, "a", "org", Now, Duration, Ct)).Lease!;
        Assert.Empty(await Leases.ListExpiredAsync(Now, 10, Ct));

        _time.Advance(Duration);
        Assert.Equal([new StoredRunLease(run, "a", old.ExpiresAt, 1)], await Leases.ListExpiredAsync(Now, 10, Ct));
        Assert.Null(await Instance("b").GetHolderAsync(run, Ct));
        var taken = (await Leases.TryAcquireAsync(run, "b", "org", Now, Duration, Ct)).Lease;

        Assert.Equal(new RunLease(run, "b", Now + Duration, 2), taken);
        Assert.Empty(await Leases.ListExpiredAsync(Now, 10, Ct));
        Assert.Null(await Leases.RenewAsync(old, Now, Duration, Ct));
        Assert.False(await Leases.ReleaseAsync(old, Now, Ct));
        Assert.Equal(new StoredRunLease(run, "b", taken!.ExpiresAt, 2), await Leases.GetAsync(run, Ct));
    }

    [Fact]
    public async Task An_expired_lease_nobody_took_can_still_be_renewed_by_its_holder()
    {
        var run = NewRun();
        var lease = (await Leases.TryAcquireAsync(run, "a", null, Now, Duration, Ct)).Lease!;
        _time.Advance(Duration * 2);

        Assert.Equal(lease with { ExpiresAt = Now + Duration }, await Leases.RenewAsync(lease, Now, Duration, Ct));
    }

    [Fact]
    public async Task A_released_lease_is_free_at_once_and_a_second_release_changes_nothing()
    {
        var run = NewRun();
        var lease = (await Leases.TryAcquireAsync(run, "a", null, Now, Duration, Ct)).Lease!;

        Assert.True(await Leases.ReleaseAsync(lease, Now, Ct));
        Assert.Equal(new StoredRunLease(run, null, Now, 1), await Leases.GetAsync(run, Ct));
        Assert.Empty(await Leases.ListExpiredAsync(Now + Duration, 10, Ct));
        Assert.False(await Leases.ReleaseAsync(lease, Now, Ct));
        Assert.Null(await Leases.RenewAsync(lease, Now, Duration, Ct));

        var next = (await Leases.TryAcquireAsync(run, "b", null, Now, Duration, Ct)).Lease;
        Assert.Equal(new RunLease(run, "b", Now + Duration, 2), next);
    }

    [Fact]
    public async Task The_holder_may_take_its_own_lease_again_which_fences_off_its_older_token()
    {
        var run = NewRun();
        var first = (await Leases.TryAcquireAsync(run, "a", null, Now, Duration, Ct)).Lease!;
        var again = (await Leases.TryAcquireAsync(run, "a", null, Now, Duration, Ct)).Lease!;

        Assert.Equal(2, again.Token);
        Assert.Null(await Leases.RenewAsync(first, Now, Duration, Ct));
        Assert.False(await Leases.ReleaseAsync(first, Now, Ct));
        Assert.Equal("a", (await Instance("a").GetHolderAsync(run, Ct))!.Owner);
        Assert.NotNull(await Leases.RenewAsync(again, Now, Duration, Ct));
    }

    [Fact]
    public async Task Of_many_tasks_racing_for_a_free_lease_exactly_one_wins_and_the_others_see_it()
    {
        var run = NewRun();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var racing = Enumerable.Range(0, 16).Select(i => Task.Run(
            async () =>
            {
                await start.Task;
                return await Leases.TryAcquireAsync(run, $"i{i}", null, Now, Duration, Ct);
            },
            Ct)).ToList();
        start.SetResult();
        var results = await Task.WhenAll(racing);

        var winner = Assert.Single(results, r => r.Lease is not null).Lease!;
        Assert.Equal(1, winner.Token);
        Assert.All(results.Where(r => r.Lease is null), r => Assert.Equal(winner.Owner, r.Current?.Owner));
        Assert.Equal(winner.Owner, (await Leases.GetAsync(run, Ct))!.Owner);
    }

    [Fact]
    public async Task Of_many_tasks_racing_to_take_over_an_expired_lease_exactly_one_wins_with_the_next_token()
    {
        var run = NewRun();
        await Leases.TryAcquireAsync(run, "crashed", null, Now, Duration, Ct);
        _time.Advance(Duration + TimeSpan.FromSeconds(1));

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() => Leases.TryAcquireAsync(run, $"i{i}", null, Now, Duration, Ct), Ct)));

        var winner = Assert.Single(results, r => r.Lease is not null).Lease!;
        Assert.Equal(2, winner.Token);
    }

    [Fact]
    public async Task Runs_without_a_live_lease_are_listed_as_unheld()
    {
        var (held, released, expired, never) = (NewRun(), NewRun(), NewRun(), NewRun());
        var lease = (await Leases.TryAcquireAsync(released, "a", null, Now, Duration, Ct)).Lease!;
        await Leases.ReleaseAsync(lease, Now, Ct);
        await Leases.TryAcquireAsync(expired, "a", null, Now - Duration, Duration, Ct);
        await Leases.TryAcquireAsync(held, "a", null, Now, Duration, Ct);

        var unheld = await Leases.ListUnheldAsync([held, released, expired, never], Now, Ct);

        Assert.Equal([released, expired, never], unheld);
        Assert.Empty(await Leases.ListUnheldAsync([], Now, Ct));
        Assert.Equal([expired], (await Leases.ListExpiredAsync(Now, 10, Ct)).Select(l => l.RunId).Where(id => id == expired));
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
