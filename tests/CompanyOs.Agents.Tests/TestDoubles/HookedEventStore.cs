using CompanyOs.Events;

namespace CompanyOs.Agents.Tests.TestDoubles;

/// <summary>Forwards to a store; lets a test run code right before a stream-version read or an append (to interleave another writer, or hold a write back).</summary>
internal sealed class HookedEventStore(IEventStore inner) : IEventStore
{
    /// <summary>Awaited before <see cref="GetStreamVersionAsync"/> reads, with the stream id.</summary>
    public Func<string, Task>? BeforeVersionRead { get; set; }

    /// <summary>Awaited before each append, with the stream id and the events.</summary>
    public Func<string, IReadOnlyList<EventData>, Task>? BeforeAppend { get; set; }

    public async Task<AppendResult> AppendAsync(string streamId, ExpectedVersion expectedVersion, IReadOnlyList<EventData> events, CancellationToken cancellationToken = default)
    {
        if (BeforeAppend is { } hook)
        {
            await hook(streamId, events);
        }

        return await inner.AppendAsync(streamId, expectedVersion, events, cancellationToken);
    }

    /// <summary>Called on every stream read and stream listing, with the stream id or prefix (to count what a query reads).</summary>
    public Action<string>? OnStreamRead { get; set; }

    public IAsyncEnumerable<RecordedEvent> ReadStreamAsync(string streamId, long fromVersion = 0, CancellationToken cancellationToken = default)
    {
        OnStreamRead?.Invoke(streamId);
        return inner.ReadStreamAsync(streamId, fromVersion, cancellationToken);
    }

    public IAsyncEnumerable<RecordedEvent> ReadAllAsync(long fromPosition = 0, EventFilter? filter = null, int maxCount = int.MaxValue, CancellationToken cancellationToken = default) =>
        inner.ReadAllAsync(fromPosition, filter, maxCount, cancellationToken);

    public IAsyncEnumerable<RecordedEvent> SubscribeAsync(long fromPosition = 0, EventFilter? filter = null, CancellationToken cancellationToken = default) =>
        inner.SubscribeAsync(fromPosition, filter, cancellationToken);

    public async Task<long?> GetStreamVersionAsync(string streamId, CancellationToken cancellationToken = default)
    {
        if (BeforeVersionRead is { } hook)
        {
            await hook(streamId);
        }

        return await inner.GetStreamVersionAsync(streamId, cancellationToken);
    }

    public IAsyncEnumerable<StreamInfo> ListStreamsAsync(string prefix, string? orgId = null, CancellationToken cancellationToken = default)
    {
        OnStreamRead?.Invoke(prefix);
        return inner.ListStreamsAsync(prefix, orgId, cancellationToken);
    }
}
