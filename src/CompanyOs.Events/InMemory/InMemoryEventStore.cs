using System.Runtime.CompilerServices;
using CompanyOs.Events.Appending;
using CompanyOs.Events.Serialization;
using CompanyOs.Events.Subscriptions;

namespace CompanyOs.Events.InMemory;

/// <summary>
/// An <see cref="IEventStore"/> in process memory, for tests of other components. It keeps events as serialized JSON text,
/// like the databases do, so it has the same validation, idempotency, ordering and read-back behaviour; nothing survives
/// the process. Thread-safe.
/// </summary>
public sealed class InMemoryEventStore : IEventStore
{
    private readonly object _gate = new();
    private readonly List<InMemoryRow> _all = [];
    private readonly SortedDictionary<string, InMemoryStream> _streams = new(CodePointComparer.Instance);
    private readonly AppendSignal _signal = new();
    private readonly TimeProvider _timeProvider;
    private readonly EventStoreOptions _options;

    public InMemoryEventStore(EventStoreOptions? options = null, TimeProvider? timeProvider = null)
    {
        _options = options ?? new EventStoreOptions();
        _options.Validate();
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public Task<AppendResult> AppendAsync(
        string streamId, ExpectedVersion expectedVersion, IReadOnlyList<EventData> events, CancellationToken cancellationToken = default)
    {
        var prepared = AppendValidator.Prepare(streamId, events, _options);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(AppendPrepared(streamId, expectedVersion, prepared));
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<RecordedEvent> ReadStreamAsync(
        string streamId, long fromVersion = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        AppendValidator.ValidateStreamId(streamId, _options);
        ArgumentOutOfRangeException.ThrowIfNegative(fromVersion);
        var next = fromVersion;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            List<InMemoryRow> page;
            lock (_gate)
            {
                if (!_streams.TryGetValue(streamId, out var stream) || next >= stream.Events.Count)
                {
                    yield break;
                }

                var count = (int)Math.Min(_options.ReadPageSize, stream.Events.Count - next);
                page = stream.Events.GetRange((int)next, count);
            }

            foreach (var row in page)
            {
                yield return row.Decode();
            }

            next += page.Count;
            await Task.Yield();
        }
    }

    /// <inheritdoc />
    public IAsyncEnumerable<RecordedEvent> ReadAllAsync(
        long fromPosition = 0, EventFilter? filter = null, int maxCount = int.MaxValue, CancellationToken cancellationToken = default)
        => GlobalReader.ReadAllAsync(ReadPageAsync, _options.ReadPageSize, fromPosition, filter, maxCount, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<RecordedEvent> SubscribeAsync(
        long fromPosition = 0, EventFilter? filter = null, CancellationToken cancellationToken = default)
        => GlobalReader.SubscribeAsync(ReadPageAsync, _signal, _timeProvider, _options, fromPosition, filter, cancellationToken);

    /// <inheritdoc />
    public Task<long?> GetStreamVersionAsync(string streamId, CancellationToken cancellationToken = default)
    {
        AppendValidator.ValidateStreamId(streamId, _options);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(_streams.TryGetValue(streamId, out var stream) ? stream.Events.Count - 1 : (long?)null);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StreamInfo> ListStreamsAsync(
        string prefix, string? orgId = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        AppendValidator.ValidatePrefix(prefix, _options, nameof(prefix));
        List<StreamInfo> matches;
        lock (_gate)
        {
            matches = [.. _streams.Values
                .Where(s => s.StreamId.StartsWith(prefix, StringComparison.Ordinal) && (orgId is null || s.OrgId == orgId))
                .Select(s => s.ToInfo())];
        }

        foreach (var info in matches)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return info;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <summary>Stores already serialized text as is, bypassing validation: lets tests model rows damaged outside the store.</summary>
    internal AppendResult AppendRawForTesting(string streamId, Guid eventId, string type, string dataJson, string metadataJson, string? orgId)
        => AppendPrepared(streamId, ExpectedVersion.Any, [new PreparedEvent(eventId, type, dataJson, metadataJson, orgId)]);

    private AppendResult AppendPrepared(string streamId, ExpectedVersion expectedVersion, PreparedEvent[] prepared)
    {
        AppendResult result;
        lock (_gate)
        {
            _streams.TryGetValue(streamId, out var stream);
            var existing = new Dictionary<Guid, StoredEventRef>();
            if (stream is not null)
            {
                foreach (var e in prepared)
                {
                    if (stream.Ids.TryGetValue(e.EventId, out var row))
                    {
                        existing[e.EventId] = new StoredEventRef(row.Version, row.Position);
                    }
                }
            }

            var plan = AppendPlan.Decide(streamId, expectedVersion, stream is null ? null : stream.Events.Count - 1, prepared, existing);
            if (plan.AlreadyStored is { } stored)
            {
                return stored;
            }

            var now = UnixMicros.From(_timeProvider.GetUtcNow());
            if (stream is null)
            {
                stream = new InMemoryStream(streamId, now);
                _streams.Add(streamId, stream);
            }

            var version = plan.FirstVersion;
            foreach (var e in plan.ToWrite)
            {
                var row = new InMemoryRow(streamId, version++, _all.Count + 1L, e.EventId, e.Type, e.DataJson, e.MetadataJson, e.OrgId, now);
                _all.Add(row);
                stream.Add(row);
            }

            result = new AppendResult(version - 1, _all.Count);
        }

        _signal.Notify();
        return result;
    }

    private Task<EventPage> ReadPageAsync(long after, EventFilter? filter, int maxCount, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var rows = new List<InMemoryRow>(Math.Min(maxCount, 64));
        long scannedTo;
        lock (_gate)
        {
            var head = (long)_all.Count;
            scannedTo = head;
            for (var position = after + 1; position <= head; position++)
            {
                var row = _all[(int)(position - 1)];
                if (row.Matches(filter))
                {
                    rows.Add(row);
                    if (rows.Count == maxCount)
                    {
                        scannedTo = position;
                        break;
                    }
                }
            }

            scannedTo = Math.Max(scannedTo, after);
        }

        return Task.FromResult(new EventPage([.. rows.Select(r => r.Decode())], scannedTo));
    }
}
