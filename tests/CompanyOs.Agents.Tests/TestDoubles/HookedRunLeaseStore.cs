using CompanyOs.Agents.Leases;

namespace CompanyOs.Agents.Tests.TestDoubles;

/// <summary>Forwards to a lease store; lets a test hold a renewal or a release back, and counts the operations.</summary>
internal sealed class HookedRunLeaseStore(IRunLeaseStore inner) : IRunLeaseStore
{
    private int _acquired;
    private int _renewed;
    private int _released;

    /// <summary>Awaited before each renewal, with the lease and the renewal's cancellation token.</summary>
    public Func<RunLease, CancellationToken, Task>? BeforeRenew { get; set; }

    /// <summary>Awaited before each release, with the lease.</summary>
    public Func<RunLease, Task>? BeforeRelease { get; set; }

    public int Acquired => Volatile.Read(ref _acquired);

    public int Renewed => Volatile.Read(ref _renewed);

    public int Released => Volatile.Read(ref _released);

    public async Task<RunLeaseAttempt> TryAcquireAsync(string runId, string owner, string? orgId, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken)
    {
        var attempt = await inner.TryAcquireAsync(runId, owner, orgId, now, duration, cancellationToken);
        if (attempt.Lease is not null)
        {
            Interlocked.Increment(ref _acquired);
        }

        return attempt;
    }

    public async Task<RunLease?> RenewAsync(RunLease lease, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken)
    {
        if (BeforeRenew is { } hook)
        {
            await hook(lease, cancellationToken);
        }

        var renewed = await inner.RenewAsync(lease, now, duration, cancellationToken);
        if (renewed is not null)
        {
            Interlocked.Increment(ref _renewed);
        }

        return renewed;
    }

    public async Task<bool> ReleaseAsync(RunLease lease, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (BeforeRelease is { } hook)
        {
            await hook(lease);
        }

        var released = await inner.ReleaseAsync(lease, now, cancellationToken);
        if (released)
        {
            Interlocked.Increment(ref _released);
        }

        return released;
    }

    public Task<StoredRunLease?> GetAsync(string runId, CancellationToken cancellationToken) => inner.GetAsync(runId, cancellationToken);

    public Task<IReadOnlyList<StoredRunLease>> ListExpiredAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        inner.ListExpiredAsync(now, limit, cancellationToken);

    public Task<IReadOnlyList<string>> ListUnheldAsync(IReadOnlyCollection<string> runIds, DateTimeOffset now, CancellationToken cancellationToken) =>
        inner.ListUnheldAsync(runIds, now, cancellationToken);
}
