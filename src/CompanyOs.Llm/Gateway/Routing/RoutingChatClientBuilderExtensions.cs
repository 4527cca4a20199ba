using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Gateway;

/// <summary>Adds the gateway's routing to a <see cref="ChatClientBuilder"/> pipeline.</summary>
public static class RoutingChatClientBuilderExtensions
{
    /// <summary>
    /// Adds routing (alias, <c>provider/model</c>, agent model, default provider). It must be the outermost gateway policy:
    /// every other one, and <see cref="GatewayServices.ProviderClient"/>, reads the call state it creates.
    /// </summary>
    /// <param name="builder">The pipeline.</param>
    /// <param name="services">The gateway's shared services; default: the ones <c>AddLlmGateway</c> registered.</param>
    public static ChatClientBuilder UseRouting(this ChatClientBuilder builder, GatewayServices? services = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, provider) =>
        {
            var shared = GatewayServices.Resolve(services, provider);
            return new Routing.RoutingChatClient(inner, shared.Router, shared.Time);
        });
    }
}
