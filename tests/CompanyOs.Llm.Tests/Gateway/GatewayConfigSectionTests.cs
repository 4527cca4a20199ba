using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Gateway.Budgets;
using CompanyOs.Llm.Gateway.RateLimiting;
using CompanyOs.Llm.Tests.Configuration;

namespace CompanyOs.Llm.Tests.Gateway;

public sealed class GatewayConfigSectionTests
{
    private const string Providers = """
        providers:
          openai: { api_key: "${OPENAI_API_KEY}", default_model: gpt-4o }

        """;

    [Fact]
    public void Gateway_sections_are_read_into_typed_options()
    {
        var options = ConfigTestEnvironment.Load(Providers + """
            retry: { base_delay_seconds: 0.5, max_delay_seconds: 10, max_retry_after_seconds: 20, total_deadline_seconds: 90 }
            circuit_breaker: { enabled: true, failure_ratio: 0.25, minimum_throughput: 8, sampling_duration_seconds: 60, break_duration_seconds: 15 }
            rate_limits: { mode: fail_fast, queue_limit: 5, max_wait_seconds: 3, default_max_output_tokens: 512 }
            cache: { enabled: true, expiration_seconds: 600 }
            budgets:
              orgs: { acme: { usd: 12.5, tokens: 1000000 } }
              default_org: { usd: 1 }
              agents: { researcher: { tokens: 5000 } }
              per_run: { usd: 0.25 }
            prices:
              my-finetune: { input: 3, output: 12, cache_read: 0.3, provider: openai }
            """);

        Assert.Equal((TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(90)), (options.Retry.BaseDelay, options.Retry.MaxRetryAfter, options.Retry.TotalDeadline));
        Assert.Equal((0.25, 8, TimeSpan.FromSeconds(15)), (options.CircuitBreaker.FailureRatio, options.CircuitBreaker.MinimumThroughput, options.CircuitBreaker.BreakDuration));
        Assert.Equal((RateLimitMode.FailFast, 5, 512), (options.RateLimits.Mode, options.RateLimits.QueueLimit, options.RateLimits.DefaultMaxOutputTokens));
        Assert.True(options.Cache.Enabled);
        Assert.Equal(new BudgetLimit(12.5m, 1_000_000), options.Budgets.Orgs["acme"]);
        Assert.Equal(new BudgetLimit(0.25m), options.Budgets.PerRun);
        Assert.Equal((3m, 12m, 0.3m, ProviderKind.OpenAI), (options.Prices["my-finetune"].Input, options.Prices["my-finetune"].Output, options.Prices["my-finetune"].CacheRead, options.Prices["my-finetune"].Provider));
    }

    [Fact]
    public void Absent_sections_keep_the_defaults()
    {
        var options = ConfigTestEnvironment.Load(Providers);

        Assert.Equal((TimeSpan.FromSeconds(1), RateLimitMode.Wait, false), (options.Retry.BaseDelay, options.RateLimits.Mode, options.Cache.Enabled));
        Assert.False(options.Budgets.Any);
        Assert.Empty(options.Prices);
    }

    [Theory]
    [InlineData("retry: { base_delay: 1 }", "retry.base_delay")]
    [InlineData("rate_limits: { mode: sometimes }", "rate_limits.mode")]
    [InlineData("circuit_breaker: { failure_ratio: 2 }", "circuit_breaker.failure_ratio")]
    [InlineData("budgets: { per_run: { dollars: 1 } }", "budgets.per_run.dollars")]
    [InlineData("budgets: { orgs: { acme: { tokens: 1.5 } } }", "budgets.orgs.acme.tokens")]
    [InlineData("prices: { m: { input: 1 } }", "prices.m.output")]
    [InlineData("prices: { m: { input: -1, output: 1 } }", "prices.m.input")]
    [InlineData("retry: { base_delay_seconds: 5, max_delay_seconds: 1 }", "retry.max_delay_seconds")]
    public void Bad_gateway_settings_name_the_key(string section, string key)
    {
        var error = Assert.Throws<ConfigurationException>(() => ConfigTestEnvironment.Load(Providers + section));

        Assert.Equal(key, error.KeyPath);
    }
}
