namespace CompanyOs.Llm.Gateway.Budgets;

/// <summary>What a budget applies to.</summary>
public enum BudgetScopeKind
{
    Org,
    /// <summary>An agent type within an org; <see cref="BudgetScope.Id"/> is <c>org/agent</c>.</summary>
    Agent,
    Run,
}

/// <summary>One spend account: an org, an agent type within an org, or a run.</summary>
public readonly record struct BudgetScope(BudgetScopeKind Kind, string Id)
{
    public override string ToString() => $"{Kind.ToString().ToLowerInvariant()} '{Id}'";
}
