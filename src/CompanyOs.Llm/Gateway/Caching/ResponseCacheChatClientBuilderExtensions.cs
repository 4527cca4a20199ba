using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Gateway.Caching;

internal static class ResponseCacheChatClientBuilderExtensions
{
    /// <summary>Adds the exact-match response cache when a <see cref="Microsoft.Extensions.Caching.Hybrid.HybridCache"/> is available.</summary>
    public static ChatClientBuilder UseResponseCache(this ChatClientBuilder builder, GatewayServices services) =>
        services.Cache is { } cache
            ? builder.Use(inner => new ResponseCacheChatClient(inner, cache, services.Options.Cache))
            : builder;
}
