namespace CompanyOs.Agents.Journal;

/// <summary>One model round trip through the gateway, with what it cost.</summary>
public sealed record LlmCallCompleted : RunEvent
{
    /// <summary>1-based model round trip; the final tools-disabled turn has <see cref="Final"/> set.</summary>
    public int Iteration { get; init; }

    public bool Final { get; init; }

    public string? Model { get; init; }

    public string? Provider { get; init; }

    public string? PromptName { get; init; }

    public string? PromptVersion { get; init; }

    public long InputTokens { get; init; }

    public long OutputTokens { get; init; }

    public long CachedInputTokens { get; init; }

    public long CacheWriteTokens { get; init; }

    public long TotalTokens { get; init; }

    /// <summary>Null when the gateway could not price the model (never a silent zero).</summary>
    public decimal? CostUsd { get; init; }

    public double LatencyMs { get; init; }

    public string? FinishReason { get; init; }

    public int Attempts { get; init; } = 1;

    public bool CacheHit { get; init; }

    public IReadOnlyList<string> FallbackPath { get; init; } = [];

    public string? ResponseId { get; init; }
}
