namespace CompanyOs.Agents.Journal;

/// <summary>A person or the system cancelled the run; it will not continue.</summary>
public sealed record RunCancelled : RunEvent
{
    public string? Reason { get; init; }

    public string? CancelledBy { get; init; }
}
