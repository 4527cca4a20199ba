using System.Text.Json;

namespace CompanyOs.Agents.Journal;

/// <summary>One step of the seed's reasoning trace (<c>AgentReasoningCompleted.trace[]</c>).</summary>
public sealed record SeedTraceStep
{
    /// <summary>ISO-8601 timestamp.</summary>
    public required string Timestamp { get; init; }

    public required string Thought { get; init; }

    /// <summary><c>think</c>, <c>tool_call</c>, <c>respond</c> or <c>ask_human</c>.</summary>
    public required string Action { get; init; }

    public string? ToolName { get; init; }

    public JsonElement? ToolInput { get; init; }

    public string? ToolOutput { get; init; }
}
