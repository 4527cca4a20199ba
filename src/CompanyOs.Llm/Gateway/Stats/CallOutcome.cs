namespace CompanyOs.Llm.Gateway.Stats;

/// <summary>What one finished call contributes to the counters.</summary>
internal readonly record struct CallOutcome
{
    public string? ErrorClass { get; init; }

    /// <summary>The kind of budget that refused the call (<see cref="ErrorClass"/> is then <c>budget_exceeded</c>).</summary>
    public Budgets.BudgetScopeKind? RefusedBy { get; init; }

    public int Retries { get; init; }

    public bool FellBack { get; init; }

    public bool CacheHit { get; init; }

    public long InputTokens { get; init; }

    public long OutputTokens { get; init; }

    public long CacheReadTokens { get; init; }

    public long CacheWriteTokens { get; init; }

    public decimal? CostUsd { get; init; }

    public TimeSpan Duration { get; init; }
}
