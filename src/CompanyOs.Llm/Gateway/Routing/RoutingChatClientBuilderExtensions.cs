using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Gateway.Routing;

internal static class RoutingChatClientBuilderExtensions
{
    /// <summary>Adds routing; must be the outermost gateway policy (every other one reads the call state it creates).</summary>
    public static ChatClientBuilder UseRouting(this ChatClientBuilder builder, GatewayServices services) =>
        builder.Use(inner => new RoutingChatClient(inner, services.Router, services.Time));
}
