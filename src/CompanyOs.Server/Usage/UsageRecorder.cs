using CompanyOs.Llm.Calls;
using CompanyOs.Server.Hosting;
using Microsoft.Extensions.Options;

namespace CompanyOs.Server.Usage;

/// <summary>
/// Hears every call the gateway charged and appends it to the <see cref="UsageLog"/>: queued on the call's path, written in
/// batches by one background writer, so a slow disk never slows a call. After each write the writer lingers
/// (<see cref="DefaultLinger"/>) and then writes everything recorded meanwhile in one transaction: at any rate of calls the
/// log costs at most one transaction (one fsync) and one writer wake-up per linger, not one per call. A crash loses at most
/// the calls of that window. <see cref="FlushAsync"/> cuts the linger short and waits for what is queued (stats read after
/// it); disposing cuts it too and drains the queue, so a graceful shutdown loses nothing. A batch the store refuses
/// (PostgreSQL down) is kept and written again every second until it is stored — a call answered during an outage is
/// recorded once the store is back; only a stop while the store still fails loses what is left (logged, event 5007).
/// </summary>
/// <remarks>
/// The queue allocates nothing per call: records are structs copied into one of two arrays that the writer swaps, and the
/// model, org, key and agent names they hold are shared instances (<see cref="NameTable"/>). Records wait up to a linger
/// (100 ms, about a thousand calls at full speed) before they are written; as objects, each garbage collection in that
/// window found them alive and copied them into an older generation, which made every gen0 collection longer and brought
/// gen1 collections.
/// </remarks>
internal sealed class UsageRecorder : ILlmCallRecorder, IAsyncDisposable
{
    /// <summary>The most records one transaction writes.</summary>
    private const int MaxBatch = 500;

    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);

    /// <summary>How long the writer waits after a write before the next one, gathering the calls recorded meanwhile.</summary>
    public static readonly TimeSpan DefaultLinger = TimeSpan.FromMilliseconds(100);

    private readonly UsageLog _log;
    private readonly TimeProvider _time;
    private readonly bool _emulated;
    private readonly string _defaultOrg;
    private readonly ILogger<UsageRecorder> _logger;
    private readonly TimeSpan _linger;
    private readonly NameTable _names = new();

    // Under _gate: the records not yet taken by the writer, how many calls were ever recorded, the flushes waiting (each
    // for the records counted when it was asked), whether the writer sleeps until the next record, and whether it stops.
    private readonly Lock _gate = new();
    private UsageRecord[] _pending = new UsageRecord[64];
    private int _pendingCount;
    private long _recorded;
    private readonly List<(long Recorded, TaskCompletionSource Done)> _flushes = [];
    private TaskCompletionSource? _idle;
    private bool _stopping;

    // Completed to end the writer's linger at once (a flush, disposal); replaced before every batch is taken.
    private TaskCompletionSource _nudge = NewNudge();
    private long _writes;
    private readonly Task _writer;

    /// <param name="log">Where the calls go.</param>
    /// <param name="time">The clock of the records and of the linger.</param>
    /// <param name="options">The server's options (emulator mode, default org).</param>
    /// <param name="logger">For batches not written.</param>
    /// <param name="linger">The wait after a write (<see cref="DefaultLinger"/> when null); zero: write as soon as a call is queued.</param>
    public UsageRecorder(UsageLog log, TimeProvider time, IOptions<ServerOptions> options, ILogger<UsageRecorder> logger, TimeSpan? linger = null)
    {
        _log = log;
        _time = time;
        _linger = linger ?? DefaultLinger;
        _emulated = options.Value.Emulator;
        _defaultOrg = options.Value.DefaultOrg;
        _logger = logger;
        _writer = Task.Run(WriteAsync);
    }

    /// <summary>The transactions the writer has attempted so far.</summary>
    internal long Writes => Interlocked.Read(ref _writes);

    public void Record(LlmCallContext? context, LlmCallInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        var usage = info.Usage;
        var record = new UsageRecord(_names.Get(context?.OrgId ?? _defaultOrg), _names.Get(context?.ApiKeyId), _names.Get(info.Provider),
            _names.Get(info.Model), _names.Get(context?.AgentType), usage?.InputTokenCount ?? 0, usage?.OutputTokenCount ?? 0, info.CostUsd,
            _emulated, _time.GetUtcNow());
        TaskCompletionSource? wake;
        lock (_gate)
        {
            if (_stopping)
            {
                return; // as a completed channel refused it: the writer has drained and gone
            }

            if (_pendingCount == _pending.Length)
            {
                Array.Resize(ref _pending, _pending.Length * 2);
            }

            _pending[_pendingCount++] = record;
            _recorded++;
            wake = _idle;
            _idle = null;
        }

        wake?.TrySetResult();
    }

    /// <summary>Completes when every call recorded before it has been written (or failed to be, which is logged).</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        TaskCompletionSource? wake;
        lock (_gate)
        {
            if (_stopping)
            {
                return Task.CompletedTask;
            }

            _flushes.Add((_recorded, done));
            wake = _idle;
            _idle = null;
        }

        wake?.TrySetResult();
        Nudge();
        return done.Task.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        TaskCompletionSource? wake;
        lock (_gate)
        {
            _stopping = true;
            wake = _idle;
            _idle = null;
        }

        wake?.TrySetResult();
        Nudge();
        await _writer;
    }

    private static TaskCompletionSource NewNudge() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Nudge() => Volatile.Read(ref _nudge).TrySetResult();

    private async Task WriteAsync()
    {
        // The writer's side of the double buffer: the records taken and not yet stored (kept across failed attempts), and
        // how many calls had been recorded when they were last taken.
        var batch = new UsageRecord[64];
        var batchCount = 0;
        long taken = 0;
        while (true)
        {
            // A flush asked from here on ends the linger after this write: it may have come after the batch was taken.
            Volatile.Write(ref _nudge, NewNudge());
            Task? sleep = null;
            lock (_gate)
            {
                if (_pendingCount > 0)
                {
                    if (batchCount == 0)
                    {
                        (batch, _pending) = (_pending, batch);
                        batchCount = _pendingCount;
                    }
                    else
                    {
                        // A failed batch is still held: the new records join it.
                        if (batch.Length < batchCount + _pendingCount)
                        {
                            Array.Resize(ref batch, Math.Max(batch.Length * 2, batchCount + _pendingCount));
                        }

                        Array.Copy(_pending, 0, batch, batchCount, _pendingCount);
                        Array.Clear(_pending, 0, _pendingCount);
                        batchCount += _pendingCount;
                    }

                    _pendingCount = 0;
                    taken = _recorded;
                }
                else if (batchCount == 0 && _flushes.Count == 0)
                {
                    if (_stopping)
                    {
                        return;
                    }

                    _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    sleep = _idle.Task;
                }
                else
                {
                    taken = _recorded;
                }
            }

            if (sleep is not null)
            {
                await sleep;
                continue;
            }

            var wrote = batchCount > 0;
            var (stored, failure) = wrote ? await TryAppendAsync(batch, batchCount) : (0, null);
            if (stored > 0)
            {
                Array.Copy(batch, stored, batch, 0, batchCount - stored);
                Array.Clear(batch, batchCount - stored, stored);
                batchCount -= stored;
            }

            // Read after the write: a stop that came during it must not wait out a retry interval.
            var stopping = Volatile.Read(ref _stopping);
            if (failure is not null && stopping)
            {
                ServerLog.UsageLost(_logger, batchCount, failure);
                Array.Clear(batch, 0, batchCount);
                batchCount = 0;
            }
            else if (failure is not null)
            {
                ServerLog.UsageNotRecorded(_logger, batchCount, failure);
            }

            // A flush waits for an attempt, not for the store to come back: stats read after it fail on their own.
            CompleteFlushes(taken);
            if (stopping)
            {
                continue; // drain what was recorded before the stop, then end
            }

            if (failure is not null)
            {
                // Cut short by a flush (it asks for an attempt) or a stop (it must not wait out the interval to drain).
                await WaitOrNudgedAsync(RetryInterval);
            }
            else if (wrote && _linger > TimeSpan.Zero)
            {
                await WaitOrNudgedAsync(_linger);
            }
        }
    }

    private void CompleteFlushes(long attempted)
    {
        List<TaskCompletionSource>? done = null;
        lock (_gate)
        {
            for (var i = _flushes.Count - 1; i >= 0; i--)
            {
                if (_flushes[i].Recorded <= attempted)
                {
                    (done ??= []).Add(_flushes[i].Done);
                    _flushes.RemoveAt(i);
                }
            }
        }

        if (done is not null)
        {
            foreach (var flushed in done)
            {
                flushed.TrySetResult();
            }
        }
    }

    /// <summary>
    /// Waits <paramref name="interval"/> (the linger after a write, or the retry interval after a failed one), or less when
    /// a flush or a stop nudges; calls recorded meanwhile queue up without waking the writer.
    /// </summary>
    private async Task WaitOrNudgedAsync(TimeSpan interval)
    {
        var nudged = Volatile.Read(ref _nudge).Task;
        if (!nudged.IsCompleted)
        {
            await Task.WhenAny(nudged, Task.Delay(interval, _time));
        }
    }

    /// <summary>
    /// Appends the first <paramref name="count"/> records of <paramref name="batch"/>, at most <see cref="MaxBatch"/> per
    /// transaction; how many were stored (a prefix) and, when not all, why not.
    /// </summary>
    private async Task<(int Stored, string? Failure)> TryAppendAsync(UsageRecord[] batch, int count)
    {
        var stored = 0;
        while (stored < count)
        {
            var size = Math.Min(MaxBatch, count - stored);
            Interlocked.Increment(ref _writes);
            try
            {
                await _log.AppendAsync(new ArraySegment<UsageRecord>(batch, stored, size), CancellationToken.None);
            }
            catch (System.Data.Common.DbException e)
            {
                return (stored, e.Message);
            }

            stored += size;
        }

        return (stored, null);
    }

    /// <summary>
    /// Shared instances of the names records hold, so that a record waiting for the writer points at no string made for its
    /// call (the model name is read from each answer). Bounded: past <see cref="Capacity"/> distinct names, the call's own
    /// instance is kept.
    /// </summary>
    private sealed class NameTable
    {
        private const int Capacity = 4096;
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _names = new(StringComparer.Ordinal);

        [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(name))]
        public string? Get(string? name)
        {
            if (name is null)
            {
                return null;
            }

            if (_names.TryGetValue(name, out var shared))
            {
                return shared;
            }

            return _names.Count < Capacity ? _names.GetOrAdd(name, name) : name;
        }
    }
}
