namespace CompanyOs.Agents.Journal;

/// <summary>The model gave its final answer (a turn without tool calls) or called <c>complete_task</c>.</summary>
public sealed record RunCompleted : RunEvent
{
    public required string Result { get; init; }

    /// <summary><c>final_answer</c> or <c>complete_task</c>.</summary>
    public required string CompletedBy { get; init; }
}
