using System.Text.Json;

namespace CompanyOs.Agents.Runs;

/// <summary>One tool call of a run as folded from its events.</summary>
public sealed record ToolCallState
{
    public required string CallId { get; init; }

    public required string ToolName { get; init; }

    /// <summary>The arguments the model proposed.</summary>
    public JsonElement Arguments { get; init; }

    /// <summary>The arguments used to run it (differ from <see cref="Arguments"/> when a human edited them).</summary>
    public JsonElement? EffectiveArguments { get; init; }

    public bool ArgumentsEdited { get; init; }

    public required string Risk { get; init; }

    public bool Idempotent { get; init; }

    public int Iteration { get; init; }

    public ToolCallPhase Phase { get; init; }

    /// <summary>The approval or question id while it waits (and after).</summary>
    public string? ApprovalId { get; init; }

    public string? ApprovalReason { get; init; }

    public string? ArgumentsHash { get; init; }

    public string? Question { get; init; }

    public DateTimeOffset RequestedAt { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>What the model gets back for this call; null until the call has a result.</summary>
    public string? Result { get; init; }

    public bool IsError { get; init; }

    /// <summary>How often the tool was started (more than once only for idempotent tools after an interruption).</summary>
    public int Attempts { get; init; }

    public bool HasResult => Result is not null;

    public bool IsWaitingForHuman => Phase is ToolCallPhase.AwaitingApproval or ToolCallPhase.AwaitingAnswer;
}
