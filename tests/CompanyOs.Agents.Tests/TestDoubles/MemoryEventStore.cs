using System.Runtime.CompilerServices;
using CompanyOs.Events;

namespace CompanyOs.Agents.Tests.TestDoubles;

/// <summary>A minimal in-memory IEventStore with exact expected-version semantics, until the shared in-memory store lands.</summary>
internal sealed class MemoryEventStore : IEventStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<RecordedEvent>> _streams = new(StringComparer.Ordinal);
    private readonly List<RecordedEvent> _all = [];

    /// <summary>Called before an append is checked; lets a test race another writer in.</summary>
    public Action<string>? BeforeAppend { get; set; }

    public int AppendCalls { get; private set; }

    public Task<AppendResult> AppendAsync(string streamId, ExpectedVersion expectedVersion, IReadOnlyList<EventData> events, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        BeforeAppend?.Invoke(streamId);
        lock (_gate)
        {
            AppendCalls++;
            _streams.TryGetValue(streamId, out var stream);
            long? actual = stream is null ? null : stream.Count - 1;
            var ok = expectedVersion.IsAny
                || (expectedVersion.IsNoStream && actual is null)
                || (!expectedVersion.IsNoStream && actual == expectedVersion.Value);
            if (!ok)
            {
                throw new ConcurrencyException(streamId, expectedVersion, actual);
            }

            stream ??= _streams[streamId] = [];
            foreach (var e in events)
            {
                var recorded = new RecordedEvent(streamId, stream.Count, _all.Count + 1, e.EventId, e.Type, e.Data.Clone(), e.Metadata, DateTimeOffset.UnixEpoch);
                stream.Add(recorded);
                _all.Add(recorded);
            }

            return Task.FromResult(new AppendResult(stream.Count - 1, _all.Count));
        }
    }

    public async IAsyncEnumerable<RecordedEvent> ReadStreamAsync(string streamId, long fromVersion = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        RecordedEvent[] snapshot;
        lock (_gate)
        {
            snapshot = _streams.TryGetValue(streamId, out var s) ? [.. s.Skip((int)fromVersion)] : [];
        }

        foreach (var e in snapshot)
        {
            await Task.Yield();
            yield return e;
        }
    }

    public IReadOnlyList<RecordedEvent> Stream(string streamId)
    {
        lock (_gate)
        {
            return _streams.TryGetValue(streamId, out var s) ? [.. s] : [];
        }
    }

    public IAsyncEnumerable<RecordedEvent> ReadAllAsync(long fromPosition = 0, EventFilter? filter = null, int maxCount = int.MaxValue, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public IAsyncEnumerable<RecordedEvent> SubscribeAsync(long fromPosition = 0, EventFilter? filter = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public Task<long?> GetStreamVersionAsync(string streamId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult<long?>(_streams.TryGetValue(streamId, out var s) ? s.Count - 1 : null);
        }
    }

    public async IAsyncEnumerable<StreamInfo> ListStreamsAsync(string prefix, string? orgId = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        List<StreamInfo> result;
        lock (_gate)
        {
            result = [.. _streams.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal) && (orgId is null || kv.Value[0].Metadata.OrgId == orgId))
                .Select(kv => new StreamInfo(kv.Key, kv.Value.Count - 1, kv.Value[0].Timestamp, kv.Value[^1].Timestamp))];
        }

        foreach (var info in result)
        {
            await Task.Yield();
            yield return info;
        }
    }
}
