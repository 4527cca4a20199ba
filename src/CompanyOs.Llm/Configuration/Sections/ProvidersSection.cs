namespace CompanyOs.Llm.Configuration.Sections;

/// <summary><c>providers:</c> — one entry per configured provider; at least one must be enabled.</summary>
internal sealed class ProvidersSection : ILlmConfigSection
{
    public string Key => "providers";

    public LlmOptions Read(ConfigNode node, LlmOptions options)
    {
        if (node.IsNull)
        {
            throw node.Error(node.IsMissing ? "is required: configure at least one provider" : "must list at least one provider");
        }

        var providers = new Dictionary<string, ProviderOptions>(StringComparer.Ordinal);
        var nodes = new Dictionary<string, ConfigNode>(StringComparer.Ordinal);
        foreach (var (name, value) in node.Entries())
        {
            providers.Add(name, ProviderReader.Read(name, value));
            nodes.Add(name, value);
        }

        if (providers.Count == 0)
        {
            throw node.Error("must list at least one provider");
        }

        if (!providers.Values.Any(p => p.Enabled))
        {
            throw node.Error("no provider is enabled; set 'enabled: true' on at least one");
        }

        FallbackChainValidator.Validate(providers, nodes);
        return options with { Providers = providers };
    }
}
