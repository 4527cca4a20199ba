using CompanyOs.Agents.Runs;

namespace CompanyOs.Agents.ReadModel;

/// <summary>One row of the run read model: what a runs list shows, without the run's steps.</summary>
public sealed record RunSummary
{
    /// <summary>Longest <see cref="Task"/> kept, in characters (longer tasks end with "…").</summary>
    public const int MaxTaskLength = 200;

    public required string RunId { get; init; }

    public string? OrgId { get; init; }

    public required string AgentType { get; init; }

    public RunStatus Status { get; init; }

    /// <summary>The task, cut to <see cref="MaxTaskLength"/> characters.</summary>
    public required string Task { get; init; }

    public string? TaskId { get; init; }

    /// <summary>The capability the run was started for, when it was.</summary>
    public string? Capability { get; init; }

    /// <summary>The prompt template (and its version) the run was started from.</summary>
    public string? PromptName { get; init; }

    public string? PromptVersion { get; init; }

    public int Iterations { get; init; }

    public long InputTokens { get; init; }

    public long OutputTokens { get; init; }

    public long TotalTokens { get; init; }

    public decimal CostUsd { get; init; }

    /// <summary>True when at least one call could not be priced: <see cref="CostUsd"/> is then a lower bound.</summary>
    public bool CostIncomplete { get; init; }

    /// <summary>True when the run was started by a host whose models were answered by the CompanyOS emulator.</summary>
    public bool Emulated { get; init; }

    /// <summary>Approvals and questions the run waits for (0 once it has ended).</summary>
    public int PendingCount { get; init; }

    /// <summary>The error of a failed, cancelled or cut-off run, cut to <see cref="MaxTaskLength"/> characters.</summary>
    public string? Error { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>When the run reached its terminal status; null while it runs or waits.</summary>
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>The version of the run's stream this summary reflects.</summary>
    public long Version { get; init; }
}
