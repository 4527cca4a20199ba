using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Gateway.Budgets;

internal static class BudgetChatClientBuilderExtensions
{
    /// <summary>Adds per org/agent/run spend limits, checked before the call and settled after it.</summary>
    public static ChatClientBuilder UseBudgets(this ChatClientBuilder builder, GatewayServices services)
    {
        var policy = new BudgetPolicy(services.Options.Budgets, services);
        return policy.Enabled ? builder.Use(inner => new BudgetChatClient(inner, policy, services.SpendStore)) : builder;
    }
}
