using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Gateway.Budgets;
using CompanyOs.Llm.Gateway.Costs;
using CompanyOs.Llm.Gateway.RateLimiting;
using CompanyOs.Llm.Gateway.Routing;
using CompanyOs.Llm.Gateway.Stats;
using CompanyOs.Llm.Tokens;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Logging;

namespace CompanyOs.Llm.Gateway;

/// <summary>What the gateway's policies share: options, clock, logging, prices, counters. One instance per gateway.</summary>
internal sealed class GatewayServices
{
    private BudgetPolicy? _budgets;

    public required LlmOptions Options { get; init; }

    public required TimeProvider Time { get; init; }

    public required ILoggerFactory LoggerFactory { get; init; }

    public required ModelRouter Router { get; init; }

    public required CostCalculator Costs { get; init; }

    public required GatewayStats Stats { get; init; }

    public required ITokenCounter TokenCounter { get; init; }

    public required ISpendStore SpendStore { get; init; }

    public required ProviderRateLimiters RateLimiters { get; init; }

    /// <summary>Null when no call can use the cache (not configured and not requested).</summary>
    public HybridCache? Cache { get; init; }

    /// <summary>Budget limits and spend estimates (also what an interrupted stream is charged).</summary>
    public BudgetPolicy Budgets => _budgets ??= new BudgetPolicy(Options.Budgets, this);

    /// <summary>The cost of the answering attempt: 0 for a cache hit, null when the model has no price.</summary>
    public decimal? CostOf(GatewayCall call)
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
}
