namespace CompanyOs.Agents.Definitions;

/// <summary>Spend limits of one run, summed over every LLM call of the run. Null members are unlimited.</summary>
public sealed record AgentBudget(decimal? MaxUsd = null, long? MaxTokens = null)
{
    public static AgentBudget Unlimited { get; } = new();
}
