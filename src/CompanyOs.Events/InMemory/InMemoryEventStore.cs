using CompanyOs.Events.Appending;
using CompanyOs.Events.Serialization;
using CompanyOs.Events.Subscriptions;

namespace CompanyOs.Events.InMemory;

/// <summary>
/// An <see cref="IEventStore"/> in process memory, for tests of other components. It keeps events as serialized JSON text,
/// like the databases do, so it has the same validation, idempotency, ordering and read-back behaviour; nothing survives
/// the process. Thread-safe.
/// </summary>
public sealed class InMemoryEventStore : PagedEventStore
{
    private readonly object _gate = new();
    private readonly List<InMemoryRow> _all = [];
    private readonly SortedDictionary<string, InMemoryStream> _streams = new(CodePointComparer.Instance);
    private readonly AppendSignal _signal;
    private readonly TimeProvider _timeProvider;

    public InMemoryEventStore(EventStoreOptions? options = null, TimeProvider? timeProvider = null)
        : this(Validated(options ?? new EventStoreOptions()), timeProvider ?? TimeProvider.System, new AppendSignal())
    {
    }

    private InMemoryEventStore(EventStoreOptions options, TimeProvider timeProvider, AppendSignal signal)
        : base(options, timeProvider, signal)
    {
        _timeProvider = timeProvider;
        _signal = signal;
    }

    /// <summary>Stores already serialized text as is, bypassing validation: lets tests model rows damaged outside the store.</summary>
    internal AppendResult AppendRawForTesting(string streamId, Guid eventId, string type, string dataJson, string metadataJson, string? orgId)
        => AppendPrepared(streamId, ExpectedVersion.Any, [new PreparedEvent(eventId, type, dataJson, metadataJson, orgId)]);

    private protected override Task<AppendResult> AppendPreparedAsync(
        string streamId, ExpectedVersion expectedVersion, PreparedEvent[] prepared, CancellationToken cancellationToken)
        => Task.FromResult(AppendPrepared(streamId, expectedVersion, prepared));

    private protected override Task<IReadOnlyList<RecordedEvent>> ReadStreamPageAsync(
        string streamId, long fromVersion, int maxCount, CancellationToken cancellationToken)
    {
        List<InMemoryRow> page;
        lock (_gate)
        {
            if (!_streams.TryGetValue(streamId, out var stream) || fromVersion >= stream.Events.Count)
            {
                return Task.FromResult<IReadOnlyList<RecordedEvent>>([]);
            }

            page = stream.Events.GetRange((int)fromVersion, (int)Math.Min(maxCount, stream.Events.Count - fromVersion));
        }

        return Task.FromResult<IReadOnlyList<RecordedEvent>>([.. page.Select(r => r.Decode())]);
    }

    private protected override Task<long?> ReadStreamVersionAsync(string streamId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_streams.TryGetValue(streamId, out var stream) ? stream.Events.Count - 1 : (long?)null);
        }
    }

    private protected override Task<IReadOnlyList<StreamInfo>> ListStreamsPageAsync(
        string prefix, string? orgId, string? afterStreamId, int maxCount, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<StreamInfo>>([.. _streams.Values
                .Where(s => (afterStreamId is null || CodePointComparer.Instance.Compare(s.StreamId, afterStreamId) > 0)
                    && s.StreamId.StartsWith(prefix, StringComparison.Ordinal) && (orgId is null || s.OrgId == orgId))
                .Take(maxCount)
                .Select(s => s.ToInfo())]);
        }
    }

    private static EventStoreOptions Validated(EventStoreOptions options)
    {
        options.Validate();
        return options;
    }

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

    private protected override Task<EventPage> ReadAllPageAsync(long after, EventFilter? filter, int maxCount, CancellationToken cancellationToken)
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
