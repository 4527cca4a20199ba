namespace CompanyOs.Llm.Gateway.Budgets;

/// <summary>A scope together with the limit that applies to it.</summary>
public readonly record struct BudgetCheck(BudgetScope Scope, BudgetLimit Limit);
