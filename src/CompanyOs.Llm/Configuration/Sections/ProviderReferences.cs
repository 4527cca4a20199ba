namespace CompanyOs.Llm.Configuration.Sections;

/// <summary>Shared check for keys that name a provider.</summary>
internal static class ProviderReferences
{
    public static void RequireEnabled(ConfigNode node, string name, LlmOptions options)
    {
        if (!options.Providers.TryGetValue(name, out var provider))
        {
            var hint = KeySuggestion.Closest(name, options.Providers.Keys) is { } s ? $"; did you mean '{s}'?" : string.Empty;
            throw node.Error($"unknown provider '{name}'{hint} (configured: {string.Join(", ", options.Providers.Keys)})");
        }

        if (!provider.Enabled)
        {
            throw node.Error($"provider '{name}' is disabled");
        }
    }
}
