using CompanyOs.Llm.Gateway.Costs;

namespace CompanyOs.Llm.Configuration.Sections;

/// <summary><c>prices:</c> — model id (or alias) → USD per 1M tokens, replacing or adding to the shipped <c>config/prices.json</c>.</summary>
internal sealed class PricesSection : ILlmConfigSection
{
    private static readonly string[] Keys = ["input", "output", "cache_read", "cache_write", "provider"];

    public string Key => "prices";

    public LlmOptions Read(ConfigNode node, LlmOptions options)
    {
        var prices = new Dictionary<string, ModelPrice>(StringComparer.Ordinal);
        foreach (var (model, entry) in node.Entries())
        {
            entry.ExpectOnlyKeys(Keys);
            var providerNode = entry.Child("provider");
            var provider = providerNode.AsString() is { } kind
                ? Enum.TryParse<ProviderKind>(kind, ignoreCase: true, out var parsed) ? parsed : throw providerNode.Error($"expected anthropic, openai or ollama, got '{kind}'")
                : (ProviderKind?)null;
            prices.Add(model, new ModelPrice
            {
                Provider = provider,
                Input = entry.Child("input").AsDecimal(0m, 100_000m) ?? throw entry.Child("input").Error("is required (USD per 1M input tokens)"),
                Output = entry.Child("output").AsDecimal(0m, 100_000m) ?? throw entry.Child("output").Error("is required (USD per 1M output tokens)"),
                CacheRead = entry.Child("cache_read").AsDecimal(0m, 100_000m),
                CacheWrite = entry.Child("cache_write").AsDecimal(0m, 100_000m),
            });
        }

        return prices.Count == 0 ? options : options with { Prices = prices };
    }
}
