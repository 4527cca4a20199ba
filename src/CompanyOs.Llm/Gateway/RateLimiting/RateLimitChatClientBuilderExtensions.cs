using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace CompanyOs.Llm.Gateway.RateLimiting;

internal static class RateLimitChatClientBuilderExtensions
{
    /// <summary>Adds the per-provider RPM/TPM limits (only when some provider has a limit).</summary>
    public static ChatClientBuilder UseRateLimits(this ChatClientBuilder builder, GatewayServices services) =>
        services.RateLimiters.Any
            ? builder.Use(inner => new RateLimitChatClient(inner, services, services.LoggerFactory.CreateLogger<RateLimitChatClient>()))
            : builder;
}
