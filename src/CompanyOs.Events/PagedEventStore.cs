using System.Runtime.CompilerServices;
using CompanyOs.Events.Appending;
using CompanyOs.Events.Subscriptions;

namespace CompanyOs.Events;

/// <summary>
/// The part of <see cref="IEventStore"/> every store shares, written once: argument validation, paging of stream reads
/// and listings, read-all and subscriptions. A store supplies the append and one query per kind of page; only the
/// stores of this assembly derive from it (in memory, SQLite, PostgreSQL).
/// </summary>
public abstract class PagedEventStore : IEventStore
{
    private readonly AppendSignal _signal;
    private readonly TimeProvider _timeProvider;

    private protected PagedEventStore(EventStoreOptions options, TimeProvider timeProvider, AppendSignal signal)
    {
        Options = options;
        _timeProvider = timeProvider;
        _signal = signal;
    }

    private protected EventStoreOptions Options { get; }

    /// <inheritdoc />
    public Task<AppendResult> AppendAsync(
        string streamId, ExpectedVersion expectedVersion, IReadOnlyList<EventData> events, CancellationToken cancellationToken = default)
    {
        var prepared = AppendValidator.Prepare(streamId, events, Options);
        cancellationToken.ThrowIfCancellationRequested();
        return AppendPreparedAsync(streamId, expectedVersion, prepared, cancellationToken);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<RecordedEvent> ReadStreamAsync(
        string streamId, long fromVersion = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        AppendValidator.ValidateStreamId(streamId, Options);
        ArgumentOutOfRangeException.ThrowIfNegative(fromVersion);
        var next = fromVersion;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var pending = ReadStreamPageAsync(streamId, next, Options.ReadPageSize, cancellationToken);
            var synchronous = pending.IsCompleted;
            var page = await pending.ConfigureAwait(false);
            foreach (var e in page)
            {
                yield return e;
            }

            if (page.Count < Options.ReadPageSize)
            {
                yield break;
            }

            next = page[^1].Version + 1;
            if (synchronous)
            {
                // A store whose queries complete synchronously (in memory, SQLite) gives the thread back between
                // pages, so a long read does not hold it; an asynchronous store (PostgreSQL) already has.
                await Task.Yield();
            }
        }
    }

    /// <inheritdoc />
    public IAsyncEnumerable<RecordedEvent> ReadAllAsync(
        long fromPosition = 0, EventFilter? filter = null, int maxCount = int.MaxValue, CancellationToken cancellationToken = default)
        => GlobalReader.ReadAllAsync(ReadAllPageAsync, Options.ReadPageSize, fromPosition, filter, maxCount, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<RecordedEvent> SubscribeAsync(
        long fromPosition = 0, EventFilter? filter = null, CancellationToken cancellationToken = default)
        => GlobalReader.SubscribeAsync(ReadAllPageAsync, _signal, _timeProvider, Options, fromPosition, filter, cancellationToken);

    /// <inheritdoc />
    public Task<long?> GetStreamVersionAsync(string streamId, CancellationToken cancellationToken = default)
    {
        AppendValidator.ValidateStreamId(streamId, Options);
        cancellationToken.ThrowIfCancellationRequested();
        return ReadStreamVersionAsync(streamId, cancellationToken);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StreamInfo> ListStreamsAsync(
        string prefix, string? orgId = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        AppendValidator.ValidatePrefix(prefix, Options, nameof(prefix));
        string? after = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var pending = ListStreamsPageAsync(prefix, orgId, after, Options.ReadPageSize, cancellationToken);
            var synchronous = pending.IsCompleted;
            var page = await pending.ConfigureAwait(false);
            foreach (var info in page)
            {
                yield return info;
            }

            if (page.Count < Options.ReadPageSize)
            {
                yield break;
            }

            after = page[^1].StreamId;
            if (synchronous)
            {
                // A store whose queries complete synchronously (in memory, SQLite) gives the thread back between
                // pages, so a long read does not hold it; an asynchronous store (PostgreSQL) already has.
                await Task.Yield();
            }
        }
    }

    /// <summary>Writes validated events: the expected-version check, idempotency and ordering are the store's.</summary>
    private protected abstract Task<AppendResult> AppendPreparedAsync(
        string streamId, ExpectedVersion expectedVersion, PreparedEvent[] prepared, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="maxCount"/> events of a stream from <paramref name="fromVersion"/> (inclusive), in order.</summary>
    private protected abstract Task<IReadOnlyList<RecordedEvent>> ReadStreamPageAsync(
        string streamId, long fromVersion, int maxCount, CancellationToken cancellationToken);

    /// <summary>One page of a global read after <paramref name="after"/> (exclusive).</summary>
    private protected abstract Task<EventPage> ReadAllPageAsync(long after, EventFilter? filter, int maxCount, CancellationToken cancellationToken);

    /// <summary>The stream's current version, or null when it does not exist.</summary>
    private protected abstract Task<long?> ReadStreamVersionAsync(string streamId, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="maxCount"/> streams under <paramref name="prefix"/> whose id sorts (by code point) after <paramref name="afterStreamId"/>.</summary>
    private protected abstract Task<IReadOnlyList<StreamInfo>> ListStreamsPageAsync(
        string prefix, string? orgId, string? afterStreamId, int maxCount, CancellationToken cancellationToken);
}
