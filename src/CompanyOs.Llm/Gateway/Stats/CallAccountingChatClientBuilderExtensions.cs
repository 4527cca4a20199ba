using CompanyOs.Llm.Gateway.Stats;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Gateway;

/// <summary>Adds the gateway's call accounting to a <see cref="ChatClientBuilder"/> pipeline.</summary>
public static class CallAccountingChatClientBuilderExtensions
{
    /// <summary>Adds cost, <see cref="Calls.LlmCallInfo"/> and stats for every call. Place it inside <c>UseRouting()</c>.</summary>
    /// <param name="builder">The pipeline.</param>
    /// <param name="services">The gateway's shared services; default: the ones <c>AddLlmGateway</c> registered.</param>
    public static ChatClientBuilder UseCallAccounting(this ChatClientBuilder builder, GatewayServices? services = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, provider) => new CallAccountingChatClient(inner, GatewayServices.Resolve(services, provider)));
    }
}
