namespace CompanyOs.Agents.Leases;

/// <summary>
/// Where run leases live: one row per run (run id, holder, fencing token, expiry) next to the run events — a
/// <c>run_leases</c> table in the same SQLite file or PostgreSQL schema — so renewing a lease writes no event. Every
/// operation is one atomic statement: of two instances racing for a lease, exactly one wins; taking a lease (first time
/// or over an expired or released one) increments its fencing <see cref="RunLease.Token"/>, and renewing or releasing
/// succeeds only for the holder with the current token, so a holder whose lease was taken over learns it at its next renewal.
/// Times are the caller's clock.
/// </summary>
public interface IRunLeaseStore
{
    /// <summary>
    /// Takes the run's lease for <paramref name="owner"/> until <paramref name="now"/> + <paramref name="duration"/> when
    /// nobody holds it, its holder released it, it expired, or <paramref name="owner"/> holds it already; the fencing token
    /// goes up by one. Otherwise returns who holds it.
    /// </summary>
    /// <exception cref="Events.EventStoreException">The database failed or cannot be reached.</exception>
    Task<RunLeaseAttempt> TryAcquireAsync(string runId, string owner, string? orgId, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>
    /// Extends <paramref name="lease"/> to <paramref name="now"/> + <paramref name="duration"/> if its owner still holds it
    /// with the same token (also when it has expired but nobody took it); null when it was lost.
    /// </summary>
    /// <exception cref="Events.EventStoreException">The database failed or cannot be reached.</exception>
    Task<RunLease?> RenewAsync(RunLease lease, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>Gives <paramref name="lease"/> up if it is still held with its token; false (and nothing changed) when it was lost.</summary>
    /// <exception cref="Events.EventStoreException">The database failed or cannot be reached.</exception>
    Task<bool> ReleaseAsync(RunLease lease, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The run's lease row as stored — held, expired or released (then <see cref="StoredRunLease.Owner"/> is null) — or null when it never had one.</summary>
    /// <exception cref="Events.EventStoreException">The database failed or cannot be reached.</exception>
    Task<StoredRunLease?> GetAsync(string runId, CancellationToken cancellationToken);

    /// <summary>Leases still held but expired at <paramref name="now"/> (their holder stopped renewing: it crashed or hangs), oldest expiry first.</summary>
    /// <exception cref="Events.EventStoreException">The database failed or cannot be reached.</exception>
    Task<IReadOnlyList<StoredRunLease>> ListExpiredAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>Of <paramref name="runIds"/>, those nobody holds a live lease on at <paramref name="now"/> (never leased, released or expired): the runs another instance may take over.</summary>
    /// <exception cref="Events.EventStoreException">The database failed or cannot be reached.</exception>
    Task<IReadOnlyList<string>> ListUnheldAsync(IReadOnlyCollection<string> runIds, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>
/// The right to drive one run until <see cref="ExpiresAt"/>, held by one runtime instance. <see cref="Token"/> is the
/// fencing token: it goes up every time the lease is taken, so a holder's token is current only while nobody took the
/// lease after it.
/// </summary>
public sealed record RunLease(string RunId, string Owner, DateTimeOffset ExpiresAt, long Token);

/// <summary>A run's lease row. <see cref="Owner"/> is null once released; <see cref="ExpiresAt"/> is then the release time.</summary>
public sealed record StoredRunLease(string RunId, string? Owner, DateTimeOffset ExpiresAt, long Token)
{
    /// <summary>Whether someone holds the lease at <paramref name="now"/>.</summary>
    public bool IsHeldAt(DateTimeOffset now) => Owner is not null && ExpiresAt > now;
}

/// <summary>The outcome of <see cref="IRunLeaseStore.TryAcquireAsync"/>: the lease taken, or who holds it (null when it changed hands meanwhile).</summary>
public readonly record struct RunLeaseAttempt(RunLease? Lease, StoredRunLease? Current);
