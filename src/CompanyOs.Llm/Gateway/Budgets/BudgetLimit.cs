namespace CompanyOs.Llm.Gateway.Budgets;

/// <summary>A spend limit; null parts are unlimited.</summary>
public sealed record BudgetLimit(decimal? MaxUsd = null, long? MaxTokens = null);
