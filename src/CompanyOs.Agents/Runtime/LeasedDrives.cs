using System.Collections.Concurrent;
using CompanyOs.Agents.Approvals;
using CompanyOs.Agents.Journal;
using CompanyOs.Agents.Leases;
using CompanyOs.Agents.Runs;
using CompanyOs.Events;
using Microsoft.Extensions.Logging;

namespace CompanyOs.Agents.Runtime;

/// <summary>
/// The drives of one runtime: at most one per run in this runtime, each under the run's lease (when leases are on) so that
/// no other instance drives it meanwhile; a decision recorded by someone else during a drive is acted on before it ends.
/// </summary>
internal sealed class LeasedDrives(IEventStore store, ReasoningLoop loop, RunLeases? leases, string instanceId, TimeProvider time, ILogger logger)
{
    private const int LeaseWaitAttempts = 20;
    private static readonly TimeSpan LeaseWaitInterval = TimeSpan.FromMilliseconds(50);

    private readonly ConcurrentDictionary<string, CancellationTokenSource> _active = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _inFlight;
    private volatile bool _stopping;

    /// <summary>
    /// Waits until every drive of this runtime has ended, lease released (the caller has already cancelled them through
    /// the stopping token); drives asked for from now on are refused. So nothing of the runtime still runs — and nothing
    /// still uses the store — once the runtime is disposed.
    /// </summary>
    public Task StopAsync()
    {
        _stopping = true;
        if (Volatile.Read(ref _inFlight) == 0)
        {
            _drained.TrySetResult();
        }

        return _drained.Task;
    }

    /// <summary>Stops this runtime's drive of the run, if there is one.</summary>
    public async Task CancelActiveAsync(string runId)
    {
        if (_active.TryGetValue(runId, out var drive))
        {
            await drive.CancelAsync().ConfigureAwait(false);
        }
    }

    public AgentRunResult Result(RunState state) => new(state, PendingApprovals.From(state, time.GetUtcNow()));

    /// <param name="journal">The run's journal.</param>
    /// <param name="fresh">The journal's state is what this runtime just wrote (a new run), not a possibly stale read.</param>
    /// <param name="waitForLease">Retry the lease briefly: a decision may race the release of the drive that asked for it.</param>
    /// <param name="cancellationToken">Stops the drive; the run stays resumable.</param>
    /// <param name="stopping">The runtime's own stop (disposal).</param>
    /// <exception cref="ObjectDisposedException">The runtime is stopping.</exception>
    public async Task<AgentRunResult> DriveAsync(RunJournal journal, bool fresh, bool waitForLease, CancellationToken stopping, CancellationToken cancellationToken)
    {
        // Counted before the stop flag is read, so StopAsync either sees this drive or this drive sees the stop.
        Interlocked.Increment(ref _inFlight);
        try
        {
            ObjectDisposedException.ThrowIf(_stopping, typeof(AgentRuntime));
            using var span = AgentTelemetry.StartDrive(journal.State);
            try
            {
                var result = await DriveTrackedAsync(journal, fresh, waitForLease, stopping, cancellationToken).ConfigureAwait(false);
                AgentTelemetry.EndDrive(span, result);
                return result;
            }
            catch (Exception ex) when (AgentTelemetry.Faulted(span, ex))
            {
                throw; // Not reached: the filter only marks the span.
            }
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or ObjectDisposedException or RunOwnershipLostException or EventStoreException)
            && LogFaulted(journal.State.RunId, ex))
        {
            throw; // Not reached: the filter only logs.
        }
        finally
        {
            if (Interlocked.Decrement(ref _inFlight) == 0 && _stopping)
            {
                _drained.TrySetResult();
            }
        }
    }

    private bool LogFaulted(string runId, Exception ex)
    {
        // A defect (not a model, tool or store failure the run records): logged as such and rethrown; the run stays resumable.
        RuntimeLog.DriveFaulted(logger, runId, ex);
        return false;
    }

    private async Task<AgentRunResult> DriveTrackedAsync(RunJournal journal, bool fresh, bool waitForLease, CancellationToken stopping, CancellationToken cancellationToken)
    {
        using (journal)
        {
            var runId = journal.State.RunId;
            using var drive = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopping);
            if (!_active.TryAdd(runId, drive))
            {
                // This runtime drives the run already (a concurrent call); that drive sees what was just recorded.
                return await DrivenElsewhereAsync(runId, instanceId, cancellationToken).ConfigureAwait(false);
            }

            try
            {
                var (keeper, heldBy) = await AcquireLeaseAsync(journal.State, waitForLease, cancellationToken).ConfigureAwait(false);
                if (heldBy is not null)
                {
                    return await DrivenElsewhereAsync(runId, heldBy, cancellationToken).ConfigureAwait(false);
                }

                await using (keeper)
                {
                    using var leaseLost = keeper is null ? default : keeper.Lost.Register(drive.Cancel);
                    var result = await DriveHeldAsync(journal, fresh, keeper is not null, drive, cancellationToken).ConfigureAwait(false);
                    if (keeper?.Lost.IsCancellationRequested == true)
                    {
                        RuntimeLog.LeaseLost(logger, runId);
                        return result with { OwnershipLost = true };
                    }

                    return result;
                }
            }
            catch (RunOwnershipLostException)
            {
                RuntimeLog.OwnershipLost(logger, runId);
                var current = await RunJournal.LoadAsync(store, runId, cancellationToken).ConfigureAwait(false);
                return Result(current) with { OwnershipLost = true };
            }
            finally
            {
                _active.TryRemove(new KeyValuePair<string, CancellationTokenSource>(runId, drive));
            }
        }
    }

    private async Task<AgentRunResult> DriveHeldAsync(RunJournal journal, bool fresh, bool leased, CancellationTokenSource drive, CancellationToken cancellationToken)
    {
        var runId = journal.State.RunId;
        try
        {
            // What was read before the lease was ours may be stale; a version check spares re-reading the run when it is not.
            if (leased && !fresh && await MovedAsync(journal, drive.Token).ConfigureAwait(false))
            {
                await journal.RefreshAsync(drive.Token).ConfigureAwait(false);
            }

            while (true)
            {
                await loop.RunAsync(journal, drive.Token).ConfigureAwait(false);

                // A decision or cancellation recorded by someone else while this drive held the lease: it is ours to act on.
                // (Only a waiting run can get one; an ended run has nothing left to act on.)
                if (!leased || journal.State.Status.IsTerminal() || !await MovedAsync(journal, drive.Token).ConfigureAwait(false))
                {
                    return Result(journal.State);
                }

                await journal.RefreshAsync(drive.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (drive.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Stopped by CancelAsync, by disposal or by losing the lease: the stored run is consistent; report what is stored.
            var current = await RunJournal.LoadAsync(store, runId, CancellationToken.None).ConfigureAwait(false);
            return Result(current);
        }
    }

    /// <summary>Whether the run's stream has events the journal has not seen (someone else wrote to it).</summary>
    private async Task<bool> MovedAsync(RunJournal journal, CancellationToken cancellationToken) =>
        await store.GetStreamVersionAsync(RunEventCodec.StreamId(journal.State.RunId), cancellationToken).ConfigureAwait(false) != journal.State.Version;

    private async Task<(RunLeaseKeeper? Keeper, string? HeldBy)> AcquireLeaseAsync(RunState state, bool waitForLease, CancellationToken cancellationToken)
    {
        if (leases is null || (state.Status.IsTerminal() && state.TraceWritten))
        {
            return (null, null);
        }

        for (var attempt = 0; ; attempt++)
        {
            var (keeper, heldBy) = await RunLeaseKeeper.AcquireAsync(leases, state.RunId, state.OrgId, time, cancellationToken).ConfigureAwait(false);
            if (keeper is not null || !waitForLease || attempt >= LeaseWaitAttempts)
            {
                return (keeper, heldBy);
            }

            // Real time on purpose: this only spaces out retries against another process; it is not run logic.
            await Task.Delay(LeaseWaitInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<AgentRunResult> DrivenElsewhereAsync(string runId, string owner, CancellationToken cancellationToken)
    {
        RuntimeLog.DrivenElsewhere(logger, runId, owner);
        var current = await RunJournal.LoadAsync(store, runId, cancellationToken).ConfigureAwait(false);
        return Result(current) with { DrivenBy = owner };
    }
}
