using System.Text.Json;

namespace CompanyOs.Agents.Approvals;

/// <summary>A durable pending decision of a run: a tool call to approve or reject, or a question to answer.</summary>
public sealed record PendingApproval
{
    /// <summary>The approval's own id (the question id for <see cref="PendingKind.Question"/>).</summary>
    public required string Id { get; init; }

    public required PendingKind Kind { get; init; }

    public required string RunId { get; init; }

    public string? OrgId { get; init; }

    public required string AgentType { get; init; }

    public required string CallId { get; init; }

    public required string ToolName { get; init; }

    public JsonElement ProposedArguments { get; init; }

    public string? ArgumentsHash { get; init; }

    /// <summary>Why it waits (autonomy rule), or the question text.</summary>
    public required string Reason { get; init; }

    public DateTimeOffset RequestedAt { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }
}

/// <summary>What a <see cref="PendingApproval"/> waits for.</summary>
public enum PendingKind
{
    /// <summary>A tool call waits for approve / approve-with-edits / reject.</summary>
    ToolApproval = 0,

    /// <summary>An <c>ask_human</c> question waits for an answer.</summary>
    Question = 1,
}
