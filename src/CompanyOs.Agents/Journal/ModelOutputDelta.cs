namespace CompanyOs.Agents.Journal;

/// <summary>
/// A piece of the model's text as it streams in, for live UIs. Transient: emitted as an <see cref="Steps.AgentStep"/> of
/// kind <see cref="Steps.AgentStepKind.TextDelta"/> but never stored — the stored <see cref="AssistantMessage"/> carries the
/// whole text once the turn is complete.
/// </summary>
public sealed record ModelOutputDelta : RunEvent
{
    /// <summary>The iteration (model turn) the text belongs to.</summary>
    public required int Iteration { get; init; }

    /// <summary>The new text, appended to what came before in this turn.</summary>
    public required string Text { get; init; }

    /// <summary>
    /// True when the stream broke and the turn is being asked again without streaming: discard the text shown for this
    /// turn so far (<see cref="Text"/> is empty); the stored <see cref="AssistantMessage"/> that follows is the answer.
    /// </summary>
    public bool Restart { get; init; }
}
