namespace CompanyOs.Agents.Journal;

/// <summary>The run's USD or token budget was used up before the next model call.</summary>
public sealed record RunBudgetExceeded : RunEvent
{
    /// <summary><c>usd</c> or <c>tokens</c>.</summary>
    public required string Limit { get; init; }

    public decimal LimitValue { get; init; }

    public decimal Spent { get; init; }

    /// <summary>The last assistant text, if any.</summary>
    public string? Result { get; init; }
}
