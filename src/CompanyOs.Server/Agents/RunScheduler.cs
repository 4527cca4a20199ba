using System.Threading.Channels;
using CompanyOs.Agents.ReadModel;
using CompanyOs.Agents.Runs;
using CompanyOs.Agents.Runtime;
using CompanyOs.Events;

namespace CompanyOs.Server.Agents;

/// <summary>
/// Drives runs in the background, at most <c>slots</c> at a time, each under the run's lease (the runtime takes it). A run
/// waiting for a slot is already stored as started, so the queue itself need not survive a restart: on start, and then
/// every half lease duration, every running run nobody holds a live lease on (never leased, released, or its lease row
/// expired because its holder crashed) is queued (<see cref="TakeOverInBackground"/>); so another instance's runs are
/// taken over once their lease expires, also when that instance never comes back. A run another instance drives is also
/// looked at again once its lease could have expired. Running runs are found in the run read model, and their leases in
/// one query of the lease table, not by reading every run.
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

    /// <summary>
    /// Queues every run that is running but driven by nobody (its driver stopped or crashed; its lease is released or
    /// expired) now, and again every half lease duration until stopped (with leases off, only now: a run is then never
    /// known to be free).
    /// </summary>
    public void TakeOverInBackground() => _takeOver = Task.Run(() => TakeOverLoopAsync(_stop.Token));

    /// <summary>Completes once the start-up look for runs to take over has queued what it found.</summary>
    public Task TakenOver => _firstLook.Task;

    /// <summary>Stops: drives in progress are cancelled by the runtime's disposal; the queue is dropped (the runs are stored).</summary>
    public async Task StopAsync()
    {
        lock (_gate)
        {
            try
            {
                _stop.Cancel();
            }
            catch (AggregateException)
            {
                // A cancellation callback of an already finished drive may touch a source that drive disposed; stopping
                // goes on regardless (the runs are stored, the next server resumes them).
            }
        }

        _queue.Writer.TryComplete();
        await _takeOver;
    }

    public void Dispose() => _stop.Dispose();

    /// <summary>Waits for the workers after the runtime was disposed (their drives ended).</summary>
    public Task WorkersStoppedAsync() => Task.WhenAll(_workers);

    private async Task TakeOverLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await TakeOverAsync(cancellationToken);
            _firstLook.TrySetResult();
            if (runtime.Leases is null)
            {
                return;
            }

            using var timer = new PeriodicTimer(leaseDuration / 2, time);
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
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
            // From the read model (every org: this is the server's own housekeeping), a page at a time; of each page, the
            // runs nobody holds a live lease on (all of them when leases are off).
            string? after = null;
            do
            {
                var page = await runtime.Runs.ListRunsAsync(new RunQuery { Status = RunStatus.Running, Limit = 500, After = after }, cancellationToken);
                var ids = page.Items.Select(r => r.RunId).ToList();
                var free = runtime.Leases is { } leases && ids.Count > 0 ? await leases.ListUnheldAsync(ids, cancellationToken) : ids;
                foreach (var runId in free)
                {
                    Enqueue(runId);
                }

                after = page.NextCursor;
            }
            while (after is not null);
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
