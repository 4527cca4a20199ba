namespace CompanyOs.Agents.Journal;

/// <summary>The agent asked a person a question through the built-in <c>ask_human</c> tool; the run waits for the answer.</summary>
public sealed record QuestionAsked : RunEvent
{
    public required string QuestionId { get; init; }

    public required string CallId { get; init; }

    public required string Question { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }
}
