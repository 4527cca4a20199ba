using CompanyOs.Llm.Calls;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Gateway.Budgets;
using CompanyOs.Llm.Gateway.Costs;
using CompanyOs.Llm.Gateway.RateLimiting;
using CompanyOs.Llm.Gateway.Resilience;
using CompanyOs.Llm.Gateway.Routing;
using CompanyOs.Llm.Gateway.Stats;
using CompanyOs.Llm.Tokens;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CompanyOs.Llm.Gateway;

/// <summary>
/// What one gateway's policies share: options, clock, logging, prices, counters, limiters, cache and the provider clients.
/// Build it with <see cref="GatewayBuilder.BuildServices"/> (or resolve it after <c>AddLlmGateway</c>) to compose a pipeline
/// of your own from <see cref="ProviderClient"/> and the public <c>UseX()</c> policy extensions; it owns the provider clients
/// and limiters and releases them on <see cref="Dispose"/>.
/// </summary>
public sealed class GatewayServices : IDisposable
{
    private IDisposable[] _owned = [];
    private BudgetPolicy? _budgets;
    private CircuitStates? _circuits;

    internal GatewayServices()
    {
    }

    /// <summary>
    /// The innermost stage of a gateway pipeline: sends one attempt to the provider the call is currently routed to. It needs
    /// <c>UseRouting()</c> somewhere above it. Disposing a pipeline built on it does not dispose the provider clients.
    /// </summary>
    public IChatClient ProviderClient { get; internal init; } = null!;

    internal LlmOptions Options { get; init; } = null!;

    internal TimeProvider Time { get; init; } = null!;

    internal ILoggerFactory LoggerFactory { get; init; } = null!;

    /// <summary>
    /// How this gateway resolves a requested model to a provider and model (its catalog and price table), for callers that
    /// must decide before calling — listing models, refusing an unknown one — exactly as the pipeline will.
    /// </summary>
    public ModelRouter Router { get; internal init; } = null!;

    internal CostCalculator Costs { get; init; } = null!;

    internal GatewayStats Stats { get; init; } = null!;

    internal ITokenCounter TokenCounter { get; init; } = null!;

    internal ISpendStore SpendStore { get; init; } = null!;

    internal ProviderRateLimiters RateLimiters { get; init; } = null!;

    /// <summary>Told about every charged call; null when nobody listens.</summary>
    internal ILlmCallRecorder? CallRecorder { get; init; }

    /// <summary>Record prompts and answers on the call spans (<see cref="GatewayBuilder.WithContentRecording"/>).</summary>
    internal bool RecordContents { get; init; }

    /// <summary>Null when no call can use the cache (not configured and not requested).</summary>
    internal HybridCache? Cache { get; init; }

    /// <summary>What <see cref="Dispose"/> releases: provider clients, limiters, stats, a cache the builder made.</summary>
    internal IDisposable[] Owned { init => _owned = value; }

    /// <summary>
    /// The current window of <paramref name="provider"/>'s RPM/TPM limiter (<c>rate_limit_rpm</c>, <c>rate_limit_tpm</c>);
    /// null when the provider has neither limit.
    /// </summary>
    public RateLimitWindowState? GetRateLimitState(string provider) => RateLimiters.For(provider)?.GetWindowState();

    /// <summary>
    /// The state of <paramref name="provider"/>'s circuit breaker in the pipelines built over these services (the most severe
    /// when there are several); null when the breaker is off (<c>circuit_breaker.enabled: false</c>) or no pipeline was built.
    /// </summary>
    public ProviderCircuitState? GetCircuitState(string provider) => Circuits.StateOf(provider);

    /// <summary>The circuit breakers of the pipelines built over these services.</summary>
    internal CircuitStates Circuits =>
        _circuits ?? Interlocked.CompareExchange(ref _circuits, new CircuitStates(Time), null) ?? _circuits;

    /// <summary>Counters by provider, model, org and agent since these services were built.</summary>
    public GatewayStatsSnapshot GetStats() => Stats.GetSnapshot();

    /// <summary>Budget limits and spend estimates (also what an interrupted stream is charged).</summary>
    internal BudgetPolicy Budgets => _budgets ??= new BudgetPolicy(Options.Budgets, this);

    /// <summary>The cost of the answering attempt: 0 for a cache hit, null when the model has no price.</summary>
    internal decimal? CostOf(GatewayCall call)
    {
        if (call.CacheHit)
        {
            return 0m;
        }

        if (!call.CostComputed)
        {
            call.Cost = Costs.Compute(call.Provider.Kind, call.AnsweredModel, call.Model, call.Usage);
            call.CostComputed = true;
        }

        return call.Cost;
    }

    /// <summary>The services a policy extension was given, else the ones registered by <c>AddLlmGateway</c>.</summary>
    internal static GatewayServices Resolve(GatewayServices? given, IServiceProvider services) =>
        given ?? services.GetService<GatewayServices>() ?? throw new InvalidOperationException(
            "No GatewayServices: pass the ones from GatewayBuilder.BuildServices() to the UseX() call, or register them with services.AddLlmGateway(...) and build the pipeline with that service provider.");

    public void Dispose()
    {
        var owned = Interlocked.Exchange(ref _owned, []);
        foreach (var item in owned)
        {
            item.Dispose();
        }
    }
}
