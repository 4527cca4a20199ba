namespace CompanyOs.Llm.Gateway.Budgets;

/// <summary>What a budget applies to.</summary>
public enum BudgetScopeKind
{
    Org,
    /// <summary>An agent type within an org; <see cref="BudgetScope.Id"/> is <c>org/agent</c>.</summary>
    Agent,
    Run,
    /// <summary>An API key of the gateway server (<c>keys create --budget-usd</c>); <see cref="BudgetScope.Id"/> is the key's id.</summary>
    ApiKey,
}

/// <summary>One spend account: an org, an agent type within an org, a run, or an API key.</summary>
public readonly record struct BudgetScope(BudgetScopeKind Kind, string Id)
{
    public override string ToString() => $"{(Kind == BudgetScopeKind.ApiKey ? "API key" : Kind.ToString().ToLowerInvariant())} '{Id}'";
}
