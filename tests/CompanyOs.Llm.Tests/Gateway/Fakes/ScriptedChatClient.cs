using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Tests.Gateway.Fakes;

/// <summary>
/// A provider stand-in: answers deterministically, fails with queued <see cref="MatrixFault"/>s, and records when each attempt
/// arrived (on the test's clock) and with which options.
/// </summary>
public sealed class ScriptedChatClient(string provider, TimeProvider time) : IChatClient
{
    private readonly ConcurrentQueue<MatrixFault> _faults = new();
    private readonly Lock _lock = new();
    private readonly List<DateTimeOffset> _attempts = [];

    public string Provider { get; } = provider;

    /// <summary>Usage reported by every successful answer.</summary>
    public UsageDetails Usage { get; set; } = new() { InputTokenCount = 100, OutputTokenCount = 20, TotalTokenCount = 120 };

    /// <summary>The model id reported back; default: the requested one.</summary>
    public Func<ChatOptions?, string?> AnsweredModel { get; set; } = o => o?.ModelId;

    public int StreamChunks { get; set; } = 3;

    /// <summary>Runs at the start of every attempt (e.g. to hang until cancelled).</summary>
    public Func<CancellationToken, Task>? OnAttempt { get; set; }

    public ChatOptions? LastOptions { get; private set; }

    public IReadOnlyList<DateTimeOffset> AttemptTimes
    {
        get
        {
            lock (_lock)
            {
                return [.. _attempts];
            }
        }
    }

    public int Attempts => AttemptTimes.Count;

    public void Enqueue(MatrixFault fault, int times = 1)
    {
        for (var i = 0; i < times; i++)
        {
            _faults.Enqueue(fault);
        }
    }

    public void ClearFaults() => _faults.Clear();

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        await BeginAsync(options, cancellationToken);
        if (_faults.TryDequeue(out var fault))
        {
            throw fault.Kind == MatrixFaultKind.CutAfter ? MatrixFault.Reset().ToException(Provider) : fault.ToException(Provider);
        }

        return new ChatResponse(new ChatMessage(ChatRole.Assistant, $"answer from {Provider}"))
        {
            ModelId = AnsweredModel(options),
            Usage = Copy(Usage),
            FinishReason = ChatFinishReason.Stop,
            ResponseId = Guid.NewGuid().ToString("N"),
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await BeginAsync(options, cancellationToken);
        _faults.TryDequeue(out var fault);
        if (fault is not null && fault.Kind != MatrixFaultKind.CutAfter)
        {
            throw fault.ToException(Provider);
        }

        var id = Guid.NewGuid().ToString("N");
        for (var i = 0; i < StreamChunks; i++)
        {
            if (fault is not null && i == fault.Chunks)
            {
                throw fault.ToException(Provider);
            }

            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, i == 0 ? $"answer from {Provider}" : $" part {i}")
            {
                ResponseId = id,
                ModelId = AnsweredModel(options),
            };
        }

        yield return new ChatResponseUpdate { ResponseId = id, FinishReason = ChatFinishReason.Stop, Contents = [new UsageContent(Copy(Usage))] };
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }

    private async Task BeginAsync(ChatOptions? options, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _attempts.Add(time.GetUtcNow());
            LastOptions = options;
        }

        if (OnAttempt is { } onAttempt)
        {
            await onAttempt(cancellationToken);
        }
    }

    private static UsageDetails Copy(UsageDetails usage) => new()
    {
        InputTokenCount = usage.InputTokenCount,
        OutputTokenCount = usage.OutputTokenCount,
        TotalTokenCount = usage.TotalTokenCount,
        CachedInputTokenCount = usage.CachedInputTokenCount,
        AdditionalCounts = usage.AdditionalCounts is null ? null : new(usage.AdditionalCounts),
    };
}
