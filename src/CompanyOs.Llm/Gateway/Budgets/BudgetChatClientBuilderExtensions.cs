using CompanyOs.Llm.Gateway.Budgets;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Gateway;

/// <summary>Adds the gateway's budgets to a <see cref="ChatClientBuilder"/> pipeline.</summary>
public static class BudgetChatClientBuilderExtensions
{
    /// <summary>
    /// Adds per org/agent/run spend limits, checked before the call and settled after it. Always added: a caller may bring its
    /// own run limit (<c>LlmCallContext.RunLimit</c>) even when no <c>budgets</c> are configured. Place it inside
    /// <c>UseRouting()</c> and inside <c>UseFallback()</c>, so that each fallback step is reserved at its own model's price.
    /// </summary>
    /// <param name="builder">The pipeline.</param>
    /// <param name="services">The gateway's shared services; default: the ones <c>AddLlmGateway</c> registered.</param>
    public static ChatClientBuilder UseBudgets(this ChatClientBuilder builder, GatewayServices? services = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, provider) =>
        {
            var shared = GatewayServices.Resolve(services, provider);
            return new BudgetChatClient(inner, shared.Budgets, shared.SpendStore);
        });
    }
}
