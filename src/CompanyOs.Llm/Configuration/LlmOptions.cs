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
}
