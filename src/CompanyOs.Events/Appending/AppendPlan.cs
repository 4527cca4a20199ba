namespace CompanyOs.Events.Appending;

/// <summary>
/// What an append does, decided from the stream's current version and which of the batch's event ids it already holds.
/// Shared by every store so idempotency and expected-version rules are identical everywhere.
/// </summary>
internal sealed class AppendPlan
{
    private AppendPlan(AppendResult? alreadyStored, IReadOnlyList<PreparedEvent> toWrite, long firstVersion)
    {
        AlreadyStored = alreadyStored;
        ToWrite = toWrite;
        FirstVersion = firstVersion;
    }

    /// <summary>Set when every event of the batch is already in the stream: nothing is written and this is the answer.</summary>
    public AppendResult? AlreadyStored { get; }

    /// <summary>The events to write, in order (the batch minus those already stored).</summary>
    public IReadOnlyList<PreparedEvent> ToWrite { get; }

    /// <summary>The version the first written event gets.</summary>
    public long FirstVersion { get; }

    /// <summary>True when <paramref name="expected"/> holds for a stream whose version is <paramref name="currentVersion"/> (null = no stream).</summary>
    public static bool Matches(ExpectedVersion expected, long? currentVersion) =>
        expected.IsAny
        || (expected.IsNoStream && currentVersion is null)
        || (!expected.IsNoStream && currentVersion == expected.Value);

    /// <summary>
    /// Rules: events whose id the stream already holds are dropped. If none remain the append is a repeat and succeeds
    /// with the original result, whatever <paramref name="expected"/> says. Otherwise <paramref name="expected"/> is checked
    /// against the stream as it is now, and only the new events are written.
    /// </summary>
    /// <exception cref="ConcurrencyException">The expected version does not match the stream.</exception>
    public static AppendPlan Decide(
        string streamId,
        ExpectedVersion expected,
        long? currentVersion,
        IReadOnlyList<PreparedEvent> events,
        IReadOnlyDictionary<Guid, StoredEventRef> existing)
    {
        IReadOnlyList<PreparedEvent> toWrite = events;
        if (existing.Count > 0)
        {
            var remaining = new List<PreparedEvent>(events.Count);
            var lastVersion = -1L;
            var lastPosition = 0L;
            foreach (var e in events)
            {
                if (existing.TryGetValue(e.EventId, out var stored))
                {
                    lastVersion = Math.Max(lastVersion, stored.Version);
                    lastPosition = Math.Max(lastPosition, stored.Position);
                }
                else
                {
                    remaining.Add(e);
                }
            }

            if (remaining.Count == 0)
            {
                return new AppendPlan(new AppendResult(lastVersion, lastPosition), [], 0);
            }

            toWrite = remaining;
        }

        if (!Matches(expected, currentVersion))
        {
            throw new ConcurrencyException(streamId, expected, currentVersion);
        }

        return new AppendPlan(null, toWrite, (currentVersion ?? -1) + 1);
    }
}
