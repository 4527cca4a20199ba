using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Gateway.Fallback;
using CompanyOs.Llm.Providers;

namespace CompanyOs.Llm.Gateway;

/// <summary>Checks the gateway-relevant parts of <see cref="LlmOptions"/> when the gateway is built, naming file and key.</summary>
internal static class GatewayOptionsValidator
{
    /// <exception cref="ConfigurationException">Something is out of range or inconsistent.</exception>
    public static void Validate(LlmOptions options)
    {
        var file = options.SourceFile;
        foreach (var p in options.Providers.Values)
        {
            var key = $"providers.{p.Name}";
            Require(file, $"{key}.timeout", p.Timeout > TimeSpan.Zero, "must be positive");
            Require(file, $"{key}.max_retries", p.MaxRetries is >= 0 and <= 20, "must be between 0 and 20");
            Require(file, $"{key}.rate_limit_rpm", p.RateLimitRpm is null or > 0, "must be positive (omit it for no limit)");
            Require(file, $"{key}.rate_limit_tpm", p.RateLimitTpm is null or > 0, "must be positive (omit it for no limit)");
            Require(file, $"{key}.default_model", !string.IsNullOrWhiteSpace(p.DefaultModel), "is required");
            if (p.Enabled && NativeAotProviders.Problem(p.Kind, NativeAotProviders.IsNativeAot) is { } aot)
            {
                throw new ConfigurationException(file, $"{key}.type", aot);
            }
        }

        var retry = options.Retry;
        Require(file, "retry.base_delay", retry.BaseDelay > TimeSpan.Zero, "must be positive");
        Require(file, "retry.max_delay", retry.MaxDelay >= retry.BaseDelay, "must be at least retry.base_delay");
        Require(file, "retry.max_retry_after", retry.MaxRetryAfter >= TimeSpan.Zero, "must not be negative");
        Require(file, "retry.total_deadline", retry.TotalDeadline >= TimeSpan.FromMilliseconds(10) && retry.TotalDeadline <= TimeSpan.FromDays(1),
            "must be between 10 ms and 1 day");

        var breaker = options.CircuitBreaker;
        Require(file, "circuit_breaker.failure_ratio", breaker.FailureRatio is > 0 and <= 1, "must be in (0, 1]");
        Require(file, "circuit_breaker.minimum_throughput", breaker.MinimumThroughput >= 2, "must be at least 2");
        Require(file, "circuit_breaker.sampling_duration", breaker.SamplingDuration >= TimeSpan.FromMilliseconds(500), "must be at least 0.5 s");
        Require(file, "circuit_breaker.break_duration", breaker.BreakDuration >= TimeSpan.FromMilliseconds(500), "must be at least 0.5 s");

        Require(file, "rate_limits.queue_limit", options.RateLimits.QueueLimit >= 0, "must not be negative");
        Require(file, "rate_limits.max_wait", options.RateLimits.MaxWait > TimeSpan.Zero, "must be positive");
        Require(file, "rate_limits.default_max_output_tokens", options.RateLimits.DefaultMaxOutputTokens > 0, "must be positive");
        Require(file, "cache.expiration", options.Cache.Expiration > TimeSpan.Zero, "must be positive");
        Require(file, "budgets.default_max_output_tokens", options.Budgets.DefaultMaxOutputTokens > 0, "must be positive");
        foreach (var (model, price) in options.Prices)
        {
            Require(file, $"prices.{model}", price.Input >= 0 && price.Output >= 0 && price.CacheRead is null or >= 0 && price.CacheWrite is null or >= 0, "prices must not be negative");
        }

        FallbackChains.Validate(options);
    }

    private static void Require(string file, string key, bool condition, string problem)
    {
        if (!condition)
        {
            throw new ConfigurationException(file, key, problem);
        }
    }
}
