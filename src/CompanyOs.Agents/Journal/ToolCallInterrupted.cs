namespace CompanyOs.Agents.Journal;

/// <summary>A non-idempotent tool had started when the run was interrupted; it is not re-run and the model is told so.</summary>
public sealed record ToolCallInterrupted : RunEvent
{
    public required string CallId { get; init; }

    public required string ToolName { get; init; }
}
