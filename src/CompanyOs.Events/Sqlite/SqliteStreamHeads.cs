namespace CompanyOs.Events.Sqlite;

/// <summary>
/// The writer's memory of the streams it appended to: each one's version and what its row says, as this writer left them,
/// so that an append to a stream it wrote last need not read the stream's version back. The memory describes the file as
/// of one head (the last position this writer inserted), which is also the head the org spans' memory
/// (<see cref="SqliteOrgSpans"/>) is checked against (<see cref="Follows"/>, once per append); it is trusted only while the
/// append's own first position follows that head directly — positions are max + 1
/// inside the write transaction and events are never deleted, so any other writer's append since shows up for free — and
/// nothing this writer remembered may come from a transaction or savepoint that was rolled back: an undo forgets the
/// streams written since the transaction or savepoint began and puts the head back where it was then
/// (<see cref="UndoTransaction"/>, <see cref="UndoSavepoint"/>); what earlier commits left stays known.
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

    // Streams remembered since the transaction began, in order; those since the savepoint began from _savepointStart on.
    private readonly List<string> _written = [];

    // The last position this writer inserted; the memory is valid only while _known.
    private bool _known;
    private long _head;

    // The head when the transaction (and the savepoint) began, and how many times everything had been forgotten by then.
    private (bool Known, long Head, int Forgotten) _transactionStart;
    private (bool Known, long Head, int Forgotten) _savepointStart;
    private int _savepointWritten;
    private int _forgotten;

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
        _written.Add(streamId);
        _head = lastPosition;
        _known = true;
    }

    /// <summary>A transaction begins: what it remembers is undone with it (<see cref="UndoTransaction"/>).</summary>
    public void BeginTransaction()
    {
        _written.Clear();
        _transactionStart = (_known, _head, _forgotten);
    }

    /// <summary>A savepoint begins (inside the transaction): what it remembers is undone with it (<see cref="UndoSavepoint"/>).</summary>
    public void BeginSavepoint()
    {
        _savepointWritten = _written.Count;
        _savepointStart = (_known, _head, _forgotten);
    }

    /// <summary>The savepoint was rolled back: the streams it wrote are forgotten, and the head is the one it began with.</summary>
    public void UndoSavepoint() => Undo(_savepointWritten, _savepointStart);

    /// <summary>
    /// The transaction was rolled back: the streams it wrote are forgotten, and the head is the one it began with — which a
    /// later append follows only if nothing else took the positions the transaction had used (<see cref="Follows"/>).
    /// </summary>
    public void UndoTransaction() => Undo(0, _transactionStart);

    /// <summary>Forgets everything (something else wrote, or the memory cannot be vouched for).</summary>
    public void Forget()
    {
        _known = false;
        _streams.Clear();
        _forgotten++;
    }

    private void Undo(int firstWritten, (bool Known, long Head, int Forgotten) start)
    {
        if (_forgotten != start.Forgotten)
        {
            // Everything was forgotten since: the head it began with is no longer vouched for by what is remembered.
            Forget();
        }
        else
        {
            for (var i = firstWritten; i < _written.Count; i++)
            {
                _streams.Remove(_written[i]);
            }

            (_known, _head) = (start.Known, start.Head);
        }

        _written.RemoveRange(firstWritten, _written.Count - firstWritten);
    }
}
