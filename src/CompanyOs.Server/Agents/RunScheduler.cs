using System.Threading.Channels;
using CompanyOs.Agents.ReadModel;
using CompanyOs.Agents.Runs;
using CompanyOs.Agents.Runtime;
using CompanyOs.Events;

namespace CompanyOs.Server.Agents;

/// <summary>
/// Drives runs in the background, at most <c>slots</c> at a time, each under the run's lease (the runtime takes it). A run
/// waiting for a slot is already stored as started, so the queue itself need not survive a restart: on start, every
/// running run nobody holds a lease on is queued again (<see cref="TakeOverInBackground"/>), and the same look is taken
/// again every lease period while the server runs: a run another instance drives is left alone, and once that instance
/// has crashed (its lease expired) the run is taken over — within about two lease periods, without a restart.
/// Running runs are found in the run read model, not by reading every run.
/// </summary>
internal sealed class RunScheduler(
    AgentRuntime runtime, RunStepHub hub, int slots, TimeSpan leaseDuration, TimeProvider time, ILogger<RunScheduler> logger) : IDisposable
{
    private readonly Channel<string> _queue = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Lock _gate = new();

    // Run id → true when a decision arrived while it was being driven (it must be driven once more).
    private readonly Dictionary<string, bool> _driving = new(StringComparer.Ordinal);
    private readonly HashSet<string> _queued = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private Task[] _workers = [];
    private readonly TaskCompletionSource _firstLook = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _takeOver = Task.CompletedTask;

    /// <summary>Runs waiting for a slot.</summary>
    public int Queued
    {
        get
        {
            lock (_gate)
            {
                return _queued.Count;
            }
        }
    }

    /// <summary>Runs being driven now.</summary>
    public int Driving
    {
        get
        {
            lock (_gate)
            {
                return _driving.Count;
            }
        }
    }

    /// <summary>The most runs driven at once since start (never above the slots).</summary>
    public int MostDriving { get; private set; }

    public void Start() => _workers = [.. Enumerable.Range(0, slots).Select(_ => Task.Run(WorkAsync))];

    /// <summary>Queues the run to be driven (once: a run already queued is not queued twice; one being driven is driven again after).</summary>
    public void Enqueue(string runId)
    {
        lock (_gate)
        {
            if (_stop.IsCancellationRequested)
            {
                return;
            }

            if (_driving.ContainsKey(runId))
            {
                _driving[runId] = true;
                return;
            }

            if (!_queued.Add(runId))
            {
                return;
            }
        }

        _queue.Writer.TryWrite(runId);
    }

    /// <summary>Queues the run unless this server already drives it or has it queued (the sweep's look must not make a drive repeat).</summary>
    private void EnqueueIfIdle(string runId)
    {
        lock (_gate)
        {
            if (_driving.ContainsKey(runId) || _queued.Contains(runId))
            {
                return;
            }
        }

        Enqueue(runId);
    }

    /// <summary>
    /// Queues every run that is running but driven by nobody here (its driver stopped or crashed; its lease is gone or
    /// expires) now, and again every lease period until <see cref="StopAsync"/>.
    /// </summary>
    public void TakeOverInBackground() => _takeOver = Task.Run(() => SweepAsync(_stop.Token));

    /// <summary>Completes once the start-up look for runs to take over has queued what it found.</summary>
    public Task TakenOver => _firstLook.Task;

    /// <summary>Stops: drives in progress are cancelled by the runtime's disposal; the queue is dropped (the runs are stored).</summary>
    public async Task StopAsync()
    {
        lock (_gate)
        {
            _stop.Cancel();
        }

        _queue.Writer.TryComplete();
        await _takeOver;
    }

    public void Dispose() => _stop.Dispose();

    /// <summary>Waits for the workers after the runtime was disposed (their drives ended).</summary>
    public Task WorkersStoppedAsync() => Task.WhenAll(_workers);

    private async Task SweepAsync(CancellationToken cancellationToken)
    {
        try
        {
            await TakeOverAsync(cancellationToken);
            _firstLook.TrySetResult();
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(leaseDuration, time, cancellationToken);
                await TakeOverAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            _firstLook.TrySetResult();
        }
    }

    private async Task TakeOverAsync(CancellationToken cancellationToken)
    {
        try
        {
            // From the read model (every org: this is the server's own housekeeping), a page at a time.
            string? after = null;
            do
            {
                var page = await runtime.Runs.ListRunsAsync(new RunQuery { Status = RunStatus.Running, Limit = 500, After = after }, cancellationToken);
                foreach (var run in page.Items)
                {
                    EnqueueIfIdle(run.RunId);
                }

                after = page.NextCursor;
            }
            while (after is not null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (EventStoreException e)
        {
            AgentLog.TakeOverFailed(logger, e.Message);
        }
    }

    private async Task WorkAsync()
    {
        await foreach (var runId in _queue.Reader.ReadAllAsync(CancellationToken.None))
        {
            lock (_gate)
            {
                _queued.Remove(runId);
                if (_stop.IsCancellationRequested)
                {
                    continue;
                }

                _driving[runId] = false;
                MostDriving = Math.Max(MostDriving, _driving.Count);
            }

            var again = false;
            try
            {
                var result = await runtime.ResumeAsync(runId, hub.PublishAsync, _stop.Token);
                if (result.DrivenBy is not null && !result.Status.IsTerminal())
                {
                    RetryLater(runId);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException && _stop.IsCancellationRequested)
            {
            }
            catch (AgentRunException e)
            {
                AgentLog.DriveRefused(logger, runId, e.Kind.ToString(), e.Message);
            }
            catch (EventStoreException e)
            {
                AgentLog.DriveStoreFailed(logger, runId, e.Message);
                RetryLater(runId);
            }
            finally
            {
                lock (_gate)
                {
                    again = _driving.Remove(runId, out var decided) && decided;
                }
            }

            if (again)
            {
                Enqueue(runId);
            }
        }
    }

    private void RetryLater(string runId) =>
        _ = Task.Delay(leaseDuration, time, _stop.Token).ContinueWith(
            t =>
            {
                if (t.IsCompletedSuccessfully)
                {
                    Enqueue(runId);
                }
            },
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
}
