using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace CompanyOs.Llm.Gateway.Fallback;

internal static class FallbackChatClientBuilderExtensions
{
    /// <summary>Adds the cycle-safe fallback chain.</summary>
    public static ChatClientBuilder UseFallback(this ChatClientBuilder builder, GatewayServices services) =>
        services.Options.Providers.Values.Any(p => p.FallbackProvider is not null)
            ? builder.Use(inner => new FallbackChatClient(inner, services.Options, services.Router, services.LoggerFactory.CreateLogger<FallbackChatClient>()))
            : builder;
}
