using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace CompanyOs.Llm.Gateway.Resilience;

internal static class ResilienceChatClientBuilderExtensions
{
    /// <summary>Adds per-provider retry (Retry-After aware), circuit breaker and total deadline.</summary>
    public static ChatClientBuilder UseResilience(this ChatClientBuilder builder, GatewayServices services)
    {
        var pipelines = new ResiliencePipelines(services.Options, services.Time, services.LoggerFactory.CreateLogger<ResiliencePipelines>());
        return builder.Use(inner => new ResilienceChatClient(inner, pipelines, services.Options.Retry.TotalDeadline));
    }
}
