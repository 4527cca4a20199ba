namespace CompanyOs.Events.Sqlite;

/// <summary>
/// The writer's memory of the streams it appended to: each one's version and what its row says, as this writer left them,
/// so that an append to a stream it wrote last need not read the stream's version back. The memory describes the file as
/// of one head (the last position this writer inserted), which is also the head the org spans' memory
/// (<see cref="SqliteOrgSpans"/>) is checked against (<see cref="Follows"/>, once per append); it is trusted only while the
/// append's own first position follows that head directly — positions are max + 1
/// inside the write transaction and events are never deleted, so any other writer's append since shows up for free — and
/// nothing this writer remembered may come from a transaction or savepoint that was rolled back (<see cref="Forget"/>).
/// The version is used before the head can be checked (the insert needs it), so a remembered version is only ever a
/// guess the file confirms: the insert skips any row that would repeat a (stream, version) (<c>ON CONFLICT DO
/// NOTHING</c>), and a stream another writer has appended to since holds the remembered version + 1 (versions are
/// consecutive), so the append then writes nothing and reads the version back instead; when the head shows other writes
/// and the insert went through all the same, the stream's version is read back to confirm it.
/// </summary>
internal sealed class SqliteStreamHeads
{
    /// <summary>At most this many streams are remembered; the memory starts over when full (it is a cache, not a record).</summary>
    internal const int Capacity = 4_096;

    private readonly Dictionary<string, (long Version, StreamRow Row)> _streams = new(StringComparer.Ordinal);

    // The last position this writer inserted; the memory is valid only while _known.
    private bool _known;
    private long _head;

    /// <summary>Streams remembered (tests).</summary>
    internal int Count => _streams.Count;

    /// <summary>The remembered version and row of <paramref name="streamId"/>, if any.</summary>
    public bool TryGet(string streamId, out (long Version, StreamRow Row) stream)
    {
        if (_known)
        {
            return _streams.TryGetValue(streamId, out stream);
        }

        stream = default;
        return false;
    }

    /// <summary>
    /// Whether an append inserted at <paramref name="firstPosition"/> follows the remembered head; when it does not, something
    /// else has written since (or nothing is known), and everything remembered is dropped.
    /// </summary>
    public bool Follows(long firstPosition)
    {
        if (_known && firstPosition == _head + 1)
        {
            return true;
        }

        Forget();
        return false;
    }

    /// <summary>Remembers the stream an append just wrote (its last version and row) and the append's last position as the head.</summary>
    public void Remember(string streamId, long version, StreamRow row, long lastPosition)
    {
        if (_streams.Count >= Capacity && !_streams.ContainsKey(streamId))
        {
            _streams.Clear();
        }

        _streams[streamId] = (version, row);
        _head = lastPosition;
        _known = true;
    }

    /// <summary>Forgets everything: what this writer wrote since its last commit may have been rolled back.</summary>
    public void Forget()
    {
        _known = false;
        _streams.Clear();
    }
}
