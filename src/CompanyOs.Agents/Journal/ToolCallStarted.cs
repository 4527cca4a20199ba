using System.Text.Json;

namespace CompanyOs.Agents.Journal;

/// <summary>Written just before a tool runs. A Started without a result after a crash means "may have run": never re-run unless idempotent.</summary>
public sealed record ToolCallStarted : RunEvent
{
    public required string CallId { get; init; }

    public required string ToolName { get; init; }

    /// <summary>The arguments actually used (the edited ones when a human changed them).</summary>
    public JsonElement Arguments { get; init; }

    /// <summary>1 for the first run; higher when an idempotent tool is re-run after an interruption.</summary>
    public int Attempt { get; init; } = 1;
}
