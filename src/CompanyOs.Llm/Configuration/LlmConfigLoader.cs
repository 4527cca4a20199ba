namespace CompanyOs.Llm.Configuration;

/// <summary>
/// Loads <c>config/llm.yaml</c> into validated <see cref="LlmOptions"/>. Every problem is a <see cref="ConfigurationException"/>
/// naming the file, the key path and what is wrong (with line and column); secrets are never part of a message.
/// </summary>
public sealed class LlmConfigLoader
{
    private readonly Func<string, string?> _environment;
    private readonly IReadOnlyList<ILlmConfigSection> _sections;
    private readonly bool _requireApiKeys;

    /// <param name="environment">Environment lookup for <c>${VAR}</c>; default <see cref="ProcessEnvironment.Lookup"/>.</param>
    /// <param name="sections">The sections to read; default <see cref="LlmConfigSections.Default"/>.</param>
    /// <param name="requireApiKeys">When false, an enabled provider whose key variable is unset loads with a null key instead of failing.</param>
    public LlmConfigLoader(
        Func<string, string?>? environment = null,
        IEnumerable<ILlmConfigSection>? sections = null,
        bool requireApiKeys = true)
    {
        _environment = environment ?? ProcessEnvironment.Lookup;
        _sections = sections?.ToArray() ?? LlmConfigSections.Default;
        _requireApiKeys = requireApiKeys;
        var duplicate = _sections.GroupBy(s => s.Key, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Two configuration sections claim the key '{duplicate.Key}'.", nameof(sections));
        }
    }

    /// <summary>Reads and validates the file at <paramref name="path"/>.</summary>
    /// <exception cref="ConfigurationException">The file is missing, unreadable or invalid.</exception>
    public async Task<LlmOptions> LoadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string text;
        try
        {
            text = await ConfigFile.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ConfigurationException(path, string.Empty, $"file not found (working directory: {Directory.GetCurrentDirectory()})", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException(path, string.Empty, $"cannot read the file: {e.Message}", e);
        }

        return Parse(text, path);
    }

    /// <summary>Validates YAML text; <paramref name="file"/> is only used in error messages.</summary>
    /// <exception cref="ConfigurationException">The text is not valid configuration.</exception>
    public LlmOptions Parse(string yaml, string file)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentException.ThrowIfNullOrEmpty(file);
        var rootNode = ConfigDocument.Parse(yaml, new LlmConfigReadContext(file, _environment, _requireApiKeys));
        if (rootNode.IsNull)
        {
            throw rootNode.Context.Error(string.Empty, "the file is empty; expected at least a 'providers:' section");
        }

        if (!rootNode.IsMapping)
        {
            throw rootNode.Error("expected a mapping of sections (providers:, agent_models:, ...)");
        }

        rootNode.ExpectOnlyKeys(_sections.Select(s => s.Key).ToArray());
        var options = new LlmOptions { SourceFile = file, Providers = new Dictionary<string, ProviderOptions>() };
        foreach (var section in _sections)
        {
            options = section.Read(rootNode.Child(section.Key), options);
        }

        return options;
    }
}
