using System.Text.Json;
using System.Text.Json.Serialization;
using CompanyOs.Events;

namespace CompanyOs.Agents.Leases;

/// <summary>
/// Leases that let exactly one runtime instance drive a run at a time, kept in the event store itself (stream
/// <c>agent-lease:{run id}</c>), so they work on every <see cref="IEventStore"/> — SQLite shared by processes on one
/// machine, PostgreSQL shared by server instances. Acquiring, renewing and releasing are appends with the exact expected
/// version: of two instances racing for a lease, one wins. A lease whose holder stopped renewing (it crashed) expires and
/// can then be taken over. Expiry is judged by the clock of the instance that reads it, so instances' clocks must agree to
/// well within the lease duration.
/// </summary>
public sealed class RunLeases
{
    /// <summary>Stream prefix of the lease streams.</summary>
    public const string StreamPrefix = "agent-lease:";

    private const string Acquired = "RunLeaseAcquired";
    private const string Renewed = "RunLeaseRenewed";
    private const string Released = "RunLeaseReleased";

    private readonly IEventStore _store;
    private readonly TimeProvider _time;

    /// <param name="store">Where the lease events live (normally the runs' own store).</param>
    /// <param name="owner">This instance's id, recorded in the lease.</param>
    /// <param name="duration">How long a lease lasts without renewal.</param>
    /// <param name="time">The clock.</param>
    public RunLeases(IEventStore store, string owner, TimeSpan duration, TimeProvider time)
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

    public static string StreamId(string runId) => StreamPrefix + runId;

    /// <summary>
    /// Takes the run's lease when nobody holds it, it has expired, or this instance holds it already. Otherwise returns
    /// the current holder, who drives the run.
    /// </summary>
    /// <param name="runId">The run.</param>
    /// <param name="orgId">Recorded in the lease events' metadata.</param>
    /// <param name="newRun">The run was just created by this instance, so no lease can exist yet: try without reading first.</param>
    /// <param name="cancellationToken">Cancels the store calls.</param>
    public async Task<(RunLease? Lease, string? HeldBy)> TryAcquireAsync(string runId, string? orgId, bool newRun, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        if (newRun && await AppendAsync(runId, orgId, Acquired, ExpectedVersion.NoStream, cancellationToken).ConfigureAwait(false) is { } first)
        {
            return (first, null);
        }

        var stream = StreamId(runId);
        var (version, current, type) = await ReadLastAsync(stream, cancellationToken).ConfigureAwait(false);
        if (current is not null && type != Released && current.Owner != Owner && current.ExpiresAt > _time.GetUtcNow())
        {
            return (null, current.Owner);
        }

        var expected = version is { } v ? ExpectedVersion.Exactly(v) : ExpectedVersion.NoStream;
        var lease = await AppendAsync(runId, orgId, Acquired, expected, cancellationToken).ConfigureAwait(false);
        if (lease is not null)
        {
            return (lease, null);
        }

        var (_, winner, _) = await ReadLastAsync(stream, cancellationToken).ConfigureAwait(false);
        return (null, winner?.Owner ?? "another instance");
    }

    /// <summary>Extends the lease; null when it was lost (it expired and another instance took the run over).</summary>
    public Task<RunLease?> RenewAsync(RunLease lease, string? orgId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return AppendAsync(lease.RunId, orgId, Renewed, ExpectedVersion.Exactly(lease.Version), cancellationToken);
    }

    /// <summary>Gives the lease up so that another instance may drive the run at once; a lease already lost is left alone.</summary>
    public async Task ReleaseAsync(RunLease lease, string? orgId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        await AppendAsync(lease.RunId, orgId, Released, ExpectedVersion.Exactly(lease.Version), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Who holds the run's lease now, or null.</summary>
    public async Task<RunLease?> GetHolderAsync(string runId, CancellationToken cancellationToken)
    {
        var (version, current, type) = await ReadLastAsync(StreamId(runId), cancellationToken).ConfigureAwait(false);
        return current is null || type == Released || current.ExpiresAt <= _time.GetUtcNow()
            ? null
            : new RunLease(runId, current.Owner, current.ExpiresAt, version!.Value);
    }

    private async Task<RunLease?> AppendAsync(string runId, string? orgId, string type, ExpectedVersion expected, CancellationToken cancellationToken)
    {
        var expiresAt = type == Released ? _time.GetUtcNow() : _time.GetUtcNow() + Duration;
        var data = JsonSerializer.SerializeToElement(new LeaseRecord(Owner, expiresAt), LeaseJsonContext.Default.LeaseRecord);
        var metadata = new EventMetadata { OrgId = orgId, CorrelationId = runId, Actor = $"runtime:{Owner}" };
        try
        {
            var result = await _store.AppendAsync(StreamId(runId), expected, [new EventData(Guid.NewGuid(), type, data, metadata)], cancellationToken)
                .ConfigureAwait(false);
            return new RunLease(runId, Owner, expiresAt, result.NextExpectedVersion);
        }
        catch (ConcurrencyException)
        {
            return null;
        }
    }

    private async Task<(long? Version, LeaseRecord? Record, string? Type)> ReadLastAsync(string stream, CancellationToken cancellationToken)
    {
        var version = await _store.GetStreamVersionAsync(stream, cancellationToken).ConfigureAwait(false);
        if (version is not { } last)
        {
            return (null, null, null);
        }

        await foreach (var recorded in _store.ReadStreamAsync(stream, last, cancellationToken).ConfigureAwait(false))
        {
            return (last, recorded.Data.Deserialize(LeaseJsonContext.Default.LeaseRecord), recorded.Type);
        }

        return (null, null, null);
    }
}

/// <summary>
/// The right to drive one run until <see cref="ExpiresAt"/>, held by one runtime instance. Recorded as events in stream
/// <c>agent-lease:{run id}</c>; <see cref="Version"/> is the version of the event that granted or last renewed it.
/// </summary>
public sealed record RunLease(string RunId, string Owner, DateTimeOffset ExpiresAt, long Version);

/// <summary>The payload of the lease events (<c>RunLeaseAcquired</c>, <c>RunLeaseRenewed</c>, <c>RunLeaseReleased</c>).</summary>
internal sealed record LeaseRecord(string Owner, DateTimeOffset ExpiresAt);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(LeaseRecord))]
internal sealed partial class LeaseJsonContext : JsonSerializerContext;
