using CompanyOs.Events;

namespace CompanyOs.Agents.Leases;

/// <summary>
/// Leases that let exactly one runtime instance drive a run at a time, as one row per run in <see cref="IRunLeaseStore"/>
/// (next to the run events: the <c>run_leases</c> table of the SQLite file or PostgreSQL schema, shared by processes and
/// server instances; in memory for other stores). Renewals write no events. Taking a lease increments its fencing token;
/// renewing and releasing need the current holder and token, so a holder whose lease was taken over learns it at its next
/// renewal. The run's stream expected version still guards every append of a drive, so a stale holder cannot write over
/// the new holder's events either. A lease whose holder stopped renewing (it crashed) expires and can then be taken over.
/// Expiry is judged by the clock of the instance that reads it, so instances' clocks must agree to well within the lease
/// duration.
/// </summary>
/// <remarks>
/// Earlier versions kept leases as events in streams <c>agent-lease:{run id}</c>; such streams in an existing store are
/// ignored (nothing reads them any more) and may be left as they are.
/// </remarks>
public sealed class RunLeases
{
    private readonly IRunLeaseStore _store;
    private readonly TimeProvider _time;

    /// <param name="store">The runs' event store: the leases live in its database (<see cref="RunLeaseStore.For"/>).</param>
    /// <param name="owner">This instance's id, recorded in the lease.</param>
    /// <param name="duration">How long a lease lasts without renewal.</param>
    /// <param name="time">The clock.</param>
    public RunLeases(IEventStore store, string owner, TimeSpan duration, TimeProvider time)
        : this(RunLeaseStore.For(store ?? throw new ArgumentNullException(nameof(store))), owner, duration, time)
    {
    }

    /// <param name="store">Where the lease rows live.</param>
    /// <param name="owner">This instance's id, recorded in the lease.</param>
    /// <param name="duration">How long a lease lasts without renewal.</param>
    /// <param name="time">The clock.</param>
    public RunLeases(IRunLeaseStore store, string owner, TimeSpan duration, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(time);
        _store = store;
        Owner = owner;
        Duration = duration;
        _time = time;
    }

    /// <summary>This instance's id.</summary>
    public string Owner { get; }

    /// <summary>How long a lease lasts without renewal.</summary>
    public TimeSpan Duration { get; }

    /// <summary>The lease rows.</summary>
    public IRunLeaseStore Store => _store;

    /// <summary>
    /// Takes the run's lease when nobody holds it, it was released or has expired, or this instance holds it already (its
    /// fencing token goes up each time). Otherwise returns the current holder, who drives the run.
    /// </summary>
    /// <param name="runId">The run.</param>
    /// <param name="orgId">Recorded in the lease row.</param>
    /// <param name="cancellationToken">Cancels the store call.</param>
    /// <exception cref="EventStoreException">The lease store failed or cannot be reached.</exception>
    public async Task<(RunLease? Lease, string? HeldBy)> TryAcquireAsync(string runId, string? orgId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        var attempt = await _store.TryAcquireAsync(runId, Owner, orgId, _time.GetUtcNow(), Duration, cancellationToken).ConfigureAwait(false);
        return attempt.Lease is { } lease ? (lease, null) : (null, attempt.Current?.Owner ?? "another instance");
    }

    /// <summary>Extends the lease; null when it was lost (another instance took the run over, so the token moved on).</summary>
    /// <exception cref="EventStoreException">The lease store failed or cannot be reached.</exception>
    public Task<RunLease?> RenewAsync(RunLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return _store.RenewAsync(lease, _time.GetUtcNow(), Duration, cancellationToken);
    }

    /// <summary>Gives the lease up so that another instance may drive the run at once; a lease already lost is left alone (false).</summary>
    /// <exception cref="EventStoreException">The lease store failed or cannot be reached.</exception>
    public Task<bool> ReleaseAsync(RunLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return _store.ReleaseAsync(lease, _time.GetUtcNow(), cancellationToken);
    }

    /// <summary>Who holds the run's lease now, or null.</summary>
    /// <exception cref="EventStoreException">The lease store failed or cannot be reached.</exception>
    public async Task<RunLease?> GetHolderAsync(string runId, CancellationToken cancellationToken)
    {
        var row = await _store.GetAsync(runId, cancellationToken).ConfigureAwait(false);
        return row is not null && row.IsHeldAt(_time.GetUtcNow()) ? new RunLease(runId, row.Owner!, row.ExpiresAt, row.Token) : null;
    }

    /// <summary>Of <paramref name="runIds"/>, the runs nobody holds a live lease on now (never leased, released or expired).</summary>
    /// <exception cref="EventStoreException">The lease store failed or cannot be reached.</exception>
    public Task<IReadOnlyList<string>> ListUnheldAsync(IReadOnlyCollection<string> runIds, CancellationToken cancellationToken) =>
        _store.ListUnheldAsync(runIds, _time.GetUtcNow(), cancellationToken);

    /// <summary>Leases still held but expired now (their holder crashed or hangs), oldest expiry first: runs to take over.</summary>
    /// <exception cref="EventStoreException">The lease store failed or cannot be reached.</exception>
    public Task<IReadOnlyList<StoredRunLease>> ListExpiredAsync(int limit, CancellationToken cancellationToken) =>
        _store.ListExpiredAsync(_time.GetUtcNow(), limit, cancellationToken);
}
