namespace CompanyOs.Agents.Leases;

/// <summary>
/// Holds a run's lease for the length of one drive: renews it (an update of its row, matching holder and fencing token)
/// every third of its duration and cancels <see cref="Lost"/> when a renewal fails (another instance took the run over),
/// so the drive stops. Disposing releases the lease.
/// </summary>
internal sealed class RunLeaseKeeper : IAsyncDisposable
{
    private readonly RunLeases _leases;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _lost = new();
    private readonly Task _renewing;
    private RunLease _lease;

    private RunLeaseKeeper(RunLeases leases, RunLease lease, TimeProvider time)
    {
        _leases = leases;
        _lease = lease;
        _time = time;
        _renewing = RenewLoopAsync();
    }

    /// <summary>Cancelled when the lease is lost.</summary>
    public CancellationToken Lost => _lost.Token;

    /// <summary>Takes the lease and starts renewing it; returns the holder instead when another instance drives the run.</summary>
    public static async Task<(RunLeaseKeeper? Keeper, string? HeldBy)> AcquireAsync(
        RunLeases leases, string runId, string? orgId, TimeProvider time, CancellationToken cancellationToken)
    {
        var (lease, heldBy) = await leases.TryAcquireAsync(runId, orgId, cancellationToken).ConfigureAwait(false);
        return lease is null ? (null, heldBy) : (new RunLeaseKeeper(leases, lease, time), null);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _renewing.ConfigureAwait(false);
        if (!_lost.IsCancellationRequested)
        {
            // Best effort: if the release does not land, the lease simply expires.
            try
            {
                await _leases.ReleaseAsync(_lease, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is Events.EventStoreException or IOException or TimeoutException)
            {
            }
        }

        _stop.Dispose();
        _lost.Dispose();
    }

    private async Task RenewLoopAsync()
    {
        var interval = _leases.Duration / 3;
        try
        {
            while (true)
            {
                await Task.Delay(interval, _time, _stop.Token).ConfigureAwait(false);
                RunLease? renewed;
                try
                {
                    renewed = await _leases.RenewAsync(_lease, _stop.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is Events.EventStoreException or IOException or TimeoutException)
                {
                    // The store is unreachable for now: keep the lease until it would expire, then give the run up.
                    if (_time.GetUtcNow() < _lease.ExpiresAt)
                    {
                        continue;
                    }

                    renewed = null;
                }

                if (renewed is null)
                {
                    await _lost.CancelAsync().ConfigureAwait(false);
                    return;
                }

                _lease = renewed;
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }
}
