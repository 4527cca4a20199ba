using CompanyOs.Llm.Gateway.Caching;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Gateway;

/// <summary>Adds the gateway's response cache to a <see cref="ChatClientBuilder"/> pipeline.</summary>
public static class ResponseCacheChatClientBuilderExtensions
{
    /// <summary>
    /// Adds the exact-match response cache over the gateway's <see cref="Microsoft.Extensions.Caching.Hybrid.HybridCache"/>
    /// (for calls that opt in, or all calls when the <c>cache</c> section says so). Place it inside <c>UseRouting()</c>.
    /// </summary>
    /// <param name="builder">The pipeline.</param>
    /// <param name="services">The gateway's shared services; default: the ones <c>AddLlmGateway</c> registered.</param>
    public static ChatClientBuilder UseResponseCache(this ChatClientBuilder builder, GatewayServices? services = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, provider) =>
        {
            var shared = GatewayServices.Resolve(services, provider);
            return shared.Cache is { } cache ? new ResponseCacheChatClient(inner, cache, shared.Options.Cache) : inner;
        });
    }
}
