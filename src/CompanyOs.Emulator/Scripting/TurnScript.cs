namespace CompanyOs.Emulator.Scripting;

/// <summary>
/// A thread-safe FIFO of <see cref="ScriptedTurn"/>s. Each chat request consumes the oldest turn that matches it
/// (provider, model, tag); when none matches, the deterministic default model answers.
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

    internal ScriptedTurn? TryTake(EmulatorProvider provider, string model, string? tag)
    {
        lock (_gate)
        {
            var index = _turns.FindIndex(t => t.Matches(provider, model, tag));
            if (index < 0)
            {
                return null;
            }

            var turn = _turns[index];
            _turns.RemoveAt(index);
            return turn;
        }
    }
}
