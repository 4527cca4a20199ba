using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Gateway.Budgets;

internal static class BudgetChatClientBuilderExtensions
{
    /// <summary>
    /// Adds per org/agent/run spend limits, checked before the call and settled after it. Always added: a caller may bring its
    /// own run limit (<c>LlmCallContext.RunLimit</c>) even when no <c>budgets</c> are configured.
    /// </summary>
    public static ChatClientBuilder UseBudgets(this ChatClientBuilder builder, GatewayServices services) =>
        builder.Use(inner => new BudgetChatClient(inner, services.Budgets, services.SpendStore));
}
