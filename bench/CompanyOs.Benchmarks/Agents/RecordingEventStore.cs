using CompanyOs.Events;

namespace CompanyOs.Benchmarks.Agents;

/// <summary>Forwards to a store and keeps every append's batch, so a benchmark can replay exactly what a run wrote.</summary>
internal sealed class RecordingEventStore(IEventStore inner) : IEventStore
{
    public List<IReadOnlyList<EventData>> Appends { get; } = [];

    public Task<AppendResult> AppendAsync(string streamId, ExpectedVersion expectedVersion, IReadOnlyList<EventData> events, CancellationToken cancellationToken = default)
    {
        Appends.Add([.. events]);
        return inner.AppendAsync(streamId, expectedVersion, events, cancellationToken);
    }

    public IAsyncEnumerable<RecordedEvent> ReadStreamAsync(string streamId, long fromVersion = 0, CancellationToken cancellationToken = default) =>
        inner.ReadStreamAsync(streamId, fromVersion, cancellationToken);

    public IAsyncEnumerable<RecordedEvent> ReadAllAsync(long fromPosition = 0, EventFilter? filter = null, int maxCount = int.MaxValue, CancellationToken cancellationToken = default) =>
        inner.ReadAllAsync(fromPosition, filter, maxCount, cancellationToken);

    public IAsyncEnumerable<RecordedEvent> SubscribeAsync(long fromPosition = 0, EventFilter? filter = null, CancellationToken cancellationToken = default) =>
        inner.SubscribeAsync(fromPosition, filter, cancellationToken);

    public Task<long?> GetStreamVersionAsync(string streamId, CancellationToken cancellationToken = default) =>
        inner.GetStreamVersionAsync(streamId, cancellationToken);

    public IAsyncEnumerable<StreamInfo> ListStreamsAsync(string prefix, string? orgId = null, CancellationToken cancellationToken = default) =>
        inner.ListStreamsAsync(prefix, orgId, cancellationToken);
}
