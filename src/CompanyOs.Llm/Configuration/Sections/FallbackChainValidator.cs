namespace CompanyOs.Llm.Configuration.Sections;

/// <summary>Checks <c>fallback_provider</c> references: known, enabled, not the provider itself, and no cycle of any length.</summary>
internal static class FallbackChainValidator
{
    public static void Validate(IReadOnlyDictionary<string, ProviderOptions> providers, IReadOnlyDictionary<string, ConfigNode> nodes)
    {
        foreach (var provider in providers.Values)
        {
            if (provider.FallbackProvider is not { } target)
            {
                continue;
            }

            var at = nodes[provider.Name].Child("fallback_provider");
            if (!providers.TryGetValue(target, out var targetOptions))
            {
                var hint = KeySuggestion.Closest(target, providers.Keys) is { } s ? $"; did you mean '{s}'?" : string.Empty;
                throw at.Error($"unknown provider '{target}'{hint} (configured: {string.Join(", ", providers.Keys)})");
            }

            if (target == provider.Name)
            {
                throw at.Error("a provider cannot fall back to itself");
            }

            if (provider.Enabled && !targetOptions.Enabled)
            {
                throw at.Error($"falls back to '{target}', which is disabled");
            }
        }

        foreach (var provider in providers.Values)
        {
            var path = new List<string> { provider.Name };
            var current = provider;
            while (current.FallbackProvider is { } next)
            {
                if (path.Contains(next))
                {
                    path.Add(next);
                    throw nodes[provider.Name].Child("fallback_provider")
                        .Error($"fallback cycle: {string.Join(" -> ", path)}");
                }

                path.Add(next);
                current = providers[next];
            }
        }
    }
}
