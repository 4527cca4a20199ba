using CompanyOs.Agents.Runs;

namespace CompanyOs.Agents.ReadModel;

/// <summary>Which runs to list. Null members match everything.</summary>
public sealed record RunQuery
{
    /// <summary>Largest page.</summary>
    public const int MaxLimit = 1000;

    /// <summary>Only runs of this organisation; null = every organisation (operator tools only, never an org-scoped API).</summary>
    public string? OrgId { get; init; }

    /// <summary>Only runs with this status.</summary>
    public RunStatus? Status { get; init; }

    /// <summary>Only runs of this agent type.</summary>
    public string? AgentType { get; init; }

    /// <summary>Only runs created at or after this instant.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Only runs created before this instant.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>Page size, 1 to <see cref="MaxLimit"/>. Default 50.</summary>
    public int Limit { get; init; } = 50;

    /// <summary>The <see cref="RunPage.NextCursor"/> of the previous page; null = the newest runs.</summary>
    public string? After { get; init; }
}
