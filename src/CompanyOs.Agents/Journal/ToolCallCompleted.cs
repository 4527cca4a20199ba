namespace CompanyOs.Agents.Journal;

/// <summary>A tool returned. <see cref="IsError"/> marks an error the tool reported itself (the model sees it and may recover).</summary>
public sealed record ToolCallCompleted : RunEvent
{
    public required string CallId { get; init; }

    public required string ToolName { get; init; }

    /// <summary>The output, capped at the runtime's limit; when capped it ends with a marker saying how much was cut.</summary>
    public required string Output { get; init; }

    public bool IsError { get; init; }

    /// <summary>Length of the full output in characters, before any cap.</summary>
    public int OutputChars { get; init; }

    public bool Truncated { get; init; }

    public double DurationMs { get; init; }
}
