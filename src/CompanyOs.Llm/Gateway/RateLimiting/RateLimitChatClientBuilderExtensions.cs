using CompanyOs.Llm.Gateway.RateLimiting;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace CompanyOs.Llm.Gateway;

/// <summary>Adds the gateway's provider rate limits to a <see cref="ChatClientBuilder"/> pipeline.</summary>
public static class RateLimitChatClientBuilderExtensions
{
    /// <summary>
    /// Adds the per-provider RPM/TPM limits (no-op when no provider has one). Place it inside <c>UseResilience()</c> and
    /// <c>UseFallback()</c>, so that every attempt counts against the provider it actually hits. The limiters are shared by
    /// every pipeline built over the same <see cref="GatewayServices"/>.
    /// </summary>
    /// <param name="builder">The pipeline.</param>
    /// <param name="services">The gateway's shared services; default: the ones <c>AddLlmGateway</c> registered.</param>
    public static ChatClientBuilder UseRateLimits(this ChatClientBuilder builder, GatewayServices? services = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, provider) =>
        {
            var shared = GatewayServices.Resolve(services, provider);
            return shared.RateLimiters.Any
                ? new RateLimitChatClient(inner, shared, shared.LoggerFactory.CreateLogger<RateLimitChatClient>())
                : inner;
        });
    }
}
