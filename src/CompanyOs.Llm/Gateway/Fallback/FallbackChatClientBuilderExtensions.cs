using CompanyOs.Llm.Gateway.Fallback;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace CompanyOs.Llm.Gateway;

/// <summary>Adds the gateway's fallback chain to a <see cref="ChatClientBuilder"/> pipeline.</summary>
public static class FallbackChatClientBuilderExtensions
{
    /// <summary>
    /// Adds the cycle-safe fallback chain (no-op when no provider has a <c>fallback_provider</c>). Place it inside
    /// <c>UseRouting()</c> and outside <c>UseResilience()</c>, so that a provider is given up on only after its retries.
    /// </summary>
    /// <param name="builder">The pipeline.</param>
    /// <param name="services">The gateway's shared services; default: the ones <c>AddLlmGateway</c> registered.</param>
    public static ChatClientBuilder UseFallback(this ChatClientBuilder builder, GatewayServices? services = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, provider) =>
        {
            var shared = GatewayServices.Resolve(services, provider);
            return shared.Options.Providers.Values.Any(p => p.FallbackProvider is not null)
                ? new FallbackChatClient(inner, shared.Options, shared.Router, shared.LoggerFactory.CreateLogger<FallbackChatClient>())
                : inner;
        });
    }
}
