using CompanyOs.Llm.Configuration;

namespace CompanyOs.Llm.Gateway.Fallback;

/// <summary>Validates <c>fallback_provider</c> chains when the gateway is built: every target exists and no chain loops.</summary>
internal static class FallbackChains
{
    /// <exception cref="ConfigurationException">A fallback names an unknown provider, or chains form a cycle (e.g. a → b → a).</exception>
    public static void Validate(LlmOptions options)
    {
        foreach (var provider in options.Providers.Values)
        {
            var path = new List<string> { provider.Name };
            var current = provider;
            while (current.FallbackProvider is { } next)
            {
                var key = $"providers.{current.Name}.fallback_provider";
                if (!options.Providers.TryGetValue(next, out var target))
                {
                    throw new ConfigurationException(options.SourceFile, key, $"names provider '{next}', which is not configured");
                }

                if (path.Contains(next, StringComparer.Ordinal))
                {
                    path.Add(next);
                    throw new ConfigurationException(options.SourceFile, key, $"fallback cycle {string.Join(" → ", path)}: fallback chains must end");
                }

                path.Add(next);
                current = target;
            }
        }
    }
}
