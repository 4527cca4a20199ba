namespace CompanyOs.Agents.Journal;

/// <summary>The assistant's message of one turn, with <b>all</b> its tool calls, kept intact for the history.</summary>
public sealed record AssistantMessage : RunEvent
{
    public int Iteration { get; init; }

    public string? Text { get; init; }

    public IReadOnlyList<ToolCallRecord> ToolCalls { get; init; } = [];

    /// <summary>The tools-disabled turn at max iterations.</summary>
    public bool Final { get; init; }

    /// <summary>Tool calls the model made in the final turn anyway; they were not recorded nor run.</summary>
    public int IgnoredToolCalls { get; init; }
}
