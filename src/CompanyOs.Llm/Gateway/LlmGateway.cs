using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Gateway.Stats;
using CompanyOs.Llm.Providers;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Gateway;

/// <summary>
/// The LLM gateway: an <see cref="IChatClient"/> that routes, budgets, rate-limits, caches, retries, falls back and accounts
/// for every call, streaming or not. Build one with <see cref="CreateBuilder"/> or register one with <c>AddLlmGateway</c>.
/// </summary>
public sealed class LlmGateway : DelegatingChatClient
{
    private readonly bool _ownsServices;

    internal LlmGateway(IChatClient pipeline, GatewayServices services, bool ownsServices)
        : base(pipeline)
    {
        Services = services;
        _ownsServices = ownsServices;
    }

    /// <summary>The shared state of the policies: its router, stats (tests inspect limiter statistics through it).</summary>
    public GatewayServices Services { get; }

    /// <summary>Starts a builder over validated options.</summary>
    /// <param name="options">The validated configuration.</param>
    /// <param name="providers">Custom provider clients; default: the official SDKs over the builder's clock and model catalog.</param>
    public static GatewayBuilder CreateBuilder(LlmOptions options, IProviderClientFactory? providers = null) => new(options, providers);

    /// <summary>Counters by provider, model, org and agent since the gateway was built.</summary>
    public GatewayStatsSnapshot GetStats() => Services.GetStats();

    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType.IsInstanceOfType(Services.Stats) ? Services.Stats : base.GetService(serviceType, serviceKey);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && _ownsServices)
        {
            Services.Dispose();
        }
    }
}
