namespace CompanyOs.Llm.Gateway.Budgets;

/// <summary>A spend limit; null parts are unlimited.</summary>
public sealed record BudgetLimit(decimal? MaxUsd = null, long? MaxTokens = null)
{
    /// <summary>True when <paramref name="total"/> stays within both parts of the limit (equal to a part still fits).</summary>
    public bool Allows(SpendAmount total) => !(total.Usd > MaxUsd || total.Tokens > MaxTokens);
}
