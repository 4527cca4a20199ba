namespace CompanyOs.Agents.Journal;

/// <summary>A human rejected a tool call; the model receives a tool result saying so.</summary>
public sealed record ApprovalRejected : RunEvent
{
    public required string ApprovalId { get; init; }

    public required string CallId { get; init; }

    public required string Reason { get; init; }

    public string? DecidedBy { get; init; }
}
