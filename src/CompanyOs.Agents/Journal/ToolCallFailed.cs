namespace CompanyOs.Agents.Journal;

/// <summary>A tool call could not produce a result: unknown tool, invalid arguments, exception or timeout. Sent to the model as a tool error.</summary>
public sealed record ToolCallFailed : RunEvent
{
    public required string CallId { get; init; }

    public required string ToolName { get; init; }

    /// <summary><c>unknown_tool</c>, <c>invalid_arguments</c>, <c>exception</c> or <c>timeout</c>.</summary>
    public required string Reason { get; init; }

    public required string Error { get; init; }

    public double DurationMs { get; init; }
}
