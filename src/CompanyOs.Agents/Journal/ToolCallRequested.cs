using System.Text.Json;

namespace CompanyOs.Agents.Journal;

/// <summary>The model asked for a tool call; what happens next follows as approval, question, start or failure events.</summary>
public sealed record ToolCallRequested : RunEvent
{
    public required string CallId { get; init; }

    public required string ToolName { get; init; }

    public JsonElement Arguments { get; init; }

    /// <summary><c>low</c>, <c>high</c>, <c>unknown</c> (not in the registry) or <c>builtin</c>.</summary>
    public required string Risk { get; init; }

    public bool Idempotent { get; init; }
}
