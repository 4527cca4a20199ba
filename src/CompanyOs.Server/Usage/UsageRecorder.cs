using System.Threading.Channels;
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
internal sealed class UsageRecorder : ILlmCallRecorder, IAsyncDisposable
{
    private readonly Channel<Entry> _queue = Channel.CreateUnbounded<Entry>(new UnboundedChannelOptions { SingleReader = true });
    private readonly UsageLog _log;
    private readonly TimeProvider _time;
    private readonly bool _emulated;
    private readonly string _defaultOrg;
    private readonly ILogger<UsageRecorder> _logger;
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);

    /// <summary>How long the writer waits after a write before the next one, gathering the calls recorded meanwhile.</summary>
    public static readonly TimeSpan DefaultLinger = TimeSpan.FromMilliseconds(100);

    private readonly TimeSpan _linger;
    private readonly Task _writer;
    private volatile bool _stopping;

    // Completed to end the writer's linger at once (a flush, disposal); replaced before every batch is taken from the queue.
    private TaskCompletionSource _nudge = NewNudge();
    private long _writes;

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
        var record = new UsageRecord(context?.OrgId ?? _defaultOrg, context?.ApiKeyId, info.Provider, info.Model, context?.AgentType,
            usage?.InputTokenCount ?? 0, usage?.OutputTokenCount ?? 0, info.CostUsd, _emulated, _time.GetUtcNow());
        _queue.Writer.TryWrite(new Entry(record, null));
    }

    /// <summary>Completes when every call recorded before it has been written (or failed to be, which is logged).</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite(new Entry(null, done)))
        {
            return Task.CompletedTask;
        }

        Nudge();
        return done.Task.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        _queue.Writer.TryComplete();
        Nudge();
        await _writer;
    }

    private static TaskCompletionSource NewNudge() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Nudge() => Volatile.Read(ref _nudge).TrySetResult();

    private async Task WriteAsync()
    {
        var batch = new List<UsageRecord>();
        var waiting = new List<TaskCompletionSource>();
        while (batch.Count > 0 || await _queue.Reader.WaitToReadAsync())
        {
            // A flush queued from here on ends the linger after this write: it may have come after the batch was taken.
            Volatile.Write(ref _nudge, NewNudge());
            var drained = false;
            while (!drained && batch.Count < 500)
            {
                if (!_queue.Reader.TryRead(out var entry))
                {
                    drained = true;
                }
                else if (entry.Record is { } record)
                {
                    batch.Add(record);
                }
                else
                {
                    waiting.Add(entry.Flushed!);
                }
            }

            var wrote = batch.Count > 0;
            if (wrote)
            {
                Interlocked.Increment(ref _writes);
            }

            var failure = wrote ? await TryAppendAsync(batch) : null;
            if (failure is null)
            {
                batch.Clear();
            }
            else if (_stopping)
            {
                ServerLog.UsageLost(_logger, batch.Count, failure);
                batch.Clear();
            }
            else
            {
                ServerLog.UsageNotRecorded(_logger, batch.Count, failure);
            }

            // A flush waits for an attempt, not for the store to come back: stats read after it fail on their own.
            foreach (var flushed in waiting)
            {
                flushed.TrySetResult();
            }

            waiting.Clear();
            if (failure is not null && !_stopping)
            {
                await Task.Delay(RetryInterval, _time);
            }
            else if (wrote && drained && !_stopping && _linger > TimeSpan.Zero)
            {
                await LingerAsync();
            }
        }
    }

    /// <summary>Waits <see cref="_linger"/>, or less when nudged; calls recorded meanwhile queue up without waking the writer.</summary>
    private async Task LingerAsync()
    {
        var nudged = Volatile.Read(ref _nudge).Task;
        if (!nudged.IsCompleted)
        {
            await Task.WhenAny(nudged, Task.Delay(_linger, _time));
        }
    }

    /// <summary>Appends the batch; null when stored, else why not.</summary>
    private async Task<string?> TryAppendAsync(List<UsageRecord> batch)
    {
        try
        {
            await _log.AppendAsync(batch, CancellationToken.None);
            return null;
        }
        catch (System.Data.Common.DbException e)
        {
            return e.Message;
        }
    }

    private readonly record struct Entry(UsageRecord? Record, TaskCompletionSource? Flushed);
}
