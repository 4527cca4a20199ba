using CompanyOs.Llm.Configuration.Sections;

namespace CompanyOs.Llm.Configuration;

/// <summary>The sections of <c>config/llm.yaml</c> the loader knows, in reading order. Add one line per new section.</summary>
public static class LlmConfigSections
{
    /// <summary>Every built-in section. Order matters: a section may refer to what earlier sections produced.</summary>
    public static IReadOnlyList<ILlmConfigSection> Default { get; } =
    [
        new ProvidersSection(),
        new DefaultProviderSection(),
        new ModelAliasesSection(),
        new AgentModelsSection(),
        new RetrySection(),
        new CircuitBreakerSection(),
        new RateLimitsSection(),
        new CacheSection(),
        new BudgetsSection(),
        new PricesSection(),
    ];
}
