using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Gateway.Resilience;

namespace CompanyOs.Llm.Tests.Gateway.Fakes;

/// <summary>Options for gateway tests: provider "a" (OpenAI, gpt-4o-mini) falls back to "b" (Anthropic, claude-3-5-haiku).</summary>
public static class TestOptions
{
    public static ProviderOptions ProviderA(Uri? baseUrl = null) => new()
    {
        Name = "a",
        Kind = ProviderKind.OpenAI,
        ApiKey = "sk-test-a",
        BaseUrl = baseUrl,
        DefaultModel = "gpt-4o-mini",
        FallbackProvider = "b",
        MaxRetries = 2,
        Timeout = TimeSpan.FromSeconds(30),
    };

    public static ProviderOptions ProviderB(Uri? baseUrl = null) => new()
    {
        Name = "b",
        Kind = ProviderKind.Anthropic,
        ApiKey = "sk-test-b",
        BaseUrl = baseUrl,
        DefaultModel = "claude-3-5-haiku-20241022",
        FallbackModels = new Dictionary<string, string> { ["gpt-4o-mini"] = "claude-3-5-haiku-20241022", ["gpt-4o"] = "claude-sonnet-4-20250514" },
        MaxRetries = 1,
        Timeout = TimeSpan.FromSeconds(30),
    };

    public static LlmOptions Create(params ProviderOptions[] providers) => new()
    {
        SourceFile = "test/llm.yaml",
        Providers = (providers.Length == 0 ? [ProviderA(), ProviderB()] : providers).ToDictionary(p => p.Name),
        DefaultProvider = "a",
        Retry = new RetryPolicyOptions
        {
            BaseDelay = TimeSpan.FromMilliseconds(200),
            MaxDelay = TimeSpan.FromSeconds(2),
            MaxRetryAfter = TimeSpan.FromSeconds(30),
            TotalDeadline = TimeSpan.FromMinutes(2),
        },
        CircuitBreaker = new CircuitBreakerPolicyOptions
        {
            FailureRatio = 0.5,
            MinimumThroughput = 4,
            SamplingDuration = TimeSpan.FromSeconds(30),
            BreakDuration = TimeSpan.FromSeconds(10),
        },
    };
}
