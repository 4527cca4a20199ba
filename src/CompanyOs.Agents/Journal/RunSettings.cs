using System.Text.Json.Serialization;

namespace CompanyOs.Agents.Journal;

/// <summary>The agent definition as snapshotted into <see cref="RunStarted"/>: a resumed run uses these, never the current file.</summary>
public sealed record RunSettings
{
    public string? Model { get; init; }

    public double? Temperature { get; init; }

    public int? MaxOutputTokens { get; init; }

    public int MaxIterations { get; init; }

    public int MaxParallelTools { get; init; }

    /// <summary><c>manual</c>, <c>supervised</c> or <c>autonomous</c>.</summary>
    public required string Autonomy { get; init; }

    public decimal? BudgetUsd { get; init; }

    public long? BudgetTokens { get; init; }

    /// <summary>Registry tools offered to the model (built-ins are always offered).</summary>
    public IReadOnlyList<string> Tools { get; init; } = [];

    /// <summary>Tools the definition names that the registry did not have when the run started.</summary>
    public IReadOnlyList<string> UnavailableTools { get; init; } = [];

    [JsonPropertyName("approval_timeout_seconds")]
    public double? ApprovalTimeoutSeconds { get; init; }
}
