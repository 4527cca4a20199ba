namespace CompanyOs.Events;

/// <summary>
/// Append-only event store. Streams are ordered by version (0-based); all events are ordered by a global position
/// that readers never see go backwards or skip committed events. Implementations: SQLite (embedded default), PostgreSQL.
/// </summary>
public interface IEventStore
{
    /// <summary>
    /// Appends <paramref name="events"/> atomically. Events whose <see cref="EventData.EventId"/> is already stored in the
    /// stream are not written again (idempotent re-send). Throws <see cref="ConcurrencyException"/> when
    /// <paramref name="expectedVersion"/> does not match, writing nothing.
    /// </summary>
    /// <returns>The stream's version after the append.</returns>
    Task<AppendResult> AppendAsync(
        string streamId,
        ExpectedVersion expectedVersion,
        IReadOnlyList<EventData> events,
        CancellationToken cancellationToken = default);

    /// <summary>Reads a stream forward from <paramref name="fromVersion"/> (inclusive). An unknown stream yields nothing.</summary>
    IAsyncEnumerable<RecordedEvent> ReadStreamAsync(
        string streamId,
        long fromVersion = 0,
        CancellationToken cancellationToken = default);

    /// <summary>Reads all events forward from global position <paramref name="fromPosition"/> (exclusive), filtered.</summary>
    IAsyncEnumerable<RecordedEvent> ReadAllAsync(
        long fromPosition = 0,
        EventFilter? filter = null,
        int maxCount = int.MaxValue,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Yields events after <paramref name="fromPosition"/> (exclusive) as they are committed, until cancelled.
    /// Works across processes (polls the store), so an SSE endpoint can follow runs driven elsewhere.
    /// </summary>
    IAsyncEnumerable<RecordedEvent> SubscribeAsync(
        long fromPosition = 0,
        EventFilter? filter = null,
        CancellationToken cancellationToken = default);

    /// <summary>Current version of a stream, or null when it does not exist.</summary>
    Task<long?> GetStreamVersionAsync(string streamId, CancellationToken cancellationToken = default);

    /// <summary>Lists streams whose id starts with <paramref name="prefix"/>, optionally only those of one organisation.</summary>
    IAsyncEnumerable<StreamInfo> ListStreamsAsync(
        string prefix,
        string? orgId = null,
        CancellationToken cancellationToken = default);
}
