using System.Threading.Channels;
using CompanyOs.Llm.Calls;
using CompanyOs.Server.Hosting;
using Microsoft.Extensions.Options;

namespace CompanyOs.Server.Usage;

/// <summary>
/// Hears every call the gateway charged and appends it to the <see cref="UsageLog"/>: queued on the call's path, written in
/// batches by one background writer, so a slow disk never slows a call. <see cref="FlushAsync"/> waits for what is queued
/// (stats read after it); disposing drains the queue, so a graceful shutdown loses nothing. A batch the store refuses
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

    private readonly Task _writer;
    private volatile bool _stopping;

    public UsageRecorder(UsageLog log, TimeProvider time, IOptions<ServerOptions> options, ILogger<UsageRecorder> logger)
    {
        _log = log;
        _time = time;
        _emulated = options.Value.Emulator;
        _defaultOrg = options.Value.DefaultOrg;
        _logger = logger;
        _writer = Task.Run(WriteAsync);
    }

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
        return _queue.Writer.TryWrite(new Entry(null, done)) ? done.Task.WaitAsync(cancellationToken) : Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        _queue.Writer.TryComplete();
        await _writer;
    }

    private async Task WriteAsync()
    {
        var batch = new List<UsageRecord>();
        var waiting = new List<TaskCompletionSource>();
        while (batch.Count > 0 || await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < 500 && _queue.Reader.TryRead(out var entry))
            {
                if (entry.Record is { } record)
                {
                    batch.Add(record);
                }
                else
                {
                    waiting.Add(entry.Flushed!);
                }
            }

            var failure = batch.Count > 0 ? await TryAppendAsync(batch) : null;
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
