using CompanyOs.Llm.Gateway.Budgets;
using CompanyOs.Llm.Gateway.Caching;
using CompanyOs.Llm.Gateway.Costs;
using CompanyOs.Llm.Gateway.RateLimiting;
using CompanyOs.Llm.Gateway.Resilience;

namespace CompanyOs.Llm.Configuration;

/// <summary>The whole of <c>config/llm.yaml</c>, validated. Gateway policy sections (retry, breaker, cache, budgets, prices) hang off here too.</summary>
public sealed record LlmOptions
{
    /// <summary>Where the options came from, for error messages.</summary>
    public string SourceFile { get; init; } = "(in memory)";

    public required IReadOnlyDictionary<string, ProviderOptions> Providers { get; init; }

    /// <summary>Provider used when neither the request nor the agent names one; default = first enabled provider.</summary>
    public string? DefaultProvider { get; init; }

    public IReadOnlyDictionary<string, AgentModelOptions> AgentModels { get; init; } = new Dictionary<string, AgentModelOptions>();

    /// <summary>Extra model aliases (alias → exact model id), on top of the built-in ones.</summary>
    public IReadOnlyDictionary<string, string> ModelAliases { get; init; } = new Dictionary<string, string>();

    /// <summary>The <c>retry</c> section: backoff, Retry-After cap, total deadline.</summary>
    public RetryPolicyOptions Retry { get; init; } = new();

    /// <summary>The <c>circuit_breaker</c> section.</summary>
    public CircuitBreakerPolicyOptions CircuitBreaker { get; init; } = new();

    /// <summary>The <c>rate_limits</c> section: wait or fail fast, queue bound.</summary>
    public RateLimitPolicyOptions RateLimits { get; init; } = new();

    /// <summary>The <c>cache</c> section.</summary>
    public ResponseCacheOptions Cache { get; init; } = new();

    /// <summary>The <c>budgets</c> section.</summary>
    public BudgetOptions Budgets { get; init; } = new();

    /// <summary>The <c>prices</c> section: exact model id (or alias) → price, replacing or adding to <c>config/prices.json</c>.</summary>
    public IReadOnlyDictionary<string, ModelPrice> Prices { get; init; } = new Dictionary<string, ModelPrice>();
}
