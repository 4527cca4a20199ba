namespace CompanyOs.Agents.Journal;

/// <summary>A person answered an <c>ask_human</c> question; the answer is the tool result.</summary>
public sealed record QuestionAnswered : RunEvent
{
    public required string QuestionId { get; init; }

    public required string CallId { get; init; }

    public required string Answer { get; init; }

    public string? AnsweredBy { get; init; }
}
