namespace CompanyOs.Agents.Journal;

/// <summary>The seed's end-of-run event, kept for consumers that expect its shape (<c>session_id</c>, <c>task_id</c>, <c>trace</c>).</summary>
public sealed record AgentReasoningCompleted : RunEvent
{
    public required string SessionId { get; init; }

    public string? TaskId { get; init; }

    public required string Status { get; init; }

    public IReadOnlyList<SeedTraceStep> Trace { get; init; } = [];
}
