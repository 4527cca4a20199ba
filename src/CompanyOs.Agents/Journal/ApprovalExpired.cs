namespace CompanyOs.Agents.Journal;

/// <summary>Nobody decided in time; the call counts as not approved and the model is told so.</summary>
public sealed record ApprovalExpired : RunEvent
{
    /// <summary>The approval or question id.</summary>
    public required string ApprovalId { get; init; }

    public required string CallId { get; init; }
}
