using System.Text.Json;

namespace CompanyOs.Agents.Journal;

/// <summary>A tool call waits for a human decision. Durable: any process can decide it later.</summary>
public sealed record ApprovalRequested : RunEvent
{
    public required string ApprovalId { get; init; }

    public required string CallId { get; init; }

    public required string ToolName { get; init; }

    public JsonElement ProposedArguments { get; init; }

    /// <summary>SHA-256 of the canonical JSON of the proposed arguments (keys sorted), hex.</summary>
    public required string ArgumentsHash { get; init; }

    public required string Reason { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }
}
