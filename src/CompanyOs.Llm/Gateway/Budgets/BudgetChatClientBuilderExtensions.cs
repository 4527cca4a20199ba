using CompanyOs.Llm.Gateway.Budgets;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Gateway;

/// <summary>Adds the gateway's budgets to a <see cref="ChatClientBuilder"/> pipeline.</summary>
public static class BudgetChatClientBuilderExtensions
{
    /// <summary>
    /// Adds per org/agent/run spend limits, checked before the call and settled after it (no-op when the <c>budgets</c>
    /// section sets none). Place it inside <c>UseRouting()</c>.
    /// </summary>
    /// <param name="builder">The pipeline.</param>
    /// <param name="services">The gateway's shared services; default: the ones <c>AddLlmGateway</c> registered.</param>
    public static ChatClientBuilder UseBudgets(this ChatClientBuilder builder, GatewayServices? services = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, provider) =>
        {
            var shared = GatewayServices.Resolve(services, provider);
            var policy = new BudgetPolicy(shared.Options.Budgets, shared);
            return policy.Enabled ? new BudgetChatClient(inner, policy, shared.SpendStore) : inner;
        });
    }
}
