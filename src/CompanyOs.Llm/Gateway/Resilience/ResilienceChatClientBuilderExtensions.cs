using CompanyOs.Llm.Gateway.Resilience;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace CompanyOs.Llm.Gateway;

/// <summary>Adds the gateway's retry, circuit breaker and deadline to a <see cref="ChatClientBuilder"/> pipeline.</summary>
public static class ResilienceChatClientBuilderExtensions
{
    /// <summary>
    /// Adds per-provider retry (<c>Retry-After</c> aware), circuit breaker and total deadline. Place it inside
    /// <c>UseRouting()</c>; each pipeline built gets its own breakers.
    /// </summary>
    /// <param name="builder">The pipeline.</param>
    /// <param name="services">The gateway's shared services; default: the ones <c>AddLlmGateway</c> registered.</param>
    public static ChatClientBuilder UseResilience(this ChatClientBuilder builder, GatewayServices? services = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, provider) =>
        {
            var shared = GatewayServices.Resolve(services, provider);
            var pipelines = new ResiliencePipelines(shared.Options, shared.Time, shared.LoggerFactory.CreateLogger<ResiliencePipelines>(), shared.Circuits);
            return new ResilienceChatClient(inner, pipelines, shared.Options.Retry.TotalDeadline, shared.Time);
        });
    }
}
