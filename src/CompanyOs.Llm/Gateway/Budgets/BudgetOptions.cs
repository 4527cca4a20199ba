namespace CompanyOs.Llm.Gateway.Budgets;

/// <summary>The <c>budgets</c> configuration section. Limits are lifetime totals of the spend store.</summary>
public sealed record BudgetOptions
{
    /// <summary>Per org id.</summary>
    public IReadOnlyDictionary<string, BudgetLimit> Orgs { get; init; } = new Dictionary<string, BudgetLimit>();

    /// <summary>For any org without its own entry.</summary>
    public BudgetLimit? DefaultOrg { get; init; }

    /// <summary>Per agent type, counted separately within each org.</summary>
    public IReadOnlyDictionary<string, BudgetLimit> Agents { get; init; } = new Dictionary<string, BudgetLimit>();

    /// <summary>For any agent type without its own entry.</summary>
    public BudgetLimit? DefaultAgent { get; init; }

    /// <summary>For every run.</summary>
    public BudgetLimit? PerRun { get; init; }

    /// <summary>Output tokens assumed for a request that does not set <c>MaxOutputTokens</c>, when estimating its spend.</summary>
    public int DefaultMaxOutputTokens { get; init; } = 4096;

    /// <summary>True when any limit is configured.</summary>
    public bool Any => Orgs.Count > 0 || DefaultOrg is not null || Agents.Count > 0 || DefaultAgent is not null || PerRun is not null;
}
