namespace CompanyOs.Emulator.Scripting;

/// <summary>
/// A thread-safe FIFO of <see cref="ScriptedTurn"/>s. Each chat request consumes the oldest turn that matches it
/// (provider, model, tag, position in the conversation) and keeps it only when it is repeatable; when none matches, the deterministic default model answers.
/// </summary>
public sealed class TurnScript
{
    private readonly Lock _gate = new();
    private readonly List<ScriptedTurn> _turns = [];

    /// <summary>Number of turns not yet consumed.</summary>
    public int Pending
    {
        get
        {
            lock (_gate)
            {
                return _turns.Count;
            }
        }
    }

    /// <summary>Appends turns to the script.</summary>
    /// <exception cref="ArgumentNullException">A turn is null.</exception>
    public void Enqueue(params ScriptedTurn[] turns)
    {
        ArgumentNullException.ThrowIfNull(turns);
        foreach (var turn in turns)
        {
            ArgumentNullException.ThrowIfNull(turn, nameof(turns));
        }

        lock (_gate)
        {
            _turns.AddRange(turns);
        }
    }

    /// <summary>Removes every pending turn.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _turns.Clear();
        }
    }

    /// <summary>
    /// The oldest turn matching the request (provider, model, tag, and position = assistant messages already in the
    /// request's conversation); removed unless it is <see cref="ScriptedTurn.Repeatable"/>.
    /// </summary>
    internal ScriptedTurn? TryTake(EmulatorProvider provider, string model, string? tag, int position)
    {
        lock (_gate)
        {
            var index = _turns.FindIndex(t => t.Matches(provider, model, tag, position));
            if (index < 0)
            {
                return null;
            }

            var turn = _turns[index];
            if (!turn.Repeatable)
            {
                _turns.RemoveAt(index);
            }

            return turn;
        }
    }
}
