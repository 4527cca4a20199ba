namespace CompanyOs.Llm.Configuration.Sections;

/// <summary><c>default_provider:</c> — must name an enabled provider; absent = the first enabled provider in the file.</summary>
internal sealed class DefaultProviderSection : ILlmConfigSection
{
    public string Key => "default_provider";

    public LlmOptions Read(ConfigNode node, LlmOptions options)
    {
        var name = node.AsString();
        if (string.IsNullOrWhiteSpace(name))
        {
            return options with { DefaultProvider = options.Providers.Values.First(p => p.Enabled).Name };
        }

        ProviderReferences.RequireEnabled(node, name, options);
        return options with { DefaultProvider = name };
    }
}
