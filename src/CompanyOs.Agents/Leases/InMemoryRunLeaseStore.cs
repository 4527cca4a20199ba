namespace CompanyOs.Agents.Leases;

/// <summary>Run leases in memory, for event stores without a database (one process); the same rules as the SQL stores.</summary>
public sealed class InMemoryRunLeaseStore : IRunLeaseStore
{
    private readonly Dictionary<string, StoredRunLease> _rows = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <inheritdoc />
    public Task<RunLeaseAttempt> TryAcquireAsync(string runId, string owner, string? orgId, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        lock (_gate)
        {
            _rows.TryGetValue(runId, out var current);
            if (current is not null && current.IsHeldAt(now) && current.Owner != owner)
            {
                return Task.FromResult(new RunLeaseAttempt(null, current));
            }

            var taken = new StoredRunLease(runId, owner, now + duration, (current?.Token ?? 0) + 1);
            _rows[runId] = taken;
            return Task.FromResult(new RunLeaseAttempt(new RunLease(runId, owner, taken.ExpiresAt, taken.Token), null));
        }
    }

    /// <inheritdoc />
    public Task<RunLease?> RenewAsync(RunLease lease, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        lock (_gate)
        {
            if (!Holds(lease))
            {
                return Task.FromResult<RunLease?>(null);
            }

            var renewed = lease with { ExpiresAt = now + duration };
            _rows[lease.RunId] = new StoredRunLease(lease.RunId, lease.Owner, renewed.ExpiresAt, lease.Token);
            return Task.FromResult<RunLease?>(renewed);
        }
    }

    /// <inheritdoc />
    public Task<bool> ReleaseAsync(RunLease lease, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        lock (_gate)
        {
            if (!Holds(lease))
            {
                return Task.FromResult(false);
            }

            _rows[lease.RunId] = new StoredRunLease(lease.RunId, null, now, lease.Token);
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task<StoredRunLease?> GetAsync(string runId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_rows.GetValueOrDefault(runId));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredRunLease>> ListExpiredAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<StoredRunLease>>(
                [.. _rows.Values.Where(r => r.Owner is not null && r.ExpiresAt <= now).OrderBy(r => r.ExpiresAt).ThenBy(r => r.RunId, StringComparer.Ordinal).Take(limit)]);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListUnheldAsync(IReadOnlyCollection<string> runIds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runIds);
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<string>>([.. runIds.Where(id => !(_rows.GetValueOrDefault(id)?.IsHeldAt(now) ?? false))]);
        }
    }

    private bool Holds(RunLease lease) =>
        _rows.TryGetValue(lease.RunId, out var current) && current.Owner == lease.Owner && current.Token == lease.Token;
}
