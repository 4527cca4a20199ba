namespace CompanyOs.Llm.Configuration;

/// <summary>The <see cref="ConfigReadContext"/> of <c>llm.yaml</c>: adds the loader's switch for unresolvable API keys.</summary>
internal sealed class LlmConfigReadContext(string file, Func<string, string?> environment, bool requireApiKeys)
    : ConfigReadContext(file, environment)
{
    /// <summary>
    /// False when the caller accepts enabled providers without a resolvable API key (e.g. the CLI, which then points them at
    /// the emulator); the key stays null and <see cref="ProviderOptions.ApiKeyVariable"/> names what was missing.
    /// </summary>
    public bool RequireApiKeys { get; } = requireApiKeys;

    /// <summary>Whether reading <paramref name="node"/> must fail on an enabled provider without a key (the default for other contexts).</summary>
    public static bool RequiresApiKeys(ConfigNode node) => node.Context is not LlmConfigReadContext { RequireApiKeys: false };
}
